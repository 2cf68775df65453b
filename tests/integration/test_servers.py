"""test_servers.py - downloads from web servers other than nginx, every
engine, byte-identical: apache2 and lighttpd over HTTP and HTTPS (POP20 by
`flags` and a 3 MiB file by `get`), and a scripted server that streams a
chunked body in tiny writes (1 to 7 bytes, every chunk's size line, data
and CRLF sent apart), over HTTP and over TLS."""
import os
import random
import socket
import ssl

from qvtest import POP20, ThreadedServer, blob, check, engines, read
from servers import apache2, lighttpd
from test_tls import cert, pki


def _tree(ctx):
    www = ctx.flags_tree()
    with open(os.path.join(www, "big.bin"), "wb") as f:
        f.write(blob(3 << 20, seed=7))
    os.chmod(www, 0o755)
    return www


def _check_server(ctx, start):
    www = _tree(ctx)
    http, https = start(ctx, www, cert("good-ec"))
    for e in engines(ctx):
        for base in (http, https):
            tag = f"{e}-{base.split(':')[0]}"
            out = ctx.path(f"flags-{tag}")
            r = ctx.run("flags", "--engine", e, "--site", f"{base}/flags", "-o", out,
                        "--cacert", pki()["ca.pem"])
            check(r.code == 0 and "20 downloads in" in r.out, r)
            for cc in POP20:
                check(read(os.path.join(out, f"{cc}.gif")) ==
                      read(os.path.join(www, "flags", cc.lower(), f"{cc.lower()}.gif")), cc)
            r = ctx.run("get", "--engine", e, "-o", ctx.path(f"get-{tag}"), "--cacert",
                        pki()["ca.pem"], f"{base}/big.bin")
            check(r.code == 0, r)
            check(read(ctx.path(f"get-{tag}", "big.bin")) == read(os.path.join(www, "big.bin")))


def test_apache2_http_and_https(ctx):
    _check_server(ctx, apache2)


def test_lighttpd_http_and_https(ctx):
    _check_server(ctx, lighttpd)


class DripChunked(ThreadedServer):
    """Answers every GET with a chunked body of `body`, in tiny writes."""

    def __init__(self, body, tls=None):
        self.body = body
        self.ctx = None
        if tls:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(*tls)
        super().__init__()

    def serve(self, c):
        rng = random.Random(5)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self.ctx:
                c = self.ctx.wrap_socket(c, server_side=True)
            if self.read_head(c) is None:
                return

            def drip(b):
                i = 0
                while i < len(b):
                    k = rng.randint(1, 7)
                    c.sendall(b[i:i + k])
                    i += k

            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            pos = 0
            while pos < len(self.body):
                n = min(rng.randint(1, 300), len(self.body) - pos)
                drip(b"%x;ext=%d\r\n" % (n, n))
                drip(self.body[pos:pos + n])
                drip(b"\r\n")
                pos += n
            drip(b"0\r\nX-Trailer: done\r\n\r\n")
            if self.ctx:
                c.unwrap()
        except ssl.SSLError:
            pass
        finally:
            c.close()


def test_chunked_in_small_writes(ctx):
    body = blob(96 * 1024, seed=11)
    for tls in (None, cert("good-ec")):
        srv = DripChunked(body, tls)
        try:
            base = f"{'https://localhost' if tls else 'http://127.0.0.1'}:{srv.port}"
            for e in engines(ctx):
                out = ctx.path(f"drip-{e}-{bool(tls)}")
                r = ctx.run("get", "--engine", e, "-o", out, "--cacert", pki()["ca.pem"],
                            f"{base}/stream.bin", timeout=120)
                check(r.code == 0, r)
                check(read(os.path.join(out, "stream.bin")) == body, f"{e} tls={bool(tls)}")
        finally:
            srv.close()
