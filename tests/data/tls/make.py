#!/usr/bin/env python3
"""make.py - regenerates the TLS unit-test certificates in this directory (or
in the directory given as the argument) with openssl, through the test CA of
tests/integration/testca.py; they are committed so the unit tests need no
openssl.

Fixed validity 2020-01-01 .. 2120-01-01, so a test can put its clock before
or after that window (tls_client_opts.now_unix) to get "not yet valid" and
"expired" without generating anything at test time.
  ca.pem        test CA (RSA 2048)
  rsa.pem/.key  localhost, RSA 2048, signed by ca
  ec.pem/.key   localhost, EC P-256, signed by ca
  other-ca.pem  an unrelated CA (RSA 2048) -> "unknown issuer"
  self.pem/.key self-signed localhost (RSA 2048)
  ip.pem/.key   EC P-256, signed by ca: DNS:localhost, IP:127.0.0.1, IP:::1
  dnsip.pem/.key the same key, CN=127.0.0.1 and DNS:127.0.0.1, DNS:::1 only:
                names that spell the addresses, which must not match them"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))

import testca  # noqa: E402

DATES = ("20200101000000Z", "21200101000000Z")
MADE = ("ca.pem", "other-ca.pem", "rsa.pem", "rsa.key", "ec.pem", "ec.key", "self.pem", "self.key",
        "ip.pem", "ip.key", "dnsip.pem", "dnsip.key")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    with tempfile.TemporaryDirectory() as work:  # the CA keys and database stay here
        pki = testca.TestCA(work)
        for name, cn in (("other-ca", "quiver other test CA"), ("ca", "quiver test CA")):
            pki.key(name, "rsa")
            pki.ca(name, cn, dates=DATES)
        for name in ("rsa", "ec"):
            pki.key(name, name)
            pki.leaf(name, name, dates=DATES)
        pki.key("ip", "ec")
        pki.leaf("ip", "ip", san="DNS:localhost, IP:127.0.0.1, IP:::1", dates=DATES)
        pki.leaf("dnsip", "ip", cn="127.0.0.1", san="DNS:127.0.0.1, DNS:::1", dates=DATES)
        pki.key("self", "rsa")
        pki.self_signed("self", "self", days=36500)
        os.makedirs(out, exist_ok=True)
        for name in MADE:
            shutil.copy(pki.path(name), os.path.join(out, name))
    print(f"made: {' '.join(MADE)}")


if __name__ == "__main__":
    main()
