#!/usr/bin/env python3
"""mkcorpus.py - writes the committed seed corpora of tests/fuzz/corpus/.

Seeds are small valid and tricky messages (RFC examples, the edge cases of
DESIGN §3 and §8); the fuzzer mutates from them.  Rerun after editing; file
names are stable (seed-NN) so a rerun only changes what changed."""
import base64
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

# RFC 3986 §5.4.1 and §5.4.2 references, then http/https edge cases.
URL = [
    "g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x",
    "g;x?y#s", "", ".", "./", "..", "../", "../g", "../..", "../../", "../../g",
    "../../../g", "../../../../g", "/./g", "/../g", "g.", ".g", "g..", "..g",
    "./../g", "./g/.", "g/./h", "g/../h", "g;x=1/./y", "g;x=1/../y", "g?y/./x",
    "g?y/../x", "g#s/./x", "g#s/../x", "http:g",
    "http://example.com", "https://EXAMPLE.com:443/", "http://example.com:80/a/../b?q#f",
    "http://[::1]:8080/x", "https://[2001:db8::1]/", "http://[::ffff:1.2.3.4]/",
    "http://[fe80::1%25eth0]/", "http://127.0.0.1:65535/", "http://h:0/", "http://h:65536/",
    "http://user:pw@h/", "http://h/a b?c d", "http://h/\xc3\xa4\xc3\xb6", "HTTP://H/%7e%41",
    "http://a..b/", "http://-h/", "http://h_1.example/", "http://1.2.3/", "http://0x7f.1/",
    "http://h:/p", "http:///p", "http:/p", "ftp://h/f", "  http://h/  ", "http://h\t/x",
    "http://h/?#", "http://h/%zz%", "https://h/./../../a/./b/../c",
    "http://[::1", "http://]/", "http://h:8080:90/", "http://www.fluentpython.com/data/flags/cn/cn.gif",
]

CRLF = "\r\n"


def head(status, *fields, body=""):
    return status + CRLF + "".join(f + CRLF for f in fields) + CRLF + body


RESP = [
    head("HTTP/1.1 200 OK", "Content-Length: 5", "Content-Type: image/gif", body="hello"),
    head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body="5\r\nhello\r\n0\r\n\r\n"),
    head("HTTP/1.0 200 OK", "Connection: keep-alive", "Content-Length: 0"),
    head("HTTP/1.0 200 OK", body="until close"),
    head("HTTP/1.1 100 Continue") + head("HTTP/1.1 200 OK", "Content-Length: 2", body="ok"),
    head("HTTP/1.1 103 Early Hints", "Link: </s.css>") + head("HTTP/1.1 204 No Content"),
    head("HTTP/1.1 304 Not Modified", "Content-Length: 100"),
    head("HTTP/1.1 301 Moved Permanently", "Location: /new/path?x", "Content-Length: 0"),
    head("HTTP/1.1 302 Found", "Location: http://other.example/"),
    head("HTTP/1.1 206 Partial Content", "Content-Range: bytes 100-199/1000", "Content-Length: 100"),
    head("HTTP/1.1 416 Range Not Satisfiable", "Content-Range: bytes */1000"),
    head("HTTP/1.1 206 Partial Content", "Content-Range: bytes 0-9/*"),
    head("HTTP/1.1 503 Service Unavailable", "Retry-After: 120", "Content-Length: 0"),
    head("HTTP/1.1 429 Too Many Requests", "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT"),
    head("HTTP/1.1 418 I'm a Teapot", "Connection: close"),
    head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 10"),
    head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked"),
    head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
    head("HTTP/1.1 200 OK", "Content-Length: 5", "Content-Length: 6"),
    head("HTTP/1.1 200 OK", "Content-Length: 5, 5"),
    head("HTTP/1.1 200 OK", "Content-Length: -1"),
    head("HTTP/1.1 200 OK", "Content-Length: 99999999999999999999"),
    "HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
    head("HTTP/1.1 200 OK", "X-Folded: a", " b"),
    head("HTTP/1.1 200 OK", "Bad : x"),
    head("HTTP/1.1 200 OK", "Bad\x00: x"),
    "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
    head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket"),
    head("HTTP/2 200"),
    head("HTTP/1.1 200"),
    head("HTTP/1.1 099 Low"),
    head("HTTP/1.9 200 OK", "connection: Keep-Alive, Close"),
    head("HTTP/1.1 200 OK", *["X-F%d: v" % i for i in range(101)]),
    head("HTTP/1.1 200 \xc3\xa9t\xc3\xa9 ok", "Content-Type: text/plain; charset=\"utf-8\""),
    head("HTTP/1.1 307 Temporary Redirect", "Location: a", "Location: b"),
]

# Body seeds: byte 0 is the mode (fuzz_body.c): 0 chunked, 1 length (+2
# bytes LE), 2 close; 0x81 a length near 2^63-1.
CH = "\x00"
BODY = [
    CH + "5\r\nhello\r\n0\r\n\r\n",
    CH + "5;ext=1;q=\"x\"\r\nhello\r\n0\r\n\r\n",
    CH + "A\r\n0123456789\r\n0\r\nTrailer: x\r\nOther: y\r\n\r\nNEXT",
    CH + "5\nhello\n0\n\n",
    CH + "5  ;e\r\nhello\r\n0\r\n\r\n",
    CH + "ffffffffffffffff\r\n",
    CH + "7fffffffffffffff\r\n",
    CH + "00000000000000000005\r\nhello\r\n0\r\n\r\n",
    CH + "5\r\nhelloXX0\r\n\r\n",
    CH + "5\r\nhel",
    CH + "0\r\n\r",
    CH + "-5\r\nhello\r\n",
    CH + "0x5\r\nhello\r\n",
    CH + "5\r\r\nhello\r\n",
    CH + "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n",
    CH + "0;" + "e" * 5000 + "\r\n\r\n",
    "\x01\x05\x00hello",
    "\x01\x05\x00hel",
    "\x01\x00\x00",
    "\x01\x03\x00abcdef",
    "\x81\x00\x00abc",
    "\x02anything at all\r\n0\r\n",
    "\x02",
]

# Throwaway self-signed certificates made once with openssl (P-256 CA,
# RSA-1024 CA, P-384 leaf); their keys were never kept.
EC_CA = """-----BEGIN CERTIFICATE-----
MIIBkDCCATWgAwIBAgIUL6MjIeDPudpI0Ol94pK5obvlQRgwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcXVpdmVyIGZ1enogRUMgQ0EwIBcNMjYxMTI1MTYxNzMxWhgP
MjEyNjExMDExNjE3MzFaMBwxGjAYBgNVBAMMEXF1aXZlciBmdXp6IEVDIENBMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEP6O5iVmkdk2w6Av7Bq1fzpPgiwAHyXCG
GM472kqiaU7mt2cNyQonAHzthEuGg69kzRsRi0o9k8YRIlqUzs5KMKNTMFEwHQYD
VR0OBBYEFIyYOP4L6stbEU/RWV5LGkchgDvDMB8GA1UdIwQYMBaAFIyYOP4L6stb
EU/RWV5LGkchgDvDMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIh
ANCjhx+NRdMjRDG1cKtmX0OKA1qMun/d+Kw2SLWSmcC7AiEAooTxTBYLz2lYwhug
0GdMAUFxN+C3w/bG2OduzGtq4R8=
-----END CERTIFICATE-----
"""
RSA_CA = """-----BEGIN CERTIFICATE-----
MIICOjCCAaOgAwIBAgIUGohrxrKBvjTMjTD3XvJL1Bmdne0wDQYJKoZIhvcNAQEL
BQAwLjEPMA0GA1UECgwGcXVpdmVyMRswGQYDVQQDDBJxdWl2ZXIgZnV6eiBSU0Eg
Q0EwIBcNMjYxMTI1MTYxNzMxWhgPMjEyNjExMDExNjE3MzFaMC4xDzANBgNVBAoM
BnF1aXZlcjEbMBkGA1UEAwwScXVpdmVyIGZ1enogUlNBIENBMIGfMA0GCSqGSIb3
DQEBAQUAA4GNADCBiQKBgQChPDHpyRqGWdSbh/uMj7wpfvJ3tuGbo9imuWRdNSLI
0Cw1fJQWrT9y2DCSvWRz9FJZaL0doznxzFnuFMzBOT/EuEVnXjymuacG2aCUQXfx
8NO6czZtGLev7XIop76gb/Mx80kMayzRtv+pwacfGKnXofaZrr+w5Ekg6462ZVAW
rQIDAQABo1MwUTAdBgNVHQ4EFgQUmps3RjqRpVFUW20Gec22Tm2lowcwHwYDVR0j
BBgwFoAUmps3RjqRpVFUW20Gec22Tm2lowcwDwYDVR0TAQH/BAUwAwEB/zANBgkq
hkiG9w0BAQsFAAOBgQA/5tgWDKPTtu/t1tdg3H9zW6jkXEJP5m9cc4VEx0MnExod
hF8nAI+ZgnDxYrUD1XJgQyQ9g0HaWqBCdxUC7XPH2d5vBiLlZOPyQB/Az1f7YVIK
0Q2zkkYkRNYrXlQXl7zrsAzbIDCujabAur6iVHXR+3ZWAfyINP+e7MDvTm5mJQ==
-----END CERTIFICATE-----
"""
LEAF = """-----BEGIN CERTIFICATE-----
MIIBvTCCAUKgAwIBAgIUfdVy5KTi8RO4m54WjipUC++Z0cUwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMbGVhZi5leGFtcGxlMCAXDTI2MTEyNTE2MTczMVoYDzIxMjYx
MTAxMTYxNzMxWjAXMRUwEwYDVQQDDAxsZWFmLmV4YW1wbGUwdjAQBgcqhkjOPQIB
BgUrgQQAIgNiAARj5KOOKxyYV0PoieNk1tZojF29NdIBG40tVKnmSA0QF97jOwMQ
/itV+lils/H1kL6Eizmu4oVkLiXdn0cH5YNTb3NSJ/o+IO4gRAOVNtM36aLEbcdu
XllOGyOqxA3JhCGjTTBLMB0GA1UdDgQWBBRX5+YGFmj/LdK+J2y//AY6TRB18jAf
BgNVHSMEGDAWgBRX5+YGFmj/LdK+J2y//AY6TRB18jAJBgNVHRMEAjAAMAoGCCqG
SM49BAMCA2kAMGYCMQCe0KYsMpFIPlcTzhqupCOF18O19YPU5R/fybk87SqtxXBI
osGbOmZGGFFbkzfHqEsCMQD7X4nQgYkDuWpwMVAnVALmT8QNNFDrXz3bTtylH8H1
WGATYklsKyKsKAGM0b0hgPw=
-----END CERTIFICATE-----
"""
# Self-signed, SAN DNS:127.0.0.1, IP:127.0.0.1, IP:::1, IP:192.0.2.1 (fuzz_cert).
IP_LEAF = """-----BEGIN CERTIFICATE-----
MIIBvDCCAWKgAwIBAgIUWk89AiWfV8qr5LgSt19MuNM84lswCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOcXVpdmVyIGZ1enogSVAwIBcNMjYxMjAzMTc0MTUxWhgPMjEy
NjExMDkxNzQxNTFaMBkxFzAVBgNVBAMMDnF1aXZlciBmdXp6IElQMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE1GrLbH2hc8/Jndhf+phDxvk2/VrbX0++VLfyvRNH
+7c23eZ5gtOtwOxpGv2C17E95SqIReosECrqI8PQK2INH6OBhTCBgjAdBgNVHQ4E
FgQUWUMBn5NJJpuYWSEv2aYiEIvfTmowHwYDVR0jBBgwFoAUWUMBn5NJJpuYWSEv
2aYiEIvfTmowMgYDVR0RBCswKYIJMTI3LjAuMC4xhwR/AAABhxAAAAAAAAAAAAAA
AAAAAAABhwTAAAIBMAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0EAwIDSAAwRQIgDlg3
ri+9jwL6F3fhrncX8hHGaKvvHNr2ugRYsW4D1qgCIQCitd3fadPuwrrJ9HWGkFZg
Iw6fsQp/SGHFCvb9EgLDPg==
-----END CERTIFICATE-----
"""


def der_of(pem):
    body = "".join(l for l in pem.splitlines() if not l.startswith("-----"))
    return base64.b64decode(body).decode("latin-1")


def rebanner(pem, name):
    return pem.replace("CERTIFICATE-----", name + "-----")


PEM = [
    EC_CA, RSA_CA, LEAF, EC_CA + RSA_CA, EC_CA + EC_CA, der_of(EC_CA), der_of(RSA_CA)[:300],
    EC_CA.replace("\n", "\r\n"), EC_CA.rstrip("\n"),
    "subject=/CN=quiver fuzz EC CA\n# comment\n" + EC_CA + "trailing text\n",
    EC_CA[:200], EC_CA[:100] + "*" + EC_CA[101:],
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + EC_CA,
    rebanner(EC_CA, "TRUSTED CERTIFICATE"), rebanner(RSA_CA, "X509 CERTIFICATE"), "",
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    EC_CA.replace("END CERTIFICATE", "END CRL"), EC_CA.replace("=\n-----END", "\n-----END"),
]

# cert seeds: DER certificates, whole and cut (fuzz_cert.c; its input ends
# with the address looked for, so a few seeds end with one).
CERT = [
    der_of(EC_CA), der_of(RSA_CA), der_of(LEAF), der_of(IP_LEAF), der_of(IP_LEAF)[:200],
    der_of(IP_LEAF) + "\x7f\x00\x00\x01", der_of(IP_LEAF) + "\xc0\x00\x02\x01",
    der_of(LEAF)[:-1], "",
]

# skey seeds: the unit-test keys (PKCS#8) and the PKCS#1 / RFC 5915 keys
# inside them (fuzz_skey.c); the EC one also with its [0] curve added.
def _tlv(der, at):
    """(tag, value start, value end) of the DER element at offset at."""
    n = der[at + 1]
    if n < 0x80:
        return der[at], at + 2, at + 2 + n
    k = n & 0x7F
    ln = int.from_bytes(der[at + 2:at + 2 + k], "big")
    return der[at], at + 2 + k, at + 2 + k + ln


def _inner_key(der):
    """The key inside a PKCS#8 PrivateKeyInfo: its third element's contents."""
    _, at, _ = _tlv(der, 0)
    for _ in range(2):
        at = _tlv(der, at)[2]
    _, s, e = _tlv(der, at)
    return der[s:e]


def _key_der(name):
    with open(os.path.join(HERE, "..", "data", "tls", name)) as f:
        body = "".join(l for l in f.read().splitlines() if not l.startswith("-----"))
    return base64.b64decode(body)


def _with_curve(ec):
    """RFC 5915 key ec with [0] prime256v1 added after its private key."""
    p256 = bytes.fromhex("a00a06082a8648ce3d030107")
    _, s, e = _tlv(ec, 0)
    body = ec[s:e]
    _, ks, ke = _tlv(body, 3)  # version is 3 bytes; then the OCTET STRING
    body = body[:ke] + p256 + body[ke:]
    return bytes([0x30, len(body)]) + body


SKEY = [_key_der("rsa.key"), _key_der("ec.key"), _inner_key(_key_der("rsa.key")),
        _inner_key(_key_der("ec.key")), _with_curve(_inner_key(_key_der("ec.key"))),
        _key_der("rsa.key")[:100], b""]
SKEY = [k.decode("latin-1") for k in SKEY]

# flags2 seeds: arguments separated by NUL bytes (fuzz_flags2.c).
FLAGS2 = ["\0".join(a.split(" ")) if a else "" for a in [
    "", "-h", "--help", "-a", "-e -l 10", "-e --limit=3", "-m 1000 --engine threads",
    "--max_req=7 --engine seq", "--max-req 0", "-s DELAY", "-s error", "-sREMOTE",
    "-s http://localhost:8000/flags/", "--server=https://[::1]:8443/flags", "-s ftp://x/",
    "-s nolabel", "-v -o dir", "-vo dir", "--output-dir=", "--timeout 3.1", "--timeout 0",
    "--progress bar", "--progress=loud", "-k --cacert /etc/ssl/cert.pem", "B CN us",
    "-al5", "-- -a", "-", "-x", "--unknown", "--max_req", "-m -5", "-l abc", "--limit=0",
    "-l 99999999999999999999", "--engine=poll", "--engine=fast", "--every --all",
    "--help=1", "-hv", "z zz ZZZ", "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z",
]]

# get seeds: arguments separated by NUL bytes (fuzz_get.c); every numeric
# option at and past its limits, 2^64 + 4, signs, blanks, hex, the spellings.
GET = ["\0".join(a.split(" ")) if a else "" for a in [
    "", "-h", "http://h/x", "-j 8 http://h/x", "-j8 -qk http://h/x", "--parallel=1000 u",
    "--parallel 1001 u", "-j 0 u", "-j -1 u", "-j +1 u", "-j 0x10 u", "-j 18446744073709551620 u",
    "--per-host=6 --max-redirs=0 --retry=100 u", "--retry 101 u", "--max-redirs 1000 u",
    "--timeout 2.5 u", "--timeout=.25 u", "--timeout 0.001 u", "--timeout 0.0001 u",
    "--connect-timeout 86400 u", "--max-time 86400.001 u", "--retry-delay=1.000 u",
    "--retry-delay 1.0000 u", "--timeout 1e3 u", "--timeout -1 u", "--timeout= u",
    "--limit-rate 64k u", "--limit-rate=2M u", "--limit-rate 4294967296G u",
    "--limit-rate 4294967297G u", "--max-filesize 18446744073709551620 u",
    "--max-filesize 18446744073709551615 u", "--max-filesize 1.5M u", "--max-filesize 10T u",
    "--shard 3/16 u", "--shard 16/16 u", "--shard 0/1000000 u", "--shard 0/1000001 u",
    "--shard 18446744073709551620/16 u", "--shard auto --shards 4 u", "--shards 1000001 u",
    "-qnj 8 -- -j", "-i - -i x", "-o  u", "--engine=threads --limit-rate 1 u",
    "-H a:b -A ua --cacert f -k -L -c --fsync --skip-existing --json - u", "--progress dot u",
    "--nope u", "--quiet=1 u", "-j", "--auto-rename --allow-downgrade -O name u",
]]


def write(name, items):
    d = os.path.join(HERE, "corpus", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i, s in enumerate(items):
        data = s.encode("latin-1") if all(ord(c) < 256 for c in s) else s.encode("utf-8")
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(data)


write("url", URL)
write("resp", RESP)
write("body", BODY)
write("pem", PEM)
write("cert", CERT)
write("skey", SKEY)
write("flags2", FLAGS2)
write("get", GET)
