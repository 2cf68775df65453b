"""test_flags.py - `quiver flags` and `quiver demo` end to end: the seed's exact
output, files byte-equal to the real flags (nginx), redirects, errors on stderr
with the run going on, usage errors, timeouts, SIGINT cleanup, and the demo."""
import os
import re
import signal
import socket
import subprocess
import threading
import time

from qvtest import POP20, check

SEED_OUT = re.compile(r"^((?:[A-Z]{2} )*)\n(\d+) downloads in (\d+\.\d\d)s\n$")


def seed_output(r):
    m = SEED_OUT.match(r.out)
    check(m is not None, f"not the seed's output: {r!r}")
    return m.group(1).split(), int(m.group(2)), float(m.group(3))


def gif_ok(path):
    with open(path, "rb") as f:
        return f.read(6) in (b"GIF87a", b"GIF89a")


# pop20_from_serve, nginx_bytes_and_redirects and failures_go_on run here
# with the default engine and in test_engines.py with `--engine E` as opts.

def pop20_from_serve(ctx, *opts, in_order=True):
    """in_order: the codes print sorted; a concurrent engine prints them in
    completion order, so only their set is checked."""
    base = ctx.serve()
    r = ctx.run("flags", *opts, "--site", base, "-o", ctx.path("out"))
    check(r.code == 0 and r.err == "", r)
    codes, count, _ = seed_output(r)
    check((codes if in_order else sorted(codes)) == sorted(POP20) and count == 20, r)
    names = sorted(os.listdir(ctx.path("out")))
    check(names == sorted(f"{cc}.gif" for cc in POP20), names)
    check(all(gif_ok(ctx.path("out", n)) for n in names), "not GIFs")


def test_pop20_from_serve(ctx):
    pop20_from_serve(ctx)


def test_default_dir_is_downloaded(ctx):
    base = ctx.serve()
    r = ctx.run("flags", "--site", base + "/", "br")
    check(r.code == 0, r)
    check(seed_output(r)[:2] == (["BR"], 1), r)
    check(gif_ok(ctx.path("downloaded", "BR.gif")), "downloaded/BR.gif")


def nginx_bytes_and_redirects(ctx, *opts):
    www = ctx.flags_tree()
    # nginx workers run as an unprivileged user: mkdtemp's 0700 would give 403
    os.chmod(ctx.tmp, 0o755)
    base = ctx.nginx(www, extra_server="location /moved/ { rewrite ^/moved/(.*)$ /flags/$1 permanent; }")
    for prefix, out in (("/flags", "direct"), ("/moved", "redirected")):
        r = ctx.run("flags", *opts, "--site", base + prefix, "-o", ctx.path(out))
        check(r.code == 0, r)
        check(seed_output(r)[1] == 20, r)
        for cc in POP20:
            with open(ctx.path(out, f"{cc}.gif"), "rb") as got, \
                    open(os.path.join(www, "flags", cc.lower(), f"{cc.lower()}.gif"), "rb") as want:
                check(got.read() == want.read(), f"{out}/{cc}.gif differs")


def test_nginx_bytes_and_redirects(ctx):
    nginx_bytes_and_redirects(ctx)


def failures_go_on(ctx, *opts):
    base = ctx.serve()
    r = ctx.run("flags", *opts, "--site", base, "-o", ctx.path("out"), "ZZ", "cn", "QQ")
    check(r.code == 1, r)
    codes, count, _ = seed_output(r)
    check(codes == ["CN"] and count == 1, r)
    check("QQ error: HTTP error 404 - Not Found\n" in r.err, r)
    check("ZZ error: HTTP error 404 - Not Found\n" in r.err, r)
    check(os.listdir(ctx.path("out")) == ["CN.gif"], os.listdir(ctx.path("out")))


def test_failures_go_on(ctx):
    failures_go_on(ctx)


def test_refused_and_https(ctx):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = ctx.run("flags", "--site", f"http://127.0.0.1:{port}/flags", "-o", ctx.path("o"), "cn")
    check(r.code == 1 and seed_output(r)[1] == 0, r)
    check(f"CN error: could not connect to 127.0.0.1:{port}: Connection refused" in r.err, r)
    r = ctx.run("flags", "-o", ctx.path("o"), "cn")  # the default https site
    check(r.code == 1, r)
    check(r.err.startswith("CN error: "), r)


def silent_server(ctx, partial=False):
    """A server that accepts and reads but never answers (or sends a head and 6
    of 1000 body bytes when partial).  Returns its port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    conns = []

    def loop():
        ls.settimeout(10)
        try:
            while True:
                c, _ = ls.accept()
                conns.append(c)
                c.recv(4096)
                if partial:
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nGIF89a")
        except OSError:
            pass

    threading.Thread(target=loop, daemon=True).start()
    ctx.procs.append(_Closer(ls, conns))
    return ls.getsockname()[1]


class _Closer:
    """Looks like a Popen to Ctx.close(): closes the sockets."""

    def __init__(self, ls, conns):
        self.ls, self.conns = ls, conns

    def poll(self):
        for c in self.conns + [self.ls]:
            c.close()
        return 0


def test_read_timeout_message(ctx):
    port = silent_server(ctx)
    r = ctx.run("flags", "--site", f"http://127.0.0.1:{port}/flags", "-o", ctx.path("o"),
                "--timeout", "0.3", "cn", "us", timeout=20)
    check(r.code == 1, r)
    for cc in ("CN", "US"):
        check(f"{cc} error: read timed out after 0.3s (no data from 127.0.0.1:{port})\n" in r.err, r)
    check(0.55 < r.secs < 5, r)


def test_sigint_removes_part(ctx):
    port = silent_server(ctx, partial=True)
    out = ctx.path("o")
    p = subprocess.Popen([ctx.quiver, "flags", "--site", f"http://127.0.0.1:{port}/flags", "-o", out,
                          "cn", "us"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not os.path.exists(os.path.join(out, "CN.gif.part")):
        time.sleep(0.02)
    check(os.path.exists(os.path.join(out, "CN.gif.part")), "no .part appeared")
    p.send_signal(signal.SIGINT)
    o, e = p.communicate(timeout=5)
    check(p.returncode == 130, f"exit {p.returncode}\n{o}\n{e}")
    check(os.listdir(out) == [], os.listdir(out))
    check(re.match(r"^\n0 downloads in \d+\.\d\ds\n$", o) is not None, o)


def test_usage_errors(ctx):
    for args, why in ((["-w", "0"], "-w/--workers wants a number from 1 to 1000, not '0'"), (["--nope"], "unknown option '--nope'"),
                      (["--engine", "warp"], "unknown engine 'warp'"),
                      (["--site", "ftp://x/flags"], "bad --site"), (["--site", "nothing"], "bad --site"),
                      (["USA"], "invalid country code 'USA'"), (["--timeout", "0"], "--timeout wants seconds from 0.001"),
                      (["-w"], "needs a value")):
        r = ctx.run("flags", *args)
        check(r.code == 2 and r.out == "", r)
        first = r.err.splitlines()[0]
        check(first.startswith("quiver flags: ") and why in first, r)
        check("usage: quiver flags" in r.err, r)
    r = ctx.run("flags", "--help")
    check(r.code == 0 and r.out.startswith("usage: quiver flags"), r)


def test_unavailable_engine_is_clear(ctx):
    for engine in ("threads", "poll"):
        r = ctx.run("flags", "--engine", engine, "--site", "http://127.0.0.1:9/flags", "-o", ctx.path("o"), "cn")
        if "not available" in r.err:
            check(r.code == 2 and f"engine '{engine}' is not available yet" in r.err, r)


def test_demo(ctx):
    r = ctx.run("demo", "--delay", "0", timeout=60)
    check(r.code == 0, r)
    check(r.out.startswith("flag server: http://127.0.0.1:"), r)
    check("\nseq:\n" in r.out, r)
    body = r.out.split("\nseq:\n", 1)[1]
    check(re.match(r"((?:[A-Z]{2} ){20})\n20 downloads in \d+\.\d\ds\n", body) is not None, r)
    check(re.search(r"^seq +1 +\d+\.\d\d +1\.00x$", r.out, re.M) is not None, r)
    r = ctx.run("demo", "--engine", "warp")
    check(r.code == 2 and "unknown engine" in r.err, r)
