"""qvtest.py - helpers for quiver's integration tests: run the binary, make temp
dirs, start `quiver serve` / nginx / raw socket servers on free loopback ports,
and stop everything when the case ends (Ctx.close).

Binaries and sanitizers.  run.py runs the suite once per binary: `ctx.quiver`
is the binary under test (the release build, then zig-out/bin/quiver-asan).
`ctx.asan` is the path of quiver-asan (ASan+UBSan, glibc, with the fault hooks
of tests/fault/ linked in) in every pass, or None when it was not built (no
clang): run.py --quiver-asan PATH, else env QV_ASAN_BIN.  `ctx.sanitized` is
True when ctx.quiver is itself quiver-asan, so a case that runs ctx.asan on
its own purpose (allocation-failure torture) can run once, not in both passes.

Every quiver a case starts (ctx.run, ctx.serve, or a direct Popen of
ctx.quiver/ctx.asan) inherits SANITIZER_ENV: a sanitizer report goes to a
per-case log directory instead of stderr (so stderr checks see quiver's own
words) and the process exits SANITIZER_EXIT.  Ctx.run raises on such a report
at once; Ctx.close collects the reports of every other child into
ctx.sanitizer_report, and run.py fails the case when it is not empty.
"""
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("QV_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
FLAGS_ZIP = os.path.join(SHARED, "flags", "flags.zip")
POP20 = "CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR".split()


# Every command quiver can be built with (build.zig's table); a build made
# with -Dcommands has some of them (run.py --commands, ctx.commands).
COMMANDS = ("flags", "flags2", "flags3", "get", "wget", "serve", "demo")


class Skip(Exception):
    """Raised by a case that cannot run on this machine (reason in the text;
    a reason ends with what enables it, e.g. "(apt-get install nginx-light)",
    and run.py prints each distinct reason once, with its count)."""


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def country_codes():
    """The 194 codes of the book's country_codes.txt (in QV_SHARED/flags), or Skip."""
    path = os.path.join(SHARED, "flags", "country_codes.txt")
    if not os.path.exists(path):
        raise Skip(f"{path} not found (set QV_SHARED to the folder with flags/)")
    with open(path) as f:
        return f.read().split()


def free_port(host="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=10, what="server"):
    """Wait until something accepts on 127.0.0.1:port (proc, when given,
    must not exit meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what}: nothing listening on port {port}")


class ThreadedServer:
    """A scripted TCP server on a free loopback port: one thread per
    connection runs self.serve(conn) (a subclass defines it); close()
    stops accepting and waits for the accept thread."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass
        # shutdown wakes the thread blocked in accept(); a bare close may
        # leave the listener alive (and answering) behind it
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=5)

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve_one, args=(c,), daemon=True).start()

    def _serve_one(self, c):
        try:
            self.serve(c)
        except OSError:
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    @staticmethod
    def read_head(c):
        """The request head's text, or None when the client went away."""
        data = b""
        while b"\r\n\r\n" not in data:
            b = c.recv(4096)
            if not b:
                return None
            data += b
        return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def engines(ctx, names=("seq", "threads", "poll")):
    """The engines of names that this quiver build has (`get --engine E
    --help` exits 0), so a case loops over what exists."""
    for e in names:
        if ctx.run("get", "--engine", e, "--help").code == 0:
            yield e


def server_per_case(make):
    """A decorator for cases fn(ctx, srv) that each want a fresh server:
    srv = make(), closed with srv.close() when the case ends, however it
    ends.  Usage: `with_server = server_per_case(Server)`, then @with_server."""
    def deco(fn):
        def case(ctx):
            srv = make()
            try:
                fn(ctx, srv)
            finally:
                srv.close()
        case.__name__ = fn.__name__
        case.__doc__ = fn.__doc__
        return case
    return deco


def blob(n, seed=1):
    """n deterministic pseudo-random bytes."""
    out = bytearray()
    h = seed.to_bytes(8, "little")
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def listing(d):
    """The sorted names in directory d; [] when it does not exist."""
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def read(path):
    with open(path, "rb") as f:
        return f.read()


# The exit status of a quiver-asan process that got a sanitizer report; no
# quiver exit status is this high short of 128+signal.
SANITIZER_EXIT = 86
# Words that start every ASan, LSan and UBSan report.
SANITIZER_WORDS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def sanitizer_env(log_dir):
    """The environment that makes any sanitizer report fail a quiver-asan run
    (harmless for the release binary, which reads none of it)."""
    log = os.path.join(log_dir, "sanitizer")
    common = f"exitcode={SANITIZER_EXIT}:log_path={log}"
    return {
        "ASAN_OPTIONS": f"detect_leaks=1:abort_on_error=0:{common}",
        "UBSAN_OPTIONS": f"halt_on_error=1:print_stacktrace=1:{common}",
        "LSAN_OPTIONS": common,
    }


class Result:
    def __init__(self, proc, out, err, secs):
        self.code = proc.returncode
        self.out = out
        self.err = err
        self.secs = secs

    def __repr__(self):
        return f"exit {self.code} after {self.secs:.2f}s\n--stdout--\n{self.out}\n--stderr--\n{self.err}"


class Ctx:
    def __init__(self, quiver, name, asan=None, server=None, commands=COMMANDS, cross=None):
        self.quiver = quiver
        self.name = name
        self.asan = asan
        # the binary ctx.serve starts: quiver itself, or the full build when
        # quiver is a lean one without `serve` (run.py --server)
        self.server = server or quiver
        self.commands = tuple(commands)
        # big-endian binaries under qemu-user: {triple: (qemu, path)}, and
        # {triple: why not} for those that cannot run here (run.py --cross)
        self.cross, self.cross_missing = cross or ({}, {})
        self.sanitized = asan is not None and os.path.realpath(quiver) == os.path.realpath(asan)
        self.tmp = tempfile.mkdtemp(prefix="qvtest-")
        # nginx workers run unprivileged: they must be able to read files under tmp
        os.chmod(self.tmp, 0o755)
        self.procs = []
        # outside tmp: cases list tmp's folders and must not see the logs
        self.san_dir = tempfile.mkdtemp(prefix="qvsan-")
        self.sanitizer_report = ""
        # os.environ, not only Ctx.run's env: cases also Popen quiver directly
        self._saved_env = {k: os.environ.get(k) for k in sanitizer_env(self.san_dir)}
        os.environ.update(sanitizer_env(self.san_dir))

    def _take_reports(self):
        """The text of the sanitizer logs written so far (and removes them)."""
        text = ""
        for f in sorted(glob.glob(os.path.join(self.san_dir, "sanitizer*"))):
            with open(f, errors="replace") as fh:
                text += f"--- {os.path.basename(f)} ---\n{fh.read()}"
            os.unlink(f)
        return text

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.sanitizer_report += self._take_reports()
        shutil.rmtree(self.san_dir, ignore_errors=True)
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def need(self, command):
        """Skip the case when command is not in the binary under test."""
        if command in COMMANDS and command not in self.commands:
            raise Skip(f"'{command}' is not in this build (-Dcommands={','.join(self.commands)})")

    def run(self, *args, timeout=60, input=None, env=None, cwd=None):
        """Run quiver with args; returns a Result (never raises on non-zero exit).
        Skips the case when args[0] is a command this build left out."""
        if args:
            self.need(str(args[0]))
        t0 = time.monotonic()
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.Popen([self.quiver, *map(str, args)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.PIPE if input else subprocess.DEVNULL,
                             env=e, cwd=cwd or self.tmp, text=True, errors="replace")
        try:
            out, err = p.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise AssertionError(f"quiver {' '.join(map(str, args))} did not finish in {timeout}s")
        r = Result(p, out, err, time.monotonic() - t0)
        report = self._take_reports()
        if report or r.code == SANITIZER_EXIT or any(w in err for w in SANITIZER_WORDS):
            raise AssertionError(f"sanitizer report from quiver {' '.join(map(str, args))}\n{r!r}\n{report}")
        return r

    def spawn(self, argv, **kw):
        """Start a background process that close() will stop."""
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def serve(self, *args):
        """Start `quiver serve --port 0 ARGS` (ctx.server); returns its base URL (…/flags)."""
        p = self.spawn([self.server, "serve", "--port", "0", *map(str, args)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stdout.readline().strip()
        check(line.startswith("http"), f"serve printed {line!r}; stderr: {p.stderr.read() if p.poll() is not None else ''}")
        return line

    def flags_tree(self):
        """The real flags (unzipped flags.zip) under TMP/www/flags/{cc}/…; returns TMP/www."""
        www = self.path("www")
        if not os.path.isdir(www):
            if not os.path.exists(FLAGS_ZIP):
                raise Skip(f"{FLAGS_ZIP} not found (set QV_SHARED to the folder with flags/)")
            dest = os.path.join(www, "flags")
            os.makedirs(dest)
            with zipfile.ZipFile(FLAGS_ZIP) as z:
                for info in z.infolist():
                    if info.is_dir():
                        continue
                    # the zip may hold a top folder; keep only {cc}/{file}
                    parts = info.filename.split("/")
                    if len(parts) < 2:
                        continue
                    target = os.path.join(dest, parts[-2], parts[-1])
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with z.open(info) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out)
        return www

    def nginx(self, root, extra_server="", tls=None, v6=False, extra_http=""):
        """Start nginx serving root on a free loopback port; returns the base URL.
        tls=(cert, key) serves HTTPS; v6: on [::1] too, same port; extra_http:
        directives for the http block (log formats, session caches)."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            raise Skip("nginx not installed (apt-get install nginx-light)")
        port = free_port()
        conf_dir = self.path(f"nginx-{port}")
        os.makedirs(conf_dir)
        listen = f"127.0.0.1:{port}" + (" ssl" if tls else "")
        if v6:
            listen += f"; listen [::1]:{port}" + (" ssl" if tls else "")
        tls_conf = f"ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};" if tls else ""
        conf = f"""
daemon off; worker_processes 1; pid {conf_dir}/nginx.pid; error_log {conf_dir}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path {conf_dir}; proxy_temp_path {conf_dir}; fastcgi_temp_path {conf_dir};
  uwsgi_temp_path {conf_dir}; scgi_temp_path {conf_dir};
  types {{ image/gif gif; application/json json; }}
  {extra_http}
  server {{ listen {listen}; root {root}; {tls_conf} {extra_server} }}
}}
"""
        with open(os.path.join(conf_dir, "nginx.conf"), "w") as f:
            f.write(conf)
        self.spawn([nginx, "-c", os.path.join(conf_dir, "nginx.conf"), "-e", os.path.join(conf_dir, "error.log")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"{'https' if tls else 'http'}://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not start on port {port}")
