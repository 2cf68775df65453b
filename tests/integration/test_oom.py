"""test_oom.py - out of memory, curl-torture style (issue 7): quiver-asan's
test-only hook (tests/fault/hooks.c) makes the Nth allocation fail
(QV_FAULT_ALLOC=N) and counts a run's allocations (QV_FAULT_ALLOC_COUNT).

Each scenario is run once to count its allocations C, then once for EVERY N in
1..C+MARGIN (no sampling: C is 20 to 70 per scenario, so all N of all
scenarios take about 25 s).  The concurrent engines do not allocate in a fixed
order, so the Nth allocation is not the same call from run to run and C may
differ a little; MARGIN extra runs cover a run that allocates more than the
counting one.  Every run must:
  - exit 0, 1 or 2: no signal, no sanitizer report (ASan, LSan leak, UBSan);
  - when it fails, say "out of memory" (stderr, or stdout for flags3 -v), and
    never that something timed out: nothing in these runs waits that long, so
    a timeout message there is an out-of-memory error told as another one;
  - leave no .part file (get -c: only a .part that is still a prefix of the
    file, and never beside the final file), and only final files
    byte-identical to the counting run's; all of them when it exits 0;
  - for flags, count on stdout exactly the files it left.
Scenarios: `get` of 3 URLs from `quiver serve` with each engine, by address
and by name (localhost: the concurrent engines then wait on their resolver);
`get --name-by index -i LIST` (streamed) with each engine; `flags` POP20 with seq; `flags3 -v` of 6 codes with poll (metadata.json,
names); `get -c` resuming a .part with each engine; `get --json -` of a
relative redirect, a chunked body with a trailer and a 256 KiB body from a
small Python server with each engine; `get` of 3 URLs over HTTPS from `quiver
serve --tls` (a P-256 test CA made by openssl in a fraction of a second) with
each engine.
Skipped without ctx.asan (the hooks exist only in quiver-asan), and in the
release pass of the suite: it runs once, in the quiver-asan pass."""
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

import qvtest
from qvtest import POP20, Skip, check

# Runs past the counted C (see the docstring).
MARGIN = 3
# Parallel runs: the machine has 2 cores; quiver-asan runs are short and
# mostly wait on the server, so 2 at a time roughly halves the wall time.
JOBS = 2
# QV_OOM_STICKY=1 (by hand, not in `zig build test`): every allocation from
# the Nth on fails, so error paths run with no memory at all.
STICKY = os.environ.get("QV_OOM_STICKY") == "1"
SANITIZER_EXIT = getattr(qvtest, "SANITIZER_EXIT", 86)
SANITIZER_WORDS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "Sanitizer")


def asan_bin(ctx):
    """ctx.asan, in the quiver-asan pass only: the torture runs ctx.asan itself
    whatever ctx.quiver is, so once is enough (qvtest docstring)."""
    asan = getattr(ctx, "asan", None)
    if not asan:
        raise Skip("no quiver-asan, which alone has the fault hooks (it needs clang's sanitizer runtime: see the asan+ubsan skip line)")
    if not getattr(ctx, "sanitized", True):
        raise Skip("runs in the quiver-asan pass (run.py --quiver quiver-asan --quiver-asan quiver-asan)")
    return asan


def run_env(ctx, n=None, count_file=None):
    """Reports on stderr (not a log file) so the run's own check sees them."""
    e = dict(os.environ)
    e["ASAN_OPTIONS"] = f"detect_leaks=1:abort_on_error=0:exitcode={SANITIZER_EXIT}"
    e["UBSAN_OPTIONS"] = f"halt_on_error=1:print_stacktrace=1:exitcode={SANITIZER_EXIT}"
    e["LSAN_OPTIONS"] = f"exitcode={SANITIZER_EXIT}"
    for k in ("QV_FAULT_ALLOC", "QV_FAULT_ALLOC_COUNT", "QV_FAULT_ALLOC_TRACE", "QV_FAULT_ALLOC_STICKY"):
        e.pop(k, None)
    if n is not None:
        e["QV_FAULT_ALLOC"] = str(n)
        if STICKY:
            e["QV_FAULT_ALLOC_STICKY"] = "1"
    if count_file is not None:
        e["QV_FAULT_ALLOC_COUNT"] = count_file
    return e


def run_one(asan, sc, out, env):
    """Run quiver-asan with sc.argv (OUT replaced by the folder out)."""
    os.makedirs(out, exist_ok=True)
    for name, data in sc.parts.items():
        with open(os.path.join(out, name + ".part"), "wb") as f:
            f.write(data)
    argv = sc.argv
    args = [out if a == "OUT" else a for a in argv]
    p = subprocess.run([asan, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=60)
    return p


def listing(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def read_tree(d):
    out = {}
    for name in listing(d):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


class Scenario:
    def __init__(self, name, argv, want_names, flags=False, parts=None):
        self.name = name
        # get -c: {name: bytes} put in the output folder as NAME.part before
        # each run; a .part left must still be a prefix of the file
        self.parts = parts or {}
        self.argv = argv              # quiver-asan arguments; "OUT" = the output folder
        self.want_names = want_names  # the files a clean run leaves
        self.flags = flags            # `quiver flags`: stdout ends with "{k} downloads in"


def count_allocs(ctx, asan, sc):
    """The clean run: its allocation count and the files it saved."""
    work = tempfile.mkdtemp(prefix=f"oom-{sc.name}-", dir=ctx.tmp)
    cf, out = os.path.join(work, "count"), os.path.join(work, "out")
    p = run_one(asan, sc, out, run_env(ctx, count_file=cf))
    check(p.returncode == 0, f"{sc.name}: the counting run failed: exit {p.returncode}\n{p.stderr}")
    check(listing(out) == sc.want_names, f"{sc.name}: saved {listing(out)}")
    with open(cf) as f:
        count = int(f.read())
    check(count > 0, f"{sc.name}: no allocation counted (hooks not linked?)")
    return count, read_tree(out)


def check_run(sc, n, p, out, ref):
    """Every rule for the run that failed allocation n; returns the error or None."""
    where = f"{sc.name} N={n}: exit {p.returncode}"
    err = p.stderr
    if p.returncode not in (0, 1, 2):
        return f"{where} (signal or sanitizer)\n{err}"
    if any(w in err for w in SANITIZER_WORDS):
        return f"{where}, sanitizer report\n{err}"
    if p.returncode != 0 and "out of memory" not in (err + p.stdout).lower():
        return f"{where} without 'out of memory'\n{err}"
    if "timed out" in (err + p.stdout).lower():
        return f"{where}: a timeout is claimed, but nothing waited that long\n{err}"
    got = read_tree(out)
    part = [f for f in got if f.endswith(".part")]
    for f in part:
        name, data = f[:-len(".part")], got.pop(f)
        if name not in sc.parts or name in got or ref[name][:len(data)] != data:
            return f"{where} left {f} ({len(data)} bytes)\n{err}"
    for name, data in got.items():
        if name not in ref or data != ref[name]:
            return f"{where}: {name} is not the complete file ({len(data)} bytes)\n{err}"
    if p.returncode == 0 and sorted(got) != sc.want_names:
        return f"{where} but saved only {sorted(got)}\n{err}"
    if sc.flags and p.returncode != 0 and f"{len(got)} downloads in " not in p.stdout and got:
        return f"{where}: stdout does not count the {len(got)} files left\n{p.stdout}"
    return None


def torture(ctx, sc):
    """Count, then fail every N in turn; returns (C, runs, failed runs)."""
    asan = asan_bin(ctx)
    count, ref = count_allocs(ctx, asan, sc)
    base = tempfile.mkdtemp(prefix=f"oom-{sc.name}-", dir=ctx.tmp)

    def one(n):
        out = os.path.join(base, f"n{n}")
        p = run_one(asan, sc, out, run_env(ctx, n=n))
        bad = check_run(sc, n, p, out, ref)
        shutil.rmtree(out, ignore_errors=True)
        return n, p.returncode, bad

    ns = range(1, count + MARGIN + 1)
    with ThreadPoolExecutor(JOBS) as pool:
        results = list(pool.map(one, ns))
    bad = [b for _, _, b in results if b]
    failed = sum(1 for _, rc, _ in results if rc != 0)
    print(f"oom{' (sticky)' if STICKY else ''}: {sc.name}: {count} allocations, {len(results)} runs (N=1..{count + MARGIN}), "
          f"{failed} failed cleanly, {len(bad)} bad")
    check(not bad, "\n\n".join(bad[:3]))
    return count


def get_scenarios(base, extra=(), tag=""):
    urls = [f"{base}/{cc}/{cc}.gif" for cc in ("br", "cn", "fr")]
    return [Scenario(f"get-{tag}{e}",
                     ["get", "--engine", e, *extra, "-o", "OUT", *urls],
                     ["br.gif", "cn.gif", "fr.gif"]) for e in ("seq", "threads", "poll")]


def test_get_each_engine(ctx):
    asan_bin(ctx)
    base = ctx.serve()
    for sc in get_scenarios(base):
        torture(ctx, sc)


def test_get_stream_each_engine(ctx):
    """get --name-by index: the list read as it goes, jobs from the engine's
    job source, a record per job in flight."""
    asan_bin(ctx)
    base = ctx.serve()
    lst = ctx.path("urls")
    with open(lst, "w") as f:
        f.write("".join(f"{base}/{cc}/{cc}.gif\n" for cc in ("br", "cn", "fr")))
    for e in ("seq", "threads", "poll"):
        torture(ctx, Scenario(f"get-stream-{e}",
                              ["get", "--engine", e, "--name-by", "index", "-i", lst, "-o", "OUT"],
                              ["000000001.gif", "000000002.gif", "000000003.gif"]))


def test_get_by_name_each_engine(ctx):
    """The host by name: a transfer of the concurrent engines waits for the
    resolver with the connect deadline on a timer, and the allocations around
    that wait fail too."""
    asan_bin(ctx)
    base = ctx.serve().replace("://127.0.0.1:", "://localhost:")
    for sc in get_scenarios(base, tag="name-"):
        torture(ctx, sc)


def test_flags_pop20_seq(ctx):
    asan_bin(ctx)
    base = ctx.serve()
    torture(ctx, Scenario("flags-seq", ["flags", "--engine", "seq", "--site", base, "-o", "OUT"],
                          sorted(f"{cc}.gif" for cc in POP20), flags=True))


def test_get_resume_each_engine(ctx):
    """get -c with br.gif.part holding its first 100 bytes: a failure keeps
    the .part (a prefix still), a success renames the whole file over it."""
    asan = asan_bin(ctx)
    base = ctx.serve()
    ref = ctx.path("ref")
    p = run_one(asan, Scenario("ref", ["get", "-o", "OUT", f"{base}/br/br.gif"], []), ref, run_env(ctx))
    check(p.returncode == 0, p.stderr)
    with open(os.path.join(ref, "br.gif"), "rb") as f:
        head = f.read(100)
    urls = [f"{base}/{cc}/{cc}.gif" for cc in ("br", "cn")]
    for e in ("seq", "threads", "poll"):
        torture(ctx, Scenario(f"get-resume-{e}", ["get", "-c", "--engine", e, "-o", "OUT", *urls],
                              ["br.gif", "cn.gif"], parts={"br.gif": head}))


def _openssl(d, *args):
    p = subprocess.run(["openssl", *args], cwd=d, capture_output=True, text=True)
    check(p.returncode == 0, f"openssl {' '.join(args)}: {p.stderr}")


def small_pki(d):
    """A P-256 CA and a localhost certificate it signed: (ca.pem, leaf.pem, leaf.key)."""
    if shutil.which("openssl") is None:
        raise Skip("openssl not installed (apt-get install openssl)")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl(d, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=quiver oom CA",
             "-days", "3650", "-addext", "basicConstraints=critical,CA:true",
             "-addext", "keyUsage=critical,keyCertSign")
    _openssl(d, "req", "-new", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n")
    _openssl(d, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "3650", "-extfile", "ext", "-out", "leaf.pem")
    return tuple(os.path.join(d, n) for n in ("ca.pem", "leaf.pem", "leaf.key"))


def test_get_https_each_engine(ctx):
    asan_bin(ctx)
    d = ctx.path("pki")
    os.makedirs(d)
    ca, cert, key = small_pki(d)
    base = ctx.serve("--tls", "--cert", cert, "--key", key).replace("://127.0.0.1:", "://localhost:")
    for sc in get_scenarios(base, ("--cacert", ca), tag="https-"):
        torture(ctx, sc)


def test_flags3_poll(ctx):
    asan_bin(ctx)
    base = ctx.serve()
    codes = ["BR", "CN", "DE", "FR", "IN", "US"]
    names = ["Brazil.gif", "China.gif", "France.gif", "Germany.gif", "India.gif",
             "United_States_of_America.gif"]
    torture(ctx, Scenario("flags3-poll", ["flags3", "--engine", "poll", "-v", "-s", base, "-o", "OUT",
                                          *codes], names))


BIG = bytes((i * 7 + i // 251) % 256 for i in range(256 * 1024))


class Mixed(http.server.BaseHTTPRequestHandler):
    """A redirect, a chunked body with extension and trailer, a large body."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path == "/r/a.txt":
            self.send_response(302)
            self.send_header("Location", "../files/a.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/files/a.txt":
            body = b"redirected to here\n" * 50
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/c/b.txt":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")
        elif self.path == "/big/c.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BIG)))
            self.end_headers()
            self.wfile.write(BIG)
        else:
            self.send_error(404)


def test_get_redirect_chunked_big_each_engine(ctx):
    asan_bin(ctx)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mixed)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        for e in ("seq", "threads", "poll"):
            torture(ctx, Scenario(f"get-mixed-{e}",
                                  ["get", "--engine", e, "--json", "-", "-o", "OUT", f"{base}/r/a.txt",
                                   f"{base}/c/b.txt", f"{base}/big/c.bin"], ["a.txt", "b.txt", "c.bin"]))
    finally:
        srv.shutdown()
        srv.server_close()
