"""testca.py - a throw-away certificate authority made with openssl, for the
TLS tests: test_tls.py's PKI (good, expired, not yet valid, wrong-host,
unknown-CA and self-signed server certificates), the hostile suite's TLS
server (tests/hostile/hostile.py) and the committed unit-test certificates
(tests/data/tls/make.py).  Not a test module (run.py collects test_*.py).

Every file lives in one directory: keys NAME.key, certificates NAME.pem, and
the `openssl ca` database.  Needs openssl on PATH; without it the first call
raises FileNotFoundError (callers make that a Skip); a failing openssl
raises AssertionError with its stderr."""
import os
import shutil
import subprocess

# ${ENV::...}: each signing sets the server certificate's names and key usage.
_CNF = """
[ca]
default_ca = test
[test]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}
serial = {d}/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:false
keyUsage = critical, ${{ENV::QV_KEY_USAGE}}
extendedKeyUsage = serverAuth
subjectAltName = ${{ENV::QV_SAN}}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

KEY_ALGS = {
    "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "ec": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
}
# A TLS server key signs (ECDHE) or, RSA only, decrypts (static RSA).
SERVER_KEY_USAGE = "digitalSignature, keyEncipherment"


def _validity(days, dates):
    """openssl ca arguments: dates=(start, end) as YYYYMMDDHHMMSSZ, else days."""
    return ["-startdate", dates[0], "-enddate", dates[1]] if dates else ["-days", str(days)]


class TestCA:
    """The test PKI of directory d (created if missing)."""

    def __init__(self, d):
        os.makedirs(d, exist_ok=True)
        self.d = d
        with open(self.path("ca.cnf"), "w") as f:
            f.write(_CNF.format(d=d))
        open(self.path("index.txt"), "w").close()
        with open(self.path("serial"), "w") as f:
            f.write("1000\n")

    def path(self, name):
        return os.path.join(self.d, name)

    def openssl(self, *args, env=None):
        p = subprocess.run(["openssl", *args], cwd=self.d, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)} failed: {p.stderr.strip()}")

    def key(self, name, alg):
        """A new private key NAME.key, alg "rsa" (2048 bits) or "ec" (P-256)."""
        self.openssl("genpkey", *KEY_ALGS[alg], "-out", f"{name}.key")
        return self.path(f"{name}.key")

    def _keyed(self, name, key):
        """NAME.pem was made for KEY.key: NAME.key is that key too."""
        if key != name:
            shutil.copy(self.path(f"{key}.key"), self.path(f"{name}.key"))
        return self.path(f"{name}.pem")

    def _sign(self, name, cn, key, *args, san="DNS:localhost", key_usage=SERVER_KEY_USAGE):
        self.openssl("req", "-new", "-key", f"{key}.key", "-subj", f"/CN={cn}", "-out", f"{name}.csr")
        env = dict(os.environ, QV_SAN=san, QV_KEY_USAGE=key_usage)
        self.openssl("ca", "-batch", "-notext", "-config", "ca.cnf", *args, "-in", f"{name}.csr",
                     "-out", f"{name}.pem", env=env)
        return self._keyed(name, key)

    def ca(self, name, cn, days=3650, dates=None):
        """A self-signed CA certificate NAME.pem for the existing key NAME.key."""
        return self._sign(name, cn, name, "-selfsign", "-keyfile", f"{name}.key", "-extensions", "v3_ca",
                          *_validity(days, dates))

    def leaf(self, name, key, ca="ca", cn="localhost", san="DNS:localhost", key_usage=SERVER_KEY_USAGE,
             days=3650, dates=None):
        """A server certificate NAME.pem for key KEY.key (copied to NAME.key),
        signed by the CA certificate CA.pem (key CA.key); san is the
        subjectAltName value, e.g. "DNS:localhost, IP:127.0.0.1"."""
        return self._sign(name, cn, key, "-cert", f"{ca}.pem", "-keyfile", f"{ca}.key", "-extensions",
                          "server", *_validity(days, dates), san=san, key_usage=key_usage)

    def self_signed(self, name, key, days):
        """A self-signed localhost certificate NAME.pem (no CA behind it) for
        key KEY.key (copied to NAME.key)."""
        self.openssl("req", "-x509", "-new", "-key", f"{key}.key", "-subj", "/CN=localhost", "-addext",
                     "subjectAltName=DNS:localhost", "-days", str(days), "-out", f"{name}.pem")
        return self._keyed(name, key)
