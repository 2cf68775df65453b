"""test_get.py - `quiver get` end to end: URL lists (-i with comments and
blank lines, stdin), names and clashes (refused before any download, or
--auto-rename), resume of an interrupted download (byte-identical), retry
of transient failures incl. Retry-After, --json (one valid object per URL),
--shard over a 10,000-URL list, SIGINT (exit 130, nothing partial under a
final name), --skip-existing, --max-filesize, --limit-rate, quiet, the
progress bar on a pty and never an escape code in a pipe, usage errors."""
import hashlib
import http.server
import json
import os
import signal
import subprocess
import threading
import time

from qvtest import blob, check, engines, free_port, listing, read, server_per_case


class Script:
    """What the test server does, shared with its handler threads."""

    def __init__(self):
        self.files = {}          # path -> bytes
        self.fail = {}           # path -> list of (status, headers) served first, in order
        self.cut = {}            # path -> bytes sent before closing, once
        self.slow = {}           # path -> seconds between 1 KiB chunks
        self.hits = {}           # path -> requests seen
        self.ranges = []         # Range headers seen
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script = None

    def log_message(self, *a):
        pass

    def do_GET(self):
        s = self.script
        path = self.path
        with s.lock:
            s.hits[path] = s.hits.get(path, 0) + 1
            failures = s.fail.get(path, [])
            fail = failures.pop(0) if failures else None
            cut = s.cut.pop(path, None)
            if self.headers.get("Range"):
                s.ranges.append(self.headers.get("Range"))
        if fail is not None:
            status, headers = fail
            body = b"busy\n"
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = s.files.get(path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        # a strong ETag (resumes need a validator) and If-Range honoured
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        if self.headers.get("If-Range") not in (None, etag):
            rng = None
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        delay = s.slow.get(path)
        if delay:
            for i in range(0, len(body), 1024):
                self.wfile.write(body[i:i + 1024])
                self.wfile.flush()
                time.sleep(delay)
            return
        self.wfile.write(body)


class Server:
    def __init__(self):
        self.script = Script()
        handler = type("H", (Handler,), {"script": self.script})
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.srv.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def add(self, path, data):
        self.script.files[path] = data
        return self.base + path

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


with_server = server_per_case(Server)


@with_server
def test_basic_and_json(ctx, srv):
    urls = [srv.add(f"/d/f{i}.bin", blob(1000 * i + 1, i)) for i in range(5)]
    urls.append(srv.base + "/d/missing.bin")
    for engine in engines(ctx):
        out = ctx.path("o-" + engine)
        r = ctx.run("get", "--engine", engine, "-o", out, "--json", "-", *urls)
        check(r.code == 1, r)
        records = [json.loads(line) for line in r.out.splitlines()]
        check(len(records) == 6, r)
        by_url = {rec["url"]: rec for rec in records}
        for i in range(5):
            rec = by_url[urls[i]]
            check(rec["status"] == 200 and rec["error"] is None and rec["attempts"] == 1, rec)
            check(rec["bytes"] == 1000 * i + 1 and rec["file"] == f"{out}/f{i}.bin", rec)
            check(isinstance(rec["ms"], int) and rec["ms"] >= 0, rec)
            check(read(rec["file"]) == blob(1000 * i + 1, i), rec)
        bad = by_url[urls[5]]
        check(bad["status"] == 404 and bad["error"] == "HTTP error 404 - Not Found", bad)
        check(bad["code"] == "http_status" and bad["bytes"] == 0, bad)
        check(listing(out) == [f"f{i}.bin" for i in range(5)], listing(out))
        check(f"quiver get: {urls[5]}: HTTP error 404 - Not Found\n" in r.err, r)
        check("5 files downloaded (" in r.err and "; 1 failed" in r.err, r)


@with_server
def test_input_file_comments_blanks_stdin(ctx, srv):
    a = srv.add("/a.txt", b"alpha")
    b = srv.add("/sub/b.txt", b"beta")
    with open(ctx.path("list"), "w") as f:
        f.write(f"# urls\n\n   \n{a}\n  # indented comment\n\t{b}  \r\n\n")
    r = ctx.run("get", "-i", ctx.path("list"), "-o", ctx.path("o"), "-v")
    check(r.code == 0, r)
    check(listing(ctx.path("o")) == ["a.txt", "b.txt"], r)
    check(f"{a} -> {ctx.path('o')}/a.txt (5 B in " in r.err, r)
    r = ctx.run("get", "-i", "-", "-o", ctx.path("p"), input=f"{a}\n#x\n")
    check(r.code == 0 and listing(ctx.path("p")) == ["a.txt"], r)
    r = ctx.run("get", "-i", ctx.path("nope"))
    check(r.code == 1 and "cannot open" in r.err, r)


@with_server
def test_collisions_refused_before_any_download(ctx, srv):
    u1 = srv.add("/x/data.csv", b"1")
    u2 = srv.add("/y/data.csv", b"2")
    u3 = srv.add("/z/other", b"3")
    u4 = srv.add("/z/other.part", b"4")
    r = ctx.run("get", "-o", ctx.path("o"), u1, u3, u2, u4)
    check(r.code == 2, r)
    check(f"quiver get: {u1} (argument) and {u2} (argument) both save to data.csv\n" in r.err, r)
    check(f"{u3} (argument) and {u4} (argument) both save to other\n" in r.err, r)
    check("2 output name clashes" in r.err, r)
    check(not os.path.exists(ctx.path("o")), "nothing created")
    check(sum(srv.script.hits.values()) == 0, srv.script.hits)
    r = ctx.run("get", "-o", ctx.path("o"), "--auto-rename", "--json", "-", u1, u2, u3, u4)
    check(r.code == 0, r)
    files = {json.loads(x)["url"]: json.loads(x)["file"] for x in r.out.splitlines()}
    check(files[u2].endswith("/data.1.csv") and files[u4].endswith("/other.1.part"), files)
    check(read(ctx.path("o", "data.csv")) == b"1" and read(ctx.path("o", "data.1.csv")) == b"2", r)


@with_server
def test_resume_byte_identical(ctx, srv):
    data = blob(300_000, 9)
    url = srv.add("/big.bin", data)
    srv.script.cut["/big.bin"] = 120_000
    out = ctx.path("o")
    r = ctx.run("get", "-c", "-o", out, url)
    check(r.code == 1 and "truncated" in r.err, r)
    # the .part and, beside it, the validator it is resumed with
    etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
    check(listing(out) == ["big.bin.part", "big.bin.part.meta"], listing(out))
    check(read(ctx.path("o", "big.bin.part")) == data[:120_000], "the .part holds the prefix")
    check(read(ctx.path("o", "big.bin.part.meta")) == f"If-Range: {etag}\n".encode(), "validator")
    r = ctx.run("get", "-c", "-o", out, "--json", "-", url)
    check(r.code == 0, r)
    check(srv.script.ranges == ["bytes=120000-"], srv.script.ranges)
    check(listing(out) == ["big.bin"] and read(ctx.path("o", "big.bin")) == data, "identical")
    # already complete: a .part of the whole size meets 416 bytes */N
    with open(ctx.path("o", "big.bin.part"), "wb") as f:
        f.write(data)
    with open(ctx.path("o", "big.bin.part.meta"), "w") as f:
        f.write(f"If-Range: {etag}\n")
    os.remove(ctx.path("o", "big.bin"))
    r = ctx.run("get", "-c", "-o", out, "--json", "-", url)
    check(r.code == 0 and read(ctx.path("o", "big.bin")) == data, r)
    check(json.loads(r.out)["status"] == 416 and listing(out) == ["big.bin"], r)
    # without -c a failed download leaves nothing
    srv.script.cut["/big.bin"] = 1000
    r = ctx.run("get", "-o", ctx.path("p"), url)
    check(r.code == 1 and listing(ctx.path("p")) == [], (r, listing(ctx.path("p"))))


@with_server
def test_retry_recovers(ctx, srv):
    url = srv.add("/flaky", b"finally")
    for engine in engines(ctx):
        srv.script.fail["/flaky"] = [(503, {}), (503, {})]
        out = ctx.path(engine)
        r = ctx.run("get", "--engine", engine, "--retry", "2", "--retry-delay", "0.05",
                    "-o", out, "--json", "-", url)
        check(r.code == 0, r)
        rec = json.loads(r.out)
        check(rec["attempts"] == 3 and rec["status"] == 200 and rec["error"] is None, rec)
        check(read(os.path.join(out, "flaky")) == b"finally", r)
    srv.script.fail["/flaky"] = [(503, {}), (503, {})]
    r = ctx.run("get", "--retry", "1", "--retry-delay", "0.05", "-o", ctx.path("x"),
                "--json", "-", url)
    check(r.code == 1, r)
    rec = json.loads(r.out)
    check(rec["attempts"] == 2 and rec["status"] == 503, rec)
    check(rec["error"] == "HTTP error 503 - Service Unavailable", rec)
    # a 404 is not transient: one attempt only
    r = ctx.run("get", "--retry", "3", "-o", ctx.path("y"), "--json", "-", srv.base + "/none")
    check(r.code == 1 and json.loads(r.out)["attempts"] == 1, r)


@with_server
def test_retry_after_honoured(ctx, srv):
    url = srv.add("/slowdown", b"ok")
    srv.script.fail["/slowdown"] = [(429, {"Retry-After": "1"})]
    t0 = time.monotonic()
    r = ctx.run("get", "--retry", "1", "--retry-delay", "0.01", "-o", ctx.path("o"), url)
    took = time.monotonic() - t0
    check(r.code == 0 and read(ctx.path("o", "slowdown")) == b"ok", r)
    check(took >= 0.95, f"Retry-After: 1 not honoured ({took:.2f}s)")


def test_shard_covers_each_url_once(ctx):
    urls = [f"https://example.com/data/{i}/file-{i}.bin" for i in range(10_000)]
    with open(ctx.path("urls"), "w") as f:
        f.write("\n".join(urls) + "\n")
    seen = []
    for k in range(16):
        r = ctx.run("get", "-n", "-i", ctx.path("urls"), "--shard", f"{k}/16", "-o", "out")
        check(r.code == 0, r)
        lines = r.out.splitlines()
        check(len(lines) > 400, (k, len(lines)))
        seen += [line.split("\t")[0] for line in lines]
    check(sorted(seen) == sorted(urls), "every URL in exactly one shard")
    # the documented vector: key("http://example.com/a.gif") % 16 == 10
    r = ctx.run("get", "-n", "--shard", "10/16", "http://example.com/a.gif")
    check(r.out == "http://example.com/a.gif\ta.gif\n", r)
    r = ctx.run("get", "-n", "--shard", "4/16", "http://example.com/a.gif")
    check(r.out == "", r)
    # auto: SLURM (with a non-zero TASK_MIN) and Kubernetes
    r = ctx.run("get", "-n", "-i", ctx.path("urls"), "--shard", "auto",
                env={"SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_MIN": "10",
                     "SLURM_ARRAY_TASK_COUNT": "16"})
    r2 = ctx.run("get", "-n", "-i", ctx.path("urls"), "--shard", "4/16")
    check(r.code == 0 and r.out == r2.out, r)
    r = ctx.run("get", "-n", "-i", ctx.path("urls"), "--shard", "auto", "--shards", "16",
                env={"JOB_COMPLETION_INDEX": "4"})
    check(r.code == 0 and r.out == r2.out, r)
    r = ctx.run("get", "-n", "-i", ctx.path("urls"), "--shard", "auto",
                env={"JOB_COMPLETION_INDEX": "4"})
    check(r.code == 2 and "--shards N" in r.err, r)


class SlowHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(10_000_000))
        self.end_headers()
        try:
            for _ in range(10_000):
                self.wfile.write(b"x" * 1000)
                self.wfile.flush()
                time.sleep(0.01)
        except OSError:
            pass


def sigint_run(ctx, base, out, extra):
    p = subprocess.Popen([ctx.quiver, "get", "-o", out, *extra, base + "/a.bin", base + "/b.bin"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len([f for f in listing(out) if f.endswith(".part")]) < 2:
        time.sleep(0.05)
    time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    out_text, err = p.communicate(timeout=10)
    return p.returncode, err


def test_sigint_leaves_nothing_partial(ctx):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        for engine in engines(ctx):
            out = ctx.path("o-" + engine)
            code, err = sigint_run(ctx, base, out, ["--engine", engine])
            check(code == 130, (engine, code, err))
            check(listing(out) == [], (engine, listing(out)))
            check("interrupted: 0 files downloaded" in err, err)
        out = ctx.path("keep")
        code, err = sigint_run(ctx, base, out, ["-c"])
        check(code == 130 and listing(out) == ["a.bin.part", "b.bin.part"], (code, listing(out)))
    finally:
        srv.shutdown()
        srv.server_close()


@with_server
def test_skip_existing_and_max_filesize(ctx, srv):
    a = srv.add("/a", b"new-a")
    b = srv.add("/b", b"new-b")
    big = srv.add("/big", blob(50_000))
    os.makedirs(ctx.path("o"))
    with open(ctx.path("o", "a"), "wb") as f:
        f.write(b"old-a")
    r = ctx.run("get", "--skip-existing", "-o", ctx.path("o"), "--json", "-", a, b)
    check(r.code == 0, r)
    recs = {json.loads(x)["url"]: json.loads(x) for x in r.out.splitlines()}
    check(recs[a].get("skipped") == "exists" and recs[b]["status"] == 200, recs)
    check(read(ctx.path("o", "a")) == b"old-a" and read(ctx.path("o", "b")) == b"new-b", r)
    check("1 file downloaded" in r.err and "1 skipped" in r.err, r)
    # without it, an existing file is replaced by the complete new download
    r = ctx.run("get", "-o", ctx.path("o"), a)
    check(r.code == 0 and read(ctx.path("o", "a")) == b"new-a", r)
    r = ctx.run("get", "--max-filesize", "10k", "-o", ctx.path("m"), big)
    check(r.code == 1 and "file too big" in r.err and listing(ctx.path("m")) == [], r)


@with_server
def test_limit_rate(ctx, srv):
    """--limit-rate in every engine: a paced transfer is never faster than
    its limit allows (the bucket starts empty), and not much slower."""
    url = srv.add("/r.bin", blob(120_000))
    for e in engines(ctx):
        t0 = time.monotonic()
        r = ctx.run("get", "--engine", e, "--limit-rate", "60k", "-o", ctx.path(f"o-{e}"), url)
        took = time.monotonic() - t0
        check(r.code == 0 and read(ctx.path(f"o-{e}", "r.bin")) == blob(120_000), r)
        check(1.9 <= took < 4.0, f"{e}: 120 kB at 60 KiB/s took {took:.2f}s")


@with_server
def test_limit_rate_paces_each_transfer_not_the_run(ctx, srv):
    # Bug: under the poll engine a pacing sleep held up every transfer, so
    # two paced downloads took twice as long as one.
    a = srv.add("/a.bin", blob(60_000))
    b = srv.add("/b.bin", blob(60_000))
    for e in engines(ctx, ("threads", "poll")):
        t0 = time.monotonic()
        r = ctx.run("get", "--engine", e, "--limit-rate", "30k", "-o", ctx.path(f"o-{e}"), a, b)
        took = time.monotonic() - t0
        check(r.code == 0 and read(ctx.path(f"o-{e}", "b.bin")) == blob(60_000), r)
        check(1.9 <= took < 3.2, f"{e}: two 60 kB files at 30 KiB/s each took {took:.2f}s")


@with_server
def test_limit_rate_total(ctx, srv):
    """--limit-rate-total: four transfers at once share the run's rate, so
    the run cannot be faster than the total allows, in every engine."""
    urls = [srv.add(f"/t{i}.bin", blob(40_000, seed=i)) for i in range(4)]
    for e in engines(ctx):
        t0 = time.monotonic()
        r = ctx.run("get", "--engine", e, "-j", "4", "--limit-rate-total", "80k", "-o",
                    ctx.path(f"o-{e}"), *urls)
        took = time.monotonic() - t0
        check(r.code == 0, r)
        for i in range(4):
            check(read(ctx.path(f"o-{e}", f"t{i}.bin")) == blob(40_000, seed=i))
        # 160 kB at 80 KiB/s: about 1.95 s, however the engine splits it
        check(1.8 <= took < 4.5, f"{e}: 4 x 40 kB at 80 KiB/s in all took {took:.2f}s")


@with_server
def test_quiet_and_verbose(ctx, srv):
    ok = srv.add("/ok", b"x")
    r = ctx.run("get", "-q", "-o", ctx.path("o"), ok, srv.base + "/missing")
    check(r.code == 1 and r.out == "" and r.err == "", r)
    r = ctx.run("get", "-v", "-o", ctx.path("p"), ok)
    check(r.code == 0 and f"{ok} -> {ctx.path('p')}/ok (1 B in " in r.err, r)


@with_server
def test_names_from_urls(ctx, srv):
    r = ctx.run("get", "-n", "-o", "d",
                "http://h/a/..%2F..%2Fetc%2Fpasswd", "http://h/dir/", "http://h/q?x=/y",
                "http://h/%2e%2e", "http://h/caf%C3%A9%20au%20lait.txt", "http://h/x%00y%1b",
                "http://h/a/b/../c.txt")
    check(r.code == 2 and "both save to index.html" in r.err, r)
    r = ctx.run("get", "-n", "--auto-rename", "-o", "d",
                "http://h/a/..%2F..%2Fetc%2Fpasswd", "http://h/dir/", "http://h/q?x=/y",
                "http://h/%2e%2e", "http://h/caf%C3%A9%20au%20lait.txt", "http://h/x%00y%1b",
                "http://h/a/b/../c.txt")
    check(r.code == 0, r)
    names = [line.split("\t")[1] for line in r.out.splitlines()]
    check(names == ["d/.._.._etc_passwd", "d/index.html", "d/q", "d/index.1.html",
                    "d/caf\u00e9 au lait.txt", "d/x_y_", "d/c.txt"], names)
    # -O names the one URL
    url = srv.add("/x", b"data")
    r = ctx.run("get", "-O", "renamed.dat", "-o", ctx.path("o"), url)
    check(r.code == 0 and listing(ctx.path("o")) == ["renamed.dat"], r)


@with_server
def test_destination_checked_first(ctx, srv):
    url = srv.add("/f", b"x")
    with open(ctx.path("file"), "w") as f:
        f.write("not a dir")
    r = ctx.run("get", "-o", ctx.path("file"), url)
    check(r.code == 1 and "cannot create directory" in r.err or "not a directory" in r.err, r)
    r = ctx.run("get", "-o", ctx.path("file", "sub"), url)
    check(r.code == 1, r)
    check(sum(srv.script.hits.values()) == 0, "nothing was requested")


def test_usage_errors(ctx):
    cases = [
        ([], "no URL given"),
        (["-O", "a", "http://h/1", "http://h/2"], "-O NAME needs exactly one URL"),
        (["-O", "../x", "http://h/1"], "-O wants a file name without '/'"),
        (["-j", "0", "http://h/"], "--parallel wants a number from 1 to 1000"),
        (["--parallel=abc", "http://h/"], "--parallel wants a number"),
        (["--engine", "warp", "http://h/"], "--engine wants seq, threads or poll"),
        (["--timeout", "-1", "http://h/"], "--timeout wants seconds"),
        (["--limit-rate", "fast", "http://h/"], "--limit-rate wants a size"),
        (["--progress", "fancy", "http://h/"], "--progress wants bar, dot or none"),
        (["-H", "no colon", "http://h/"], ""),
        (["-H", "X-A: b\r\nX-Evil: 1", "http://h/"], ""),
        (["--shard", "16/16", "http://h/"], "shard index 16 is not below the count 16"),
        (["--shard", "x", "http://h/"], "--shard wants K/N"),
        (["--shards", "4", "http://h/"], "--shards N goes with --shard auto"),
        (["--frobnicate", "http://h/"], "unknown option '--frobnicate'"),
        (["-q", "-v", "http://h/"], "-q and -v contradict"),
        (["ftp://h/x", "http://h/ok", "not a url"], "2 invalid URLs"),
        (["--retry"], "option --retry needs a value"),
    ]
    for args, want in cases:
        r = ctx.run("get", *args)
        check(r.code == 2, r)
        check(r.err.startswith("quiver get: ") and want in r.err, (want, r))
    r = ctx.run("get", "ftp://h/x")
    check("quiver get: argument: ftp://h/x: unsupported URL scheme" in r.err, r)
    with open(ctx.path("l"), "w") as f:
        f.write("http://h/a\n\nhttp://h:99999/b\n")
    r = ctx.run("get", "-n", "-i", ctx.path("l"))
    check(r.code == 2 and f"{ctx.path('l')}:3: http://h:99999/b: " in r.err, r)


def test_help_lists_every_option(ctx):
    r = ctx.run("get", "--help")
    check(r.code == 0, r)
    for opt in ("--input-file", "--output-dir", "--output", "--auto-rename", "--parallel",
                "--engine", "--per-host", "--location", "--max-redirs", "--connect-timeout",
                "--timeout", "--max-time", "--retry", "--retry-delay", "--continue",
                "--limit-rate", "--header", "--user-agent", "--cacert", "--insecure",
                "--allow-downgrade", "--max-filesize", "--fsync", "--skip-existing", "--json",
                "--quiet", "--verbose", "--progress", "--shard", "--shards", "--dry-run",
                "--name-by", "--summary", "0x16218a6ed172314a"):
        check(opt in r.out, f"{opt} missing from get --help")


@with_server
def test_progress_tty_and_pipe(ctx, srv):
    import test_flags2
    urls = [srv.add(f"/p{i}", blob(20_000, i)) for i in range(20)]
    for u in urls:
        srv.script.slow[u[len(srv.base):]] = 0.01
    code, out, err = test_flags2.run_on_pty([ctx.quiver, "get", "-j", "4", "-o", ctx.path("o"),
                                             *urls], env={"TERM": "xterm"})
    check(code == 0, (code, err))
    check(b"\r" in err and b"\x1b[K" in err and b"20/20" in err and b"100% [" in err, err[-400:])
    check(b"20 files downloaded" in err, err[-200:])
    r = ctx.run("get", "-j", "4", "-o", ctx.path("p"), "--progress", "bar", *urls,
                env={"TERM": "xterm"})
    check(r.code == 0 and "\x1b" not in r.err and "\r" not in r.err, r)
    check(r.err.startswith("." * 20 + " 20/20\n"), r)


@with_server
def test_custom_headers_sent(ctx, srv):
    seen = {}

    class H(Handler):
        def do_GET(self):
            seen.update(self.headers.items())
            Handler.do_GET(self)
    H.script = srv.script
    s2 = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=s2.serve_forever, daemon=True).start()
    try:
        srv.add("/h", b"x")
        url = f"http://127.0.0.1:{s2.server_address[1]}/h"
        r = ctx.run("get", "-H", "X-Test: 1", "-A", "agent/9", "-o", ctx.path("o"), url)
        check(r.code == 0, r)
        check(seen.get("X-Test") == "1" and seen.get("User-Agent") == "agent/9", seen)
    finally:
        s2.shutdown()
        s2.server_close()


@with_server
def test_fd_limit_warning(ctx, srv):
    import resource
    urls = [srv.add(f"/n{i}", b"x") for i in range(100)]

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    p = subprocess.run([ctx.quiver, "get", "-j", "100", "-o", ctx.path("o"), *urls],
                       capture_output=True, text=True, preexec_fn=low_limit, timeout=60)
    check(p.returncode == 0, p)
    check("quiver: warning: the open-file limit (ulimit -n 64) allows " in p.stderr, p.stderr)
    check(len(listing(ctx.path("o"))) == 100, "all downloaded")
    p = subprocess.run([ctx.quiver, "get", "-q", "-j", "100", "-o", ctx.path("q"), *urls],
                       capture_output=True, text=True, preexec_fn=low_limit, timeout=60)
    check(p.returncode == 0 and p.stderr == "", p)


def test_https_cacert_and_insecure(ctx):
    import test_tls
    base = test_tls.serve_tls(ctx, "good-rsa")
    urls = [f"{base}/{cc}/{cc}.gif" for cc in ("br", "cn", "fr")]
    for engine in engines(ctx):
        out = ctx.path("o-" + engine)
        r = ctx.run("get", "--engine", engine, "--cacert", test_tls.pki()["ca.pem"], "-o", out,
                    *urls)
        check(r.code == 0 and listing(out) == ["br.gif", "cn.gif", "fr.gif"], r)
    bad = test_tls.serve_tls(ctx, "self")
    r = ctx.run("get", "--cacert", test_tls.pki()["ca.pem"], "-o", ctx.path("bad"),
                "--json", "-", f"{bad}/br/br.gif")
    check(r.code == 1 and listing(ctx.path("bad")) == [], r)
    check(json.loads(r.out)["code"] == "tls_cert", r)
    r = ctx.run("get", "-k", "-o", ctx.path("k"), f"{bad}/br/br.gif")
    check(r.code == 0 and listing(ctx.path("k")) == ["br.gif"], r)
    check("quiver get: warning: --insecure: TLS certificates are not verified\n" in r.err, r)
    r = ctx.run("get", "-k", "-q", "-o", ctx.path("kq"), f"{bad}/br/br.gif")
    check(r.code == 0 and r.err == "", r)
    r = ctx.run("get", "--cacert", ctx.path("nope.pem"), "-o", ctx.path("n"), f"{base}/br/br.gif")
    check(r.code == 1 and r.err.count("cannot read") == 1, r)
