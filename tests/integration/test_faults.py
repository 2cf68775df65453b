"""test_faults.py - what the machine can do to a run (issue 7, DESIGN §5, §8):
a tiny open-file limit (ulimit -n 40, 500 transfers at -j 200: concurrency
adapts, every byte arrives), a destination that fills up (a 1 MiB tmpfs in a
private mount namespace when we may mount, and always `ulimit -f`: a clear
error naming the file, no .part, no partial final file, the rest intact), a
read-only destination (get, flags and flags2 refuse it before a single
request: /proc/self always, a chmod 0555 dir as nobody and a read-only bind
mount when root), and SIGINT/SIGTERM mid-run (exit 130, completed files
intact, no .part unless -c, where each kept .part is a true prefix of the
body).  The limit, full-disk and signal cases run with every engine."""
import http.server
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time

from qvtest import Skip, blob, check, engines, listing, read, server_per_case


class Handler(http.server.BaseHTTPRequestHandler):
    """/NAME from srv.files; a name in srv.drip sends its Content-Length in
    1 KiB pieces every 10 ms (in flight for a minute and a half)."""
    protocol_version = "HTTP/1.1"
    srv = None

    def log_message(self, *a):
        pass

    def do_GET(self):
        s = self.srv
        with s.lock:
            s.hits += 1
        data = s.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            if self.path not in s.drip:
                self.wfile.write(data)
                return
            for i in range(0, len(data), 1024):
                if s.closing:
                    return
                self.wfile.write(data[i:i + 1024])
                self.wfile.flush()
                time.sleep(0.01)
        except OSError:
            pass


class QuietHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # quiver hanging up on a signal is the point, not news


class Server:
    """A counting loopback server, for "zero requests" and dripped bodies."""

    def __init__(self):
        self.files = {}
        self.drip = set()
        self.hits = 0
        self.closing = False
        self.lock = threading.Lock()
        self.httpd = QuietHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"srv": self}))
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path, data, drip=False):
        self.files[path] = data
        if drip:
            self.drip.add(path)
        return self.base + path

    def close(self):
        self.closing = True
        self.httpd.shutdown()
        self.httpd.server_close()


with_server = server_per_case(Server)


def run_limited(ctx, args, limits, timeout=60):
    """quiver ARGS with resource limits {RLIMIT_X: n} set in the child."""
    def pre():
        for k, v in limits.items():
            resource.setrlimit(k, (v, v))
    return subprocess.run([ctx.quiver, *args], capture_output=True, text=True, errors="replace",
                          preexec_fn=pre, timeout=timeout, cwd=ctx.tmp)


def can_unshare_mount(ctx):
    """True when we may mount a tmpfs in a private mount namespace (root, and
    a kernel or sandbox that allows it)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    d = ctx.path("mnt-probe")
    os.makedirs(d, exist_ok=True)
    try:
        p = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs '{d}'"],
                           capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def no_sanitizer(err, what):
    """Under quiver-asan a fault path must not leak or misbehave either."""
    check("Sanitizer" not in err and "runtime error:" not in err, (what, err))


def check_outcomes(out, files, err, why_re):
    """Every URL either arrived intact under its final name, or failed with
    an error line matching why_re that names its .part; no .part is left.
    Returns the names that failed."""
    no_sanitizer(err, out)
    names = listing(out)
    check(not any(n.endswith(".part") for n in names), f".part left: {names}\n{err}")
    failed = []
    for name, data in files.items():
        if name in names:
            check(read(os.path.join(out, name)) == data, f"{name} is not the served bytes")
            continue
        failed.append(name)
        check(re.search(why_re + re.escape(f"{out}/{name}.part"), err) is not None,
              f"{name} missing without a clear error:\n{err}")
    check(sorted(names) == sorted(n for n in files if n not in failed), names)
    return failed


# ---- 1. ulimit -n 40, 500 transfers at -j 200 ----

def test_fd_limit_500_at_200(ctx):
    """ulimit -n 40, 500 files at -j 200 (and --per-host 200) from nginx, every
    engine: one warning line, all 500 arrive byte for byte."""
    root = ctx.path("www")
    os.makedirs(root)
    files = {}
    for i in range(500):
        files[f"f{i:03d}.bin"] = blob(100 + (i * 7919) % 30000, i)
        with open(os.path.join(root, f"f{i:03d}.bin"), "wb") as f:
            f.write(files[f"f{i:03d}.bin"])
    base = ctx.nginx(root)
    with open(ctx.path("list"), "w") as f:
        f.write("".join(f"{base}/{n}\n" for n in files))
    for engine in engines(ctx):
        out = ctx.path("o-" + engine)
        p = run_limited(ctx, ["get", "--engine", engine, "-j", "200", "--per-host", "200",
                              "-i", ctx.path("list"), "-o", out],
                        {resource.RLIMIT_NOFILE: 40}, timeout=120)
        check(p.returncode == 0, (engine, p))
        lines = p.stderr.splitlines()
        if engine != "seq":  # seq runs one at a time whatever -j says: nothing to lower
            m = re.fullmatch(r"quiver: warning: the open-file limit \(ulimit -n 40\) allows (\d+) "
                             r"transfers at once, not 200", lines.pop(0) if lines else "")
            check(m is not None and 1 <= int(m.group(1)) < 40, (engine, p.stderr))
        check(len(lines) == 1 and lines[0].startswith("500 files downloaded ("), (engine, p.stderr))
        check(listing(out) == sorted(files), (engine, len(listing(out))))
        for name, data in files.items():
            check(read(os.path.join(out, name)) == data, (engine, name))


# ---- 2. a destination that fills up ----

def fill_files(srv):
    """Small files around one too big for the destination."""
    files = {f"s{i}.bin": blob(20_000 + i, i) for i in range(4)}
    files["big.bin"] = blob(3_000_000, 99)
    urls = [srv.add("/" + n, d) for n, d in files.items()]
    # the big one in the middle: small ones run before, beside and after it
    return files, urls[:2] + [urls[4]] + urls[2:4]


@with_server
def test_file_size_limit(ctx, srv):
    """ulimit -f 256 KiB (RLIMIT_FSIZE): the 3 MB file fails with EFBIG named
    with its file (SIGXFSZ ignored, so no crash and no .part left); the small
    files arrive intact; exit 1; every engine and -j 1 and 4."""
    files, urls = fill_files(srv)
    for engine in engines(ctx):
        for j in ("1", "4"):
            out = ctx.path(f"o-{engine}-{j}")
            p = run_limited(ctx, ["get", "--engine", engine, "-j", j, "-o", out, *urls],
                            {resource.RLIMIT_FSIZE: 256 * 1024})
            check(p.returncode == 1, (engine, j, p))
            failed = check_outcomes(out, files, p.stderr,
                                    r"file too large \(file size limit or file system maximum\) "
                                    r"writing ")
            check(failed == ["big.bin"], (engine, j, failed, p.stderr))
            check("4 files downloaded" in p.stderr and "; 1 failed" in p.stderr, p.stderr)


@with_server
def test_full_tmpfs(ctx, srv):
    """A 1 MiB tmpfs (private mount namespace, root only): the 3 MB file fails
    with "no space left on device" naming its file, and so does at least one
    of two 600 kB files that cannot both fit; no .part, no partial file; the
    others arrive intact or fail with the same clear error; exit 1."""
    if not can_unshare_mount(ctx):
        raise Skip("cannot mount a tmpfs here (needs root and unshare -m)")
    files, urls = fill_files(srv)
    for i in range(2):
        files[f"m{i}.bin"] = blob(600_000, 70 + i)
        urls.append(srv.add(f"/m{i}.bin", files[f"m{i}.bin"]))
    for engine in engines(ctx):
        mnt, copy = ctx.path("mnt-" + engine), ctx.path("copy-" + engine)
        os.makedirs(mnt)
        os.makedirs(copy)
        # the tmpfs vanishes with the namespace: copy what is left out of it
        script = (f"mount -t tmpfs -o size=1m tmpfs '{mnt}' || exit 99; "
                  f"'{ctx.quiver}' get --engine {engine} -j 4 -o '{mnt}/out' \"$@\"; rc=$?; "
                  f"cp -a '{mnt}/out/.' '{copy}/' && exit $rc")
        p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *urls],
                           capture_output=True, text=True, errors="replace", timeout=60)
        check(p.returncode == 1, (engine, p))
        # messages name the file inside the mount; compare against the copy
        err = p.stderr.replace(f"{mnt}/out/", f"{copy}/")
        failed = check_outcomes(copy, files, err, r"no space left on device writing ")
        check("big.bin" in failed and ("m0.bin" in failed or "m1.bin" in failed),
              (engine, failed, p.stderr))
        check(f"; {len(failed)} failed" in p.stderr, p.stderr)


# ---- 3. a read-only destination ----

def readonly_cases(ctx, srv, dest, runner):
    """get, flags and flags2 to dest: exit 1, "cannot write to" or "cannot
    create directory", zero requests, nothing created."""
    url = srv.add("/x.bin", b"x")
    site = srv.base + "/flags"
    before = listing(dest) if os.path.isdir(dest) else None
    cases = [
        ["get", "-o", dest, url],
        ["get", "--engine", "seq", "-o", dest + "/sub", url],
        ["flags", "--engine", "threads", "--site", site, "-o", dest, "cn", "us"],
        ["flags2", "-s", site, "-o", dest, "cn"],
    ]
    for args in cases:
        p = runner(args)
        check(p.returncode == 1, (args, p))
        no_sanitizer(p.stderr, args)
        check(re.search(r"quiver (get|flags|flags2): cannot (write to|create directory) " + re.escape(dest),
                        p.stderr) is not None, (args, p.stderr))
        check(srv.hits == 0, (args, f"{srv.hits} requests made"))
    if before is not None:
        check(listing(dest) == before, (before, listing(dest)))


def plain_runner(ctx):
    def run(args):
        return subprocess.run([ctx.quiver, *args], capture_output=True, text=True, errors="replace",
                              timeout=30, cwd=ctx.tmp)
    return run


@with_server
def test_readonly_dest_proc(ctx, srv):
    """-o /proc/self: even root cannot create files there (access(2) says yes
    to root; the probe file does not).  Runs everywhere."""
    readonly_cases(ctx, srv, "/proc/self", plain_runner(ctx))


@with_server
def test_readonly_dest_unprivileged(ctx, srv):
    """A chmod 0555 directory, quiver run as nobody (setpriv; root only)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        raise Skip("needs root and setpriv to run quiver as nobody")
    dest = ctx.path("ro")
    os.makedirs(dest)
    os.chmod(dest, 0o555)

    def run(args):
        return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                               ctx.quiver, *args], capture_output=True, text=True,
                              errors="replace", timeout=30, cwd="/")
    if run(["--version"]).returncode != 0:
        raise Skip("nobody cannot run the quiver binary here")
    readonly_cases(ctx, srv, dest, run)


@with_server
def test_readonly_dest_ro_mount(ctx, srv):
    """A read-only bind mount (private mount namespace; root only): root's
    access(2) says EROFS, and the probe agrees."""
    if not can_unshare_mount(ctx):
        raise Skip("cannot mount here (needs root and unshare -m)")
    dest = ctx.path("rob")
    os.makedirs(dest)

    def run(args):
        script = (f"mount --bind '{dest}' '{dest}' && mount -o remount,ro,bind '{dest}' || exit 99; "
                  f"exec '{ctx.quiver}' \"$@\"")
        return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *args],
                              capture_output=True, text=True, errors="replace", timeout=30)
    readonly_cases(ctx, srv, dest, run)


# ---- 4. SIGINT and SIGTERM mid-run ----

def interrupted_run(ctx, srv, engine, sig, keep, delay_base):
    """Fast files complete, dripped ones and delayed ones are in flight, then
    sig.  Returns (exit, stderr, out dir)."""
    fast = {f"done{i}.bin": blob(5000 + i, i) for i in range(3)}
    slow = {f"drip{i}.bin": blob(1_000_000, 50 + i) for i in range(2)}
    urls = [srv.add("/" + n, d) for n, d in fast.items()]
    urls += [srv.add("/" + n, d, drip=True) for n, d in slow.items()]
    urls.append(delay_base + "/cn/cn.gif")          # quiver serve --delay: no answer yet
    tag = f"{engine}-{sig.name}-{'c' if keep else 'n'}"
    out = ctx.path("o-" + tag)
    extra = ["-c"] if keep else []
    # seq runs one at a time: one file completes, then a drip stays in flight
    if engine == "seq":
        urls = urls[0:1] + urls[3:4] + urls[1:3] + urls[4:]
    p = subprocess.Popen([ctx.quiver, "get", "--engine", engine, "-j", "8", "-o", out, *extra, *urls],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    try:
        want_parts = 1 if engine == "seq" else 2
        deadline, ready = time.monotonic() + 15, False
        while not ready and time.monotonic() < deadline:
            time.sleep(0.05)
            names = listing(out)
            parts = [n for n in names if n.endswith(".part")]
            done = [n for n in names if n in fast]
            ready = len(parts) >= want_parts and len(done) == (1 if engine == "seq" else len(fast))
        check(ready, (tag, "never had files done and in flight", listing(out)))
        time.sleep(0.2)
        p.send_signal(sig)
        _, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    no_sanitizer(err, tag)
    names = listing(out)
    for n in names:
        if n in fast:
            check(read(os.path.join(out, n)) == fast[n], (tag, n, "completed file changed"))
        elif n.endswith(".part") and keep:
            body = slow.get(n[:-5])
            data = read(os.path.join(out, n))
            check(body is not None and body.startswith(data), (tag, n, "kept .part is not a prefix"))
        else:  # a .part without -c, or a partial file under a final name
            check(False, (tag, "left behind", n, names))
    parts = [n for n in names if n.endswith(".part")]
    check(len(parts) >= want_parts if keep else parts == [], (tag, names))
    return p.returncode, err, [n for n in names if n in fast], tag


def test_signals_mid_run(ctx):
    """SIGINT and SIGTERM with transfers in flight (dripped bodies from a
    Python server, quiver serve --delay 30 not answering yet), every engine,
    with and without -c: exit 130, the summary, completed files intact, no
    partial final file, .part removed (or, with -c, kept as a prefix of the
    body).  test_get.test_sigint_leaves_nothing_partial covers SIGINT with
    nothing completed; this adds SIGTERM, completed files and -c per engine."""
    srv = Server()
    try:
        delay_base = ctx.serve("--delay", "30")
        for engine in engines(ctx):
            for sig in (signal.SIGINT, signal.SIGTERM):
                for keep in (False, True):
                    code, err, done, tag = interrupted_run(ctx, srv, engine, sig, keep, delay_base)
                    check(code == 130, (tag, code, err))
                    m = re.search(r"^interrupted: (\d+) files? downloaded \(.*\)(; \d+ cut short)?$",
                                  err, re.M)
                    check(m is not None and int(m.group(1)) == len(done), (tag, done, err))
                    check(engine == "seq" or len(done) == 3, (tag, done))
    finally:
        srv.close()
