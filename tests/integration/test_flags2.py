"""test_flags2.py - `quiver flags2` and `quiver flags3` end to end against
`quiver serve`: the book's report, golden (with and without -v; not found,
errors, singular and plural), every engine, usage errors, flags3's country
file names and its refusal of unsafe names, and the progress bar (on a pty
only; never an escape code in a pipe)."""
import http.server
import json
import os
import pty
import re
import select
import subprocess
import threading
import time

from qvtest import POP20, check

ENGINES = ("seq", "threads", "poll")
ELAPSED = re.compile(r"^Elapsed time: \d+\.\d\ds$", re.M)


def golden(r):
    """stdout with the elapsed time masked."""
    return ELAPSED.sub("Elapsed time: X.XXs", r.out)


def engine_ok(ctx, engine):
    r = ctx.run("flags2", "--engine", engine, "-h")
    return r.code == 0


def test_default_pop20(ctx):
    base = ctx.serve()
    r = ctx.run("flags2", "-s", base, "--engine", "seq")
    check(r.code == 0 and r.err == "", r)
    check(golden(r) == f"CUSTOM site: {base}\n"
          "Searching for 20 flags: from BD to VN\n"
          "1 connection will be used.\n"
          "--------------------\n"
          " 20 flags downloaded.\n"
          "Elapsed time: X.XXs\n", r)
    check(sorted(os.listdir(ctx.path("downloaded"))) == sorted(f"{c}.gif" for c in POP20), r)


def test_verbose_not_found_singular(ctx):
    base = ctx.serve()
    r = ctx.run("flags2", "-s", base, "--engine", "seq", "-v", "zz", "BR")
    check(r.code == 0, r)
    check(golden(r) == f"CUSTOM site: {base}\n"
          "Searching for 2 flags: BR, ZZ\n"
          "1 connection will be used.\n"
          "BR OK\n"
          f"ZZ not found: {base}/zz/zz.gif\n"
          "--------------------\n"
          "  1 flag downloaded.\n"
          "  1 not found.\n"
          "Elapsed time: X.XXs\n", r)


def test_one_flag_one_connection(ctx):
    base = ctx.serve()
    r = ctx.run("flags2", "-s", base, "-m", "100", "cn")
    check(r.code == 0, r)
    check(golden(r) == f"CUSTOM site: {base}\n"
          "Searching for 1 flag: CN\n"
          "1 connection will be used.\n"
          "--------------------\n"
          "  1 flag downloaded.\n"
          "Elapsed time: X.XXs\n", r)


def test_every_limit_each_engine(ctx):
    base = ctx.serve()
    want = None
    for engine in ENGINES:
        if not engine_ok(ctx, engine):
            continue
        out = ctx.path("o-" + engine)
        r = ctx.run("flags2", "-s", base, "--engine", engine, "-e", "-l", "30", "-m", "10",
                    "-o", out)
        check(r.code == 0, r)
        conns = "1 connection will be used." if engine == "seq" else \
            "10 concurrent connections will be used."
        check(golden(r) == f"CUSTOM site: {base}\n"
              "Searching for 30 flags: from AA to BD\n"
              f"{conns}\n"
              "--------------------\n"
              " 14 flags downloaded.\n"
              " 16 not found.\n"
              "Elapsed time: X.XXs\n", r)
        files = sorted(os.listdir(out))
        check(want is None or files == want, files)
        want = files


def test_verbose_lines_in_completion_order(ctx):
    base = ctx.serve()
    for engine in ENGINES:
        if not engine_ok(ctx, engine):
            continue
        r = ctx.run("flags2", "-s", base, "--engine", engine, "-v", "-o", ctx.path(engine),
                    "A")
        check(r.code == 0, r)
        lines = r.out.splitlines()
        body = lines[3:lines.index("--------------------")]
        check(len(body) == 26, r)
        codes = sorted(line[:2] for line in body)
        check(codes == [f"A{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"], r)
        for line in body:
            cc = line[:2]
            check(line == f"{cc} OK" or line == f"{cc} not found: {base}/{cc.lower()}/{cc.lower()}.gif",
                  line)
        if engine == "seq":
            check([line[:2] for line in body] == codes, "seq is in sorted order")


def test_all_codes(ctx):
    base = ctx.serve()
    r = ctx.run("flags2", "-s", base, "-a", "-m", "50")
    check(r.code == 0, r)
    check("Searching for 194 flags: from AD to ZW\n" in r.out, r)
    check("194 flags downloaded.\n" in r.out and "not found" not in r.out, r)
    check(len(os.listdir(ctx.path("downloaded"))) == 194, r)


def test_error_site(ctx):
    base = ctx.serve("--error-rate", "1", "--seed", "7")
    r = ctx.run("flags2", "-s", base, "-v", "--engine", "seq", "BR", "CN")
    check(r.code == 1, r)
    check(golden(r) == f"CUSTOM site: {base}\n"
          "Searching for 2 flags: BR, CN\n"
          "1 connection will be used.\n"
          "BR error: HTTP error 418 - I'm a Teapot\n"
          "CN error: HTTP error 418 - I'm a Teapot\n"
          "--------------------\n"
          "  0 flags downloaded.\n"
          "  2 errors.\n"
          "Elapsed time: X.XXs\n", r)
    check(not os.path.exists(ctx.path("downloaded")) or os.listdir(ctx.path("downloaded")) == [], r)


def test_error_rate_mixed(ctx):
    """Each result is classified on its own: counts add up, lines agree."""
    base = ctx.serve("--error-rate", "0.3", "--seed", "42")
    r = ctx.run("flags2", "-s", base, "-v", "-e", "-l", "100", "-m", "20")
    check(r.code in (0, 1), r)
    lines = r.out.splitlines()
    body = lines[3:lines.index("--------------------")]
    ok = sum(1 for x in body if x.endswith(" OK"))
    nf = sum(1 for x in body if " not found: " in x)
    err = sum(1 for x in body if x.endswith(" error: HTTP error 418 - I'm a Teapot"))
    check(ok + nf + err == 100 and err > 0, r)
    check(f"{ok:3d} flag{'s' if ok != 1 else ''} downloaded.\n" in r.out, r)
    check(f"{nf:3d} not found.\n" in r.out, r)
    check(f"{err:3d} error{'s' if err != 1 else ''}.\n" in r.out, r)
    check((r.code == 1) == (err > 0), r)
    check(len(os.listdir(ctx.path("downloaded"))) == ok, r)


def test_refused_is_error(ctx):
    from qvtest import free_port
    port = free_port()
    r = ctx.run("flags2", "-s", f"http://127.0.0.1:{port}/flags", "-v", "br")
    check(r.code == 1, r)
    check(f"BR error: could not connect to 127.0.0.1:{port}: Connection refused\n" in r.out, r)
    check("  0 flags downloaded.\n  1 error.\n" in r.out, r)


def test_usage_errors(ctx):
    cases = [
        (["BRA"], "*** Usage error: each CC argument must be A to Z or AA to ZZ.\n"),
        (["1"], "*** Usage error: each CC argument must be A to Z or AA to ZZ.\n"),
        (["-l", "0"], "*** Usage error: --limit N must be >= 1\n"),
        (["-l", "ten"], "*** Usage error: --limit N must be an integer, not 'ten'\n"),
        (["-m", "0"], "*** Usage error: --max_req CONCURRENT must be >= 1\n"),
        (["-m", "-5"], "*** Usage error: --max_req CONCURRENT must be >= 1\n"),
        (["-s", "NOWHERE"], "*** Usage error: --server LABEL must be one of DELAY, ERROR, LOCAL, REMOTE, or a URL\n"),
        (["-s", "ftp://x/flags"], "*** Usage error: --server URL: "),
        (["--engine", "warp"], "*** Usage error: --engine must be seq, threads or poll, not 'warp'\n"),
        (["--bogus"], "*** Usage error: unrecognized option '--bogus'\n"),
        (["-m"], "*** Usage error: option -m needs a value\n"),
        (["--progress", "x"], "*** Usage error: --progress must be bar, dot or none, not 'x'\n"),
    ]
    for cmd in ("flags2", "flags3"):
        for args, want in cases:
            r = ctx.run(cmd, *args)
            check(r.code == 2, r)
            check(r.out.startswith(want), r)
            check(f"\nusage: quiver {cmd} [-h]" in r.out, r)
            check(not os.path.exists(ctx.path("downloaded")), "nothing downloaded")


def test_help(ctx):
    for cmd in ("flags2", "flags3"):
        r = ctx.run(cmd, "--help")
        check(r.code == 0 and r.out.startswith(f"usage: quiver {cmd} "), r)
        for opt in ("--all", "--every", "--limit", "--max_req", "--server", "--verbose",
                    "--engine", "--output-dir", "--progress", "--cacert", "--insecure"):
            check(opt in r.out, f"{opt} missing from {cmd} --help")


def test_flags3_country_names(ctx):
    base = ctx.serve()
    r = ctx.run("flags3", "-s", base, "-v", "--engine", "seq", "ci", "BA", "br", "zz")
    check(r.code == 0, r)
    check(golden(r) == f"CUSTOM site: {base}\n"
          "Searching for 4 flags: BA, BR, CI, ZZ\n"
          "1 connection will be used.\n"
          f"ZZ not found: {base}/zz/metadata.json\n"
          "BA OK\n"
          "BR OK\n"
          "CI OK\n"
          "--------------------\n"
          "  3 flags downloaded.\n"
          "  1 not found.\n"
          "Elapsed time: X.XXs\n", r)
    files = sorted(os.listdir(ctx.path("downloaded")))
    check(files == sorted(["Bosnia_and_Herzegovina.gif", "Brazil.gif",
                           "C\u00f4te_d'Ivoire.gif"]), files)


def test_flags3_all_engines(ctx):
    base = ctx.serve()
    for engine in ENGINES:
        if not engine_ok(ctx, engine):
            continue
        out = ctx.path(engine)
        r = ctx.run("flags3", "-s", base, "--engine", engine, "-a", "-m", "20", "-o", out)
        check(r.code == 0 and "194 flags downloaded.\n" in r.out, r)
        check(len(os.listdir(out)) == 194, (engine, len(os.listdir(out))))


class MetaHandler(http.server.BaseHTTPRequestHandler):
    """Serves hostile metadata.json documents and a GIF for every code."""
    docs = {
        "aa": '{"country": "../../escaped"}',
        "ab": '{"country": "a/b"}',
        "ac": '{"country": ".."}',
        "ad": '{"country": "x\\u001b[2J"}',
        "ae": '{"country": "\\ud800"}',
        "af": '{"country": "Ok Land"}',
        "ag": '{"country": ' + '"' + "x" * 5000 + '"}',
        "ah": '{"country": "Truncated',
        "ai": '{"country": "S\\u00e3o \\ud83c\\udde7"}',
        "aj": '{"country": ""}',
    }

    def log_message(self, *a):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        cc = parts[-2] if len(parts) >= 2 else ""
        if parts[-1] == "metadata.json" and cc in self.docs:
            body = self.docs[cc].encode()
        elif parts[-1] == f"{cc}.gif" and cc in self.docs:
            body = b"GIF89a" + cc.encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_thread(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


def test_flags3_unsafe_names(ctx):
    srv, base = serve_thread(MetaHandler)
    try:
        out = ctx.path("sub", "out")
        r = ctx.run("flags3", "-s", base, "-v", "--engine", "seq", "-o", out,
                    *sorted(MetaHandler.docs))
    finally:
        srv.shutdown()
    check(r.code == 1, r)
    lines = dict((x[:2], x[3:]) for x in r.out.splitlines()[3:] if x[:2].isupper() and x[2:3] == " ")
    check(lines["AF"] == "OK" and lines["AI"] == "OK", r)
    for cc in ("AA", "AB", "AC", "AD", "AJ"):
        check(lines[cc].startswith("error: unsafe country name in metadata.json: "), (cc, r))
    check(lines["AE"].startswith("error: bad metadata.json: invalid JSON"), r)
    check(lines["AH"].startswith("error: bad metadata.json: invalid JSON"), r)
    check(lines["AG"].startswith("error: "), r)
    check(sorted(os.listdir(out)) == sorted(["Ok_Land.gif", "S\u00e3o_\U0001F1E7.gif"]),
          os.listdir(out))
    check(sorted(os.listdir(ctx.path("sub"))) == ["out"], "nothing escaped the directory")
    check("  2 flags downloaded.\n  8 errors.\n" in r.out, r)


def run_on_pty(argv, env=None, timeout=30):
    """Run argv with stderr on a pseudo-terminal; returns (code, stdout, stderr bytes)."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                         env=e)
    os.close(slave)
    err = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read()
    p.wait(timeout=5)
    os.close(master)
    return p.returncode, out.decode(), err


def test_progress_bar_on_a_tty(ctx):
    base = ctx.serve("--delay", "0.02")
    code, out, err = run_on_pty([ctx.quiver, "flags2", "-s", base, "-a", "-m", "4",
                                 "-o", ctx.path("o")], env={"TERM": "xterm", "NO_COLOR": ""})
    check(code == 0, (code, out, err))
    check(b"\r" in err and b"\x1b[K" in err and b"\x1b[32m" in err, err[:300])
    check(b"100% [" in err and b"194/194" in err, err[-300:])
    check("194 flags downloaded." in out and "\x1b" not in out, out)
    # NO_COLOR keeps the bar, drops the colour
    code, out, err = run_on_pty([ctx.quiver, "flags2", "-s", base, "B", "-o", ctx.path("p")],
                                env={"TERM": "xterm", "NO_COLOR": "1"})
    check(code == 0 and b"100% [" in err and b"\x1b[32m" not in err, err)
    # -v: lines, no bar
    code, out, err = run_on_pty([ctx.quiver, "flags2", "-s", base, "-v", "B",
                                 "-o", ctx.path("q")], env={"TERM": "xterm"})
    check(code == 0 and err == b"" and "BR OK" in out, (err, out))


def test_no_escapes_in_pipes(ctx):
    base = ctx.serve()
    for extra in ([], ["--progress", "bar"], ["--progress", "dot"]):
        r = ctx.run("flags2", "-s", base, "-a", *extra, env={"TERM": "xterm"})
        check(r.code == 0, r)
        check("\x1b" not in r.err and "\r" not in r.err and "\x1b" not in r.out, r)
    r = ctx.run("flags2", "-s", base, "-a", "--progress", "dot")
    check(r.err.startswith("." * 50 + " 50/194\n") and r.err.endswith(" 194/194\n"), r)
    r = ctx.run("flags2", "-s", base, "-a")
    check(r.err == "", r)


def test_sigint_prints_report(ctx):
    base = ctx.serve("--delay", "2")
    p = subprocess.Popen([ctx.quiver, "flags2", "-s", base, "-m", "3", "-o", ctx.path("o")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.7)
    p.send_signal(2)
    out, err = p.communicate(timeout=10)
    check(p.returncode == 130, (p.returncode, out, err))
    check(out.startswith(f"CUSTOM site: {base}\n") and "--------------------\n" in out, out)
    check("  0 flags downloaded.\n" in out and "error" not in out, out)
    check(not os.path.isdir(ctx.path("o")) or os.listdir(ctx.path("o")) == [], "no .part left")


def test_https_flags2_flags3(ctx):
    import test_tls
    base = test_tls.serve_tls(ctx, "good-ec")
    ca = test_tls.pki()["ca.pem"]
    r = ctx.run("flags2", "-s", base, "--cacert", ca, "-v", "-o", ctx.path("o2"), "br", "zz")
    check(r.code == 0 and "BR OK\n" in r.out and f"ZZ not found: {base}/zz/zz.gif\n" in r.out, r)
    r = ctx.run("flags3", "-s", base, "--cacert", ca, "-o", ctx.path("o3"), "ci")
    check(r.code == 0 and os.listdir(ctx.path("o3")) == ["C\u00f4te_d'Ivoire.gif"], r)
    self_signed = test_tls.serve_tls(ctx, "self")
    r = ctx.run("flags2", "-s", self_signed, "--cacert", ca, "-v", "-o", ctx.path("b"), "br")
    check(r.code == 1 and "BR error: " in r.out and "  1 error.\n" in r.out, r)
    r = ctx.run("flags2", "-s", self_signed, "-k", "-o", ctx.path("k"), "br")
    check(r.code == 0 and "warning: --insecure" in r.err, r)
