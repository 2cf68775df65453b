"""qvtest.py - helpers for quiver's integration tests: run the binary, make temp
dirs, start `quiver serve` / nginx / raw socket servers on free loopback ports,
and stop everything when the case ends (Ctx.close)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("QV_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
FLAGS_ZIP = os.path.join(SHARED, "flags", "flags.zip")
POP20 = "CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR".split()


class Skip(Exception):
    """Raised by a case that cannot run on this machine (reason in the text)."""


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def free_port(host="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Result:
    def __init__(self, proc, out, err, secs):
        self.code = proc.returncode
        self.out = out
        self.err = err
        self.secs = secs

    def __repr__(self):
        return f"exit {self.code} after {self.secs:.2f}s\n--stdout--\n{self.out}\n--stderr--\n{self.err}"


class Ctx:
    def __init__(self, quiver, name):
        self.quiver = quiver
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="qvtest-")
        # nginx workers run unprivileged: they must be able to read files under tmp
        os.chmod(self.tmp, 0o755)
        self.procs = []

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def run(self, *args, timeout=60, input=None, env=None, cwd=None):
        """Run quiver with args; returns a Result (never raises on non-zero exit)."""
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
        return Result(p, out, err, time.monotonic() - t0)

    def spawn(self, argv, **kw):
        """Start a background process that close() will stop."""
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def serve(self, *args):
        """Start `quiver serve --port 0 ARGS`; returns its base URL (…/flags)."""
        p = self.spawn([self.quiver, "serve", "--port", "0", *map(str, args)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stdout.readline().strip()
        check(line.startswith("http"), f"serve printed {line!r}; stderr: {p.stderr.read() if p.poll() is not None else ''}")
        return line

    def flags_tree(self):
        """The real flags (unzipped flags.zip) under TMP/www/flags/{cc}/…; returns TMP/www."""
        www = self.path("www")
        if not os.path.isdir(www):
            if not os.path.exists(FLAGS_ZIP):
                raise Skip(f"{FLAGS_ZIP} not found (set QV_SHARED)")
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

    def nginx(self, root, extra_server="", tls=None):
        """Start nginx serving root on a free loopback port; returns the base URL.
        tls=(cert, key) serves HTTPS."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            raise Skip("nginx not installed (apt-get install nginx-light)")
        port = free_port()
        conf_dir = self.path(f"nginx-{port}")
        os.makedirs(conf_dir)
        listen = f"127.0.0.1:{port}" + (" ssl" if tls else "")
        tls_conf = f"ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};" if tls else ""
        conf = f"""
daemon off; worker_processes 1; pid {conf_dir}/nginx.pid; error_log {conf_dir}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path {conf_dir}; proxy_temp_path {conf_dir}; fastcgi_temp_path {conf_dir};
  uwsgi_temp_path {conf_dir}; scgi_temp_path {conf_dir};
  types {{ image/gif gif; application/json json; }}
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
