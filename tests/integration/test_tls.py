"""test_tls.py - HTTPS end to end: a test CA and server certificates made with
openssl at test time (RSA 2048 and EC P-256; valid, expired, not yet valid,
wrong host, self-signed, unknown CA), then `quiver flags` against nginx,
`openssl s_server` and `quiver serve --tls`: POP20 (and all 194 flags from
nginx) byte-identical with each engine, each bad certificate refused with its
own message and no file written, -k, IP-literal hosts (iPAddress entries,
127.0.0.1 and ::1), no cipher suite in common, TLS 1.3 only servers, session
resumption, close_notify vs truncation (a Python ssl server that closes with
or without unwrap), the stale keep-alive retry over TLS, and
`quiver demo --tls`."""
import atexit
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time

from qvtest import POP20, Skip, check, country_codes, engines, free_port, wait_port
from testca import TestCA

# One PKI per test run (making RSA keys takes a while); removed at exit.
_PKI = {}


def pki():
    """Paths of the test PKI: {name: path}; certificates are NAME.pem, keys NAME.key."""
    if _PKI:
        return _PKI
    if shutil.which("openssl") is None:
        raise Skip("openssl not installed (apt-get install openssl)")
    d = tempfile.mkdtemp(prefix="qvtls-")
    os.chmod(d, 0o755)  # nginx workers read nothing here, but the master must
    atexit.register(shutil.rmtree, d, True)
    ca = TestCA(d)
    for key, alg in (("ca", "rsa"), ("other", "rsa"), ("rsa", "rsa"), ("ec", "ec")):
        ca.key(key, alg)
    ca.ca("ca", "quiver test CA")
    ca.ca("other", "quiver unknown CA")

    def leaf(name, key, start=None, end=None, san="DNS:localhost", issuer="ca", cn="quiver test server"):
        ca.leaf(name, key, ca=issuer, cn=cn, san=san, dates=(start, end) if start else None)

    leaf("good-rsa", "rsa")
    leaf("good-ec", "ec")
    leaf("expired", "rsa", "20100101000000Z", "20110101000000Z")
    leaf("notyet", "ec", "21000101000000Z", "21100101000000Z")
    leaf("wronghost", "rsa", san="DNS:wrong.test")
    leaf("unknown", "rsa", issuer="other")
    leaf("ip", "ec", san="DNS:localhost, IP:127.0.0.1, IP:::1")
    leaf("dnsip", "ec", san="DNS:127.0.0.1, DNS:::1", cn="127.0.0.1")
    ca.self_signed("self", "rsa", days=3650)
    for name in os.listdir(d):
        os.chmod(os.path.join(d, name), 0o644)
        _PKI[name] = os.path.join(d, name)
    return _PKI


def cert(name):
    p = pki()
    return p[f"{name}.pem"], p[f"{name}.key"]


def https_localhost(url):
    return url.replace("://127.0.0.1:", "://localhost:")


def check_pop20(ctx, out, www, r):
    check(r.code == 0, r)
    check(r.out.strip().endswith("s") and "20 downloads in" in r.out, r)
    for cc in POP20:
        with open(os.path.join(out, f"{cc}.gif"), "rb") as f:
            got = f.read()
        with open(os.path.join(www, "flags", cc.lower(), f"{cc.lower()}.gif"), "rb") as f:
            want = f.read()
        check(got == want, f"{cc}.gif differs ({len(got)} vs {len(want)} bytes)")


def s_server(ctx, name, *opts, www=None):
    """openssl s_server -WWW on a free port serving www; returns the base URL."""
    port = free_port()
    c, k = cert(name)
    p = ctx.spawn(["openssl", "s_server", "-quiet", "-WWW", "-accept", f"127.0.0.1:{port}", "-cert", c,
                   "-key", k, *opts], cwd=www or ctx.tmp, stdin=subprocess.DEVNULL,
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, p)
    return f"https://localhost:{port}/flags"


def serve_tls(ctx, name, *args):
    c, k = cert(name)
    url = ctx.serve("--tls", "--cert", c, "--key", k, *args)
    check(url.startswith("https://localhost:"), url)
    return url


# ---- good servers: the 20 flags, byte for byte ----

def _nginx_pop20(ctx, name):
    www = ctx.flags_tree()
    base = https_localhost(ctx.nginx(www, tls=cert(name)))
    for engine in ("seq", "threads", "poll"):
        out = ctx.path(f"out-{engine}")
        r = ctx.run("flags", "--engine", engine, "--site", f"{base}/flags", "-o", out,
                    "--cacert", pki()["ca.pem"])
        check_pop20(ctx, out, www, r)


def test_nginx_rsa_pop20(ctx):
    _nginx_pop20(ctx, "good-rsa")


def test_nginx_ecdsa_pop20(ctx):
    _nginx_pop20(ctx, "good-ec")


def test_nginx_all_194_flags(ctx):
    """Every flag of flags.zip over HTTPS from nginx, with each engine."""
    ctx.need("flags")
    codes = country_codes()
    check(len(codes) == 194, len(codes))
    www = ctx.flags_tree()
    base = https_localhost(ctx.nginx(www, tls=cert("good-ec")))
    for engine in ("seq", "threads", "poll"):
        out = ctx.path(f"out-{engine}")
        r = ctx.run("flags", "--engine", engine, "--site", f"{base}/flags", "-o", out,
                    "--cacert", pki()["ca.pem"], *codes, timeout=300)
        check(r.code == 0 and r.err == "", f"{engine}: {r}")
        check(r.out.endswith("s\n") and "\n194 downloads in " in r.out, f"{engine}: {r}")
        check(len(os.listdir(out)) == 194, f"{engine}: {len(os.listdir(out))} files")
        for cc in codes:
            with open(os.path.join(out, f"{cc}.gif"), "rb") as got, \
                    open(os.path.join(www, "flags", cc.lower(), f"{cc.lower()}.gif"), "rb") as want:
                check(got.read() == want.read(), f"{engine}: {cc}.gif differs")


def test_s_server_tls12_pop20(ctx):
    www = ctx.flags_tree()
    base = s_server(ctx, "good-rsa", "-tls1_2", www=www)
    out = ctx.path("out")
    r = ctx.run("flags", "--site", base, "-o", out, "--cacert", pki()["ca.pem"])
    check_pop20(ctx, out, www, r)


def test_serve_tls_pop20(ctx):
    www = ctx.flags_tree()
    for name in ("good-rsa", "good-ec"):
        base = serve_tls(ctx, name, "--dir", os.path.join(www, "flags"))
        out = ctx.path(f"out-{name}")
        r = ctx.run("flags", "--site", base, "-o", out, "--cacert", pki()["ca.pem"])
        check_pop20(ctx, out, www, r)


def test_ssl_cert_file_and_dir(ctx):
    base = serve_tls(ctx, "good-ec")
    r = ctx.run("flags", "--site", base, "-o", ctx.path("a"), "CN", env={"SSL_CERT_FILE": pki()["ca.pem"]})
    check(r.code == 0 and os.path.exists(ctx.path("a", "CN.gif")), r)
    # SSL_CERT_DIR as OpenSSL reads it: HASH.N names made by `openssl rehash`
    cadir = ctx.path("cadir")
    os.makedirs(cadir)
    shutil.copy(pki()["ca.pem"], cadir)
    with open(os.path.join(cadir, "README"), "w") as f:
        f.write("not a certificate\n")
    r = ctx.run("flags", "--site", base, "-o", ctx.path("b"), "CN",
                env={"SSL_CERT_FILE": "", "SSL_CERT_DIR": cadir})
    check(r.code == 1 and "no CA certificates named by hash (HASH.0) in SSL_CERT_DIR=" in r.err, r)
    p = subprocess.run(["openssl", "rehash", cadir], capture_output=True, text=True)
    check(p.returncode == 0, p.stderr)
    r = ctx.run("flags", "--site", base, "-o", ctx.path("c"), "CN",
                env={"SSL_CERT_FILE": "", "SSL_CERT_DIR": cadir})
    check(r.code == 0 and os.path.exists(ctx.path("c", "CN.gif")), r)


def test_hashed_cert_dir_reads_only_the_issuer(ctx):
    """A hashed SSL_CERT_DIR is read by the issuer's name hash: a directory
    holding the CA and 300 other certificates' links, all but the CA's
    unreadable (mode 000 makes no difference to root, so they are FIFOs:
    opening one would block), still verifies."""
    base = serve_tls(ctx, "good-ec")
    cadir = ctx.path("hashed")
    os.makedirs(cadir)
    shutil.copy(pki()["ca.pem"], cadir)
    p = subprocess.run(["openssl", "rehash", cadir], capture_output=True, text=True)
    check(p.returncode == 0, p.stderr)
    for i in range(300):
        os.mkfifo(os.path.join(cadir, f"{i:08x}.0"))
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "CN", "BR",
                env={"SSL_CERT_FILE": "", "SSL_CERT_DIR": cadir}, timeout=20)
    check(r.code == 0 and sorted(os.listdir(ctx.path("out"))) == ["BR.gif", "CN.gif"], r)


# ---- bad certificates: one message each, nothing written ----

BAD = {
    "expired": "CN error: certificate expired on 2011-01-01 [BR_ERR_X509_EXPIRED]",
    "notyet": "CN error: certificate not yet valid (valid from 2100-01-01) [BR_ERR_X509_EXPIRED]",
    "wronghost": "CN error: certificate does not match host localhost [BR_ERR_X509_BAD_SERVER_NAME]",
    "self": "CN error: certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]",
    "unknown": "CN error: certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]",
}


def test_bad_certificates_rejected(ctx):
    for name, msg in BAD.items():
        base = serve_tls(ctx, name)
        out = ctx.path(f"out-{name}")
        r = ctx.run("flags", "--site", base, "-o", out, "--cacert", pki()["ca.pem"], "CN")
        check(r.code == 1, f"{name}: {r}")
        check(msg in r.err, f"{name}: want {msg!r}: {r}")
        check(os.listdir(out) == [], f"{name}: files written: {os.listdir(out)}")


def test_insecure_accepts_with_warning(ctx):
    for name in ("self", "expired", "wronghost"):
        base = serve_tls(ctx, name)
        out = ctx.path(f"out-{name}")
        r = ctx.run("flags", "--site", base, "-o", out, "-k", "CN", "BR")
        check(r.code == 0, f"{name}: {r}")
        check("warning: --insecure: TLS certificates are not verified" in r.err, r)
        check(sorted(os.listdir(out)) == ["BR.gif", "CN.gif"], os.listdir(out))
    r = ctx.run("flags", "--site", base.replace("localhost", "127.0.0.1"), "-o", ctx.path("ip"), "--insecure", "CN")
    check(r.code == 0, r)


# ---- IP-literal hosts: subjectAltName iPAddress entries, no SNI ----

def _nginx_v6(ctx, www, name):
    """nginx with certificate name on 127.0.0.1 and [::1] (same port); returns the port."""
    try:
        socket.socket(socket.AF_INET6).close()
        socket.getaddrinfo("::1", 0)
    except OSError:
        raise Skip("no IPv6 loopback (::1)")
    return ctx.nginx(www, tls=cert(name), v6=True).rsplit(":", 1)[1]


def test_ip_literal_verified_every_engine(ctx):
    """A certificate holding IP:127.0.0.1 and IP:::1 verifies https://127.0.0.1:P/
    and https://[::1]:P/ without -k, in every engine."""
    www = ctx.flags_tree()
    port = _nginx_v6(ctx, www, "ip")
    for host in ("127.0.0.1", "[::1]"):
        for engine in engines(ctx):
            out = ctx.path(f"out-{engine}-{host.strip('[]').replace(':', '_')}")
            urls = [f"https://{host}:{port}/flags/{cc}/{cc}.gif" for cc in ("cn", "br")]
            r = ctx.run("get", "--engine", engine, "-q", "-o", out, "--cacert", pki()["ca.pem"], *urls)
            check(r.code == 0 and r.err == "", f"{host} {engine}: {r}")
            for cc in ("cn", "br"):
                with open(os.path.join(out, f"{cc}.gif"), "rb") as got, \
                        open(os.path.join(www, "flags", cc, f"{cc}.gif"), "rb") as want:
                    check(got.read() == want.read(), f"{host} {engine}: {cc}.gif differs")


def test_ip_literal_refused_by_name(ctx):
    """A certificate without the address as an iPAddress entry is refused by
    name, even when a DNS name (and the CN) spell the address: no fallback."""
    www = ctx.flags_tree()
    ports = {}
    for name in ("good-ec", "dnsip"):
        ports[name] = port = _nginx_v6(ctx, www, name)
        for host, shown in (("127.0.0.1", "127.0.0.1"), ("[::1]", "::1")):
            out = ctx.path(f"out-{name}-{shown.replace(':', '_')}")
            r = ctx.run("get", "-o", out, "--cacert", pki()["ca.pem"], f"https://{host}:{port}/flags/cn/cn.gif")
            check(r.code == 1, f"{name} {host}: {r}")
            check(f"certificate does not match IP address {shown} [BR_ERR_X509_BAD_SERVER_NAME]" in r.err,
                  f"{name} {host}: {r}")
            check(not os.path.exists(out) or os.listdir(out) == [], f"{name} {host}: files written")
    # the same server by its DNS name: verified
    r = ctx.run("get", "-o", ctx.path("by-name"), "--cacert", pki()["ca.pem"],
                f"https://localhost:{ports['good-ec']}/flags/cn/cn.gif")
    check(r.code == 0, r)


def test_missing_cacert_is_one_clear_error(ctx):
    base = serve_tls(ctx, "good-rsa")
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", ctx.path("nope.pem"))
    check(r.code == 1, r)
    check(f"quiver flags: --cacert: cannot read {ctx.path('nope.pem')}: No such file or directory" in r.err, r)
    check(r.err.count("cannot read") == 1, r)


def test_no_shared_cipher_named(ctx):
    """A server with no suite quiver offers: RSA key exchange only (TLS 1.2),
    or finite-field DHE only for TLS 1.2 beside TLS 1.3: the message names
    the likely cause."""
    want = ("CN error: handshake failure: server sent alert handshake_failure (40), likely no cipher suite "
            "in common: quiver offers TLS 1.2 with ECDHE and AES-GCM or ChaCha20, the server may require "
            "RSA key exchange or TLS 1.3 [BR_ERR_RECV_FATAL_ALERT]")
    for opts in (("-tls1_2", "-cipher", "AES128-GCM-SHA256"), ("-cipher", "DHE-RSA-AES256-GCM-SHA384")):
        base = s_server(ctx, "good-rsa", *opts)
        r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", pki()["ca.pem"], "CN")
        check(r.code == 1, f"{opts}: {r}")
        check(want in r.err, f"{opts}: {r}")


def test_x25519_offered_first(ctx):
    """The ClientHello lists X25519 first (BearSSL 0.6 lists it last), so a
    server that follows the client's order (OpenSSL's default) picks it."""
    port = free_port()
    c, k = cert("good-ec")
    p = ctx.spawn(["openssl", "s_server", "-quiet", "-www", "-tls1_2", "-accept", f"127.0.0.1:{port}",
                   "-cert", c, "-key", k], cwd=ctx.tmp, stdin=subprocess.DEVNULL,
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, p)
    out = ctx.path("out")
    r = ctx.run("get", "-q", "-o", out, "-O", "page.txt", "--cacert", pki()["ca.pem"], f"https://localhost:{port}/")
    check(r.code == 0, r)
    with open(os.path.join(out, "page.txt")) as f:
        page = f.read()
    check("Supported groups: x25519:secp256r1:secp384r1:secp521r1" in page, page[-600:])


def test_tls13_only_server(ctx):
    base = s_server(ctx, "good-rsa", "-tls1_3")
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", pki()["ca.pem"], "CN")
    check(r.code == 1, r)
    check("CN error: server requires TLS 1.3 (unsupported)" in r.err, r)


# ---- resumption: nginx says whether each connection resumed ----

def test_session_resumption(ctx):
    root = ctx.path("root")
    os.makedirs(root)
    # a new connection per request; each answer is $ssl_session_reused ("r" or ".")
    extra = ('keepalive_timeout 0; ssl_session_cache shared:QV:1m; ssl_session_tickets off; '
             'location / { return 200 "$ssl_session_reused"; }')
    base = https_localhost(ctx.nginx(root, extra_server=extra, tls=cert("good-ec")))
    out = ctx.path("out")
    r = ctx.run("flags", "--site", f"{base}/r", "-o", out, "--cacert", pki()["ca.pem"], "BR", "CN", "IN", "US")
    check(r.code == 0, r)
    got = {}
    for cc in ("BR", "CN", "IN", "US"):
        with open(os.path.join(out, f"{cc}.gif")) as f:
            got[cc] = f.read()
    check(got == {"BR": ".", "CN": "r", "IN": "r", "US": "r"}, f"reused per flag: {got}")


# ---- close_notify: missing before the framed end is truncation ----

def _tls_script(conns):
    """A Python TLS server (ssl module, TLS 1.2) taking one connection per
    entry of conns, in order.  Each entry is (answers, close): for each
    answer it reads one request head and sends the answer (None: sends
    nothing); then close "notify" sends close_notify (unwrap) before the TCP
    close, "bare" just closes TCP.  Returns the base URL and the thread."""
    c, k = cert("good-rsa")
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sctx.load_cert_chain(c, k)
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    lsock.settimeout(10)
    port = lsock.getsockname()[1]

    def read_head(tconn):
        buf = b""
        while b"\r\n\r\n" not in buf:
            b = tconn.recv(65536)
            if not b:
                return
            buf += b
        heads[-1] += 1

    def run():
        for answers, close in conns:
            try:
                conn, _ = lsock.accept()
                heads.append(0)
                tconn = sctx.wrap_socket(conn, server_side=True)
                tconn.settimeout(5)
                for raw in answers:
                    read_head(tconn)
                    if raw is not None:
                        tconn.sendall(raw)
                if close == "notify":
                    tconn = tconn.unwrap()  # close_notify out, the peer's in
                else:
                    time.sleep(0.05)
                # SSLSocket.shutdown/close never send close_notify
                tconn.shutdown(socket.SHUT_RDWR)
                tconn.close()
            except OSError:
                break
        lsock.close()

    heads = []
    th = threading.Thread(target=run, daemon=True)
    th.heads = heads  # request heads read, per connection
    th.start()
    return f"https://localhost:{port}/flags", th


def test_truncated_without_close_notify(ctx):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 1000\r\n\r\n"
    base, th = _tls_script([([head + b"G" * 400], "bare")])
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", pki()["ca.pem"], "CN")
    th.join(10)
    check(r.code == 1, r)
    # the TLS layer sees the bare close first: the response's head + 400 bytes
    check(f"CN error: truncated: TLS connection closed without close_notify after {len(head) + 400} bytes"
          in r.err, r)
    check(os.listdir(ctx.path("out")) == [], os.listdir(ctx.path("out")))


def _flags_each_engine(ctx, conns, *args):
    """For each engine, `quiver flags --engine E ARGS` against a fresh
    _tls_script(conns) server; yields (engine, output dir, result, server
    thread), the thread joined."""
    for engine in ("seq", "threads", "poll"):
        base, th = _tls_script(conns)
        out = ctx.path(f"out-{engine}")
        r = ctx.run("flags", "--engine", engine, "--site", base, "-o", out, "--cacert", pki()["ca.pem"], *args)
        th.join(10)
        yield engine, out, r, th


CLOSE_DELIMITED = b"HTTP/1.0 200 OK\r\nContent-Type: image/gif\r\n\r\nGIF89a" + b"x" * 3000


def test_close_delimited_without_close_notify_is_truncated(ctx):
    for engine, out, r, _ in _flags_each_engine(ctx, [([CLOSE_DELIMITED], "bare")], "CN"):
        check(r.code == 1, f"{engine}: {r}")
        check(f"CN error: truncated: TLS connection closed without close_notify after {len(CLOSE_DELIMITED)} "
              "bytes (localhost:" in r.err, f"{engine}: {r}")
        check(os.listdir(out) == [], f"{engine}: {os.listdir(out)}")


def test_close_delimited_with_close_notify_is_complete(ctx):
    for engine, out, r, _ in _flags_each_engine(ctx, [([CLOSE_DELIMITED], "notify")], "CN"):
        check(r.code == 0 and r.err == "", f"{engine}: {r}")
        with open(os.path.join(out, "CN.gif"), "rb") as f:
            check(f.read() == CLOSE_DELIMITED.split(b"\r\n\r\n", 1)[1], engine)


def test_stale_pooled_tls_connection_is_retried(ctx):
    """The server answers one request, then takes the next one on the same
    connection and closes it (no close_notify, no answer): quiver retries that
    request once on a fresh connection, as for plain HTTP."""
    keep = b"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 6\r\n\r\nGIF89a"
    last = b"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 6\r\nConnection: close\r\n\r\nGIF87a"
    conns = [([keep, None], "bare"), ([last], "notify")]
    for engine, out, r, th in _flags_each_engine(ctx, conns, "-w", "1", "BR", "CN"):
        check(r.code == 0 and r.err == "", f"{engine}: {r}")
        check(sorted(os.listdir(out)) == ["BR.gif", "CN.gif"], f"{engine}: {os.listdir(out)}")
        check(th.heads == [2, 1], f"{engine}: requests per connection {th.heads}")


def test_framed_end_without_close_notify_is_fine(ctx):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
    base, th = _tls_script([([head + b"GIF89"], "bare")])
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", pki()["ca.pem"], "CN")
    th.join(10)
    check(r.code == 0, r)
    with open(ctx.path("out", "CN.gif"), "rb") as f:
        check(f.read() == b"GIF89")


def test_https_url_on_plain_http_server(ctx):
    base = https_localhost(ctx.serve()).replace("http://", "https://")
    r = ctx.run("flags", "--site", base, "-o", ctx.path("out"), "--cacert", pki()["ca.pem"], "CN")
    check(r.code == 1, r)
    check("CN error: server answered in plain HTTP, not TLS (an http:// URL?) [BR_ERR_UNSUPPORTED_VERSION]"
          in r.err, r)


# ---- quiver demo --tls: a throw-away certificate made by openssl ----

def test_demo_tls(ctx):
    if shutil.which("openssl") is None:
        raise Skip("openssl not installed (apt-get install openssl)")
    tmp = ctx.path("tmp")
    os.makedirs(tmp)
    r = ctx.run("demo", "--tls", "--delay", "0", env={"TMPDIR": tmp}, timeout=60)
    check(r.code == 0 and r.err == "", r)
    check(re.match(r"flag server: https://localhost:\d+/flags \(delay 0s per request\)\n"
                   r"certificate: throw-away self-signed EC P-256 for localhost, made now by\n"
                   rf"  \S*/openssl in {re.escape(tmp)}/quiver-demo-\w+;\n"
                   r"  the engines trust only it \(--cacert \S+/cert\.pem\), deleted at the end\n\n",
                   r.out) is not None, r)
    for engine in ("seq", "threads", "poll"):
        m = re.search(rf"\n{engine}:\n((?:[A-Z]{{2}} ){{20}})\n20 downloads in \d+\.\d\ds\n", r.out)
        check(m is not None and sorted(m.group(1).split()) == sorted(POP20), f"{engine}: {r}")
        check(re.search(rf"^{engine} +\d+ +\d+\.\d\d +\d+\.\d\dx$", r.out, re.M) is not None, r)
    check(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


def test_demo_tls_without_openssl(ctx):
    tmp = ctx.path("tmp")
    os.makedirs(tmp)
    r = ctx.run("demo", "--tls", env={"TMPDIR": tmp, "PATH": ctx.path("tmp")})
    check(r.code == 1 and r.out == "", r)
    check(r.err == "quiver demo: --tls needs openssl on PATH to make a throw-away certificate, "
          "and none was found (plain HTTP: quiver demo)\n", r)
    check(os.listdir(tmp) == [], os.listdir(tmp))


# ---- resumption across concurrent connections (issue 17) ----

def _resumed(ctx, cache):
    """100 HTTPS downloads at once, each on its own connection (nginx closes
    after one request); the server's log of $ssl_session_reused, per engine."""
    www = ctx.flags_tree()
    log = ctx.path(f"reused-{cache}.log")
    http = ("log_format reuse '$ssl_session_reused'; ssl_session_tickets off;"
            + (" ssl_session_cache shared:QV:1m;" if cache else " ssl_session_cache off;"))
    base = ctx.nginx(www, tls=cert("good-ec"), extra_http=http,
                     extra_server=f"keepalive_requests 1; access_log {log} reuse;")
    base = base.replace("://127.0.0.1:", "://localhost:")
    urls = "".join(f"{base}/flags/cn/cn.gif?{i}\n" for i in range(100))
    out = {}
    for e in engines(ctx, ("threads", "poll")):
        before = len(open(log).read().split()) if os.path.exists(log) else 0
        r = ctx.run("get", "--engine", e, "-j", "100", "--per-host", "100", "--auto-rename",
                    "--cacert", pki()["ca.pem"], "-o", ctx.path(f"r-{cache}-{e}"), "-i", "-",
                    input=urls)
        check(r.code == 0, r)
        time.sleep(0.3)  # nginx writes its log after answering
        with open(log) as f:
            marks = f.read().split()[before:]
        out[e] = (marks.count("r"), len(marks))
    return out


def test_concurrent_connections_resume(ctx):
    """With a session cache on the server, the first handshake to an origin
    goes first and the 99 others resume its session, in every engine."""
    for e, (reused, total) in _resumed(ctx, True).items():
        print(f"  resumption, nginx with a session cache, {e}: {reused} of {total} resumed")
        check(total == 100 and reused >= 99, f"{e}: {reused} of {total} resumed")


def test_no_session_cache_costs_no_more_than_one_handshake(ctx):
    """A server that keeps no sessions: every handshake is full and the run
    still completes (the waiters go on once the first handshake is done)."""
    for e, (reused, total) in _resumed(ctx, False).items():
        check(total == 100 and reused == 0, f"{e}: {reused} of {total} resumed")
