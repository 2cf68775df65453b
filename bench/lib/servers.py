"""servers.py - the local servers of the benchmark: `quiver serve` with a delay, and one
nginx (HTTP, HTTPS with an EC P-256 and an RSA 2048 certificate, and a TLS front of a slow
`quiver serve`) over a tree of real flags replicated under other names.  Everything binds
to free loopback ports and lives under bench/results/tmp/; close() stops what it started.
"""
import hashlib
import os
import shutil
import socket
import subprocess
import time
import zipfile

BIG = 1 << 30  # the 1 GiB file of case 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what):
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


class Servers:
    def __init__(self, quiver, tmp):
        self.quiver = quiver
        self.tmp = tmp
        self.procs = []
        self.www = os.path.join(tmp, "www")
        self.files = []

    def quiver_serve(self, delay):
        """Start `quiver serve --port 0 --delay S`; returns its base URL (first output line)."""
        p = subprocess.Popen([self.quiver, "serve", "--port", "0", "--delay", str(delay)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(p)
        line = p.stdout.readline().strip()
        if not line.startswith("http"):
            raise RuntimeError(f"quiver serve said {line!r}")
        return line

    def make_tree(self, flags_zip, count):
        """www/f/NNNNN-cc.gif: the real flags of flags.zip, hard-linked under `count` names.
        World-readable, because nginx workers run unprivileged."""
        src = os.path.join(self.tmp, "flags")
        if not os.path.isdir(src):
            with zipfile.ZipFile(flags_zip) as z:
                z.extractall(src)
        gifs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(src) for f in fs if f.endswith(".gif"))
        fdir = os.path.join(self.www, "f")
        os.makedirs(fdir, exist_ok=True)
        self.files = []
        for i in range(count):
            g = gifs[i % len(gifs)]
            name = f"{i:05d}-{os.path.basename(g)}"
            self.files.append(name)
            dst = os.path.join(fdir, name)
            if not os.path.exists(dst):
                os.link(g, dst)
        for dp, ds, fs in os.walk(self.tmp):
            for d in ds:
                os.chmod(os.path.join(dp, d), 0o755)
        for dp, _, fs in os.walk(src):
            for f in fs:
                os.chmod(os.path.join(dp, f), 0o644)
        for d in (self.tmp, os.path.dirname(self.tmp)):
            os.chmod(d, 0o755)

    def make_certs(self):
        """A test CA (EC P-256) and two leaf certificates for localhost: EC P-256 and RSA 2048."""
        d = os.path.join(self.tmp, "pki")
        os.makedirs(d, exist_ok=True)
        self.ca = os.path.join(d, "ca.pem")

        def ossl(*args):
            subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
        if not os.path.exists(self.ca):
            ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=quiver bench CA",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
            with open(os.path.join(d, "ext.cnf"), "w") as f:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
            for name, key in (("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                              ("rsa", ["-newkey", "rsa:2048"])):
                ossl("req", *key, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                     "-subj", "/CN=localhost")
                ossl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                     "-CAcreateserial", "-days", "30", "-extfile", "ext.cnf", "-out", f"{name}.pem")
        for f in os.listdir(d):
            os.chmod(os.path.join(d, f), 0o644)

    def start_nginx(self, slow_site):
        """One nginx, one worker (the other core is the client's), four server blocks."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        d = os.path.join(self.tmp, "nginx")
        os.makedirs(d, exist_ok=True)
        pki = os.path.join(self.tmp, "pki")
        ports = [free_port() for _ in range(4)]
        upstream = slow_site.split("//", 1)[1].split("/", 1)[0]
        tls = "ssl_protocols TLSv1.2; ssl_session_cache off;"
        conf = f"""
daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log error;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  default_type application/octet-stream;
  server {{ listen 127.0.0.1:{ports[0]} backlog=4096; root {self.www}; }}
  server {{ listen 127.0.0.1:{ports[1]} ssl backlog=4096; root {self.www}; {tls}
           ssl_certificate {pki}/ec.pem; ssl_certificate_key {pki}/ec.key; }}
  server {{ listen 127.0.0.1:{ports[2]} ssl backlog=4096; root {self.www}; {tls}
           ssl_certificate {pki}/rsa.pem; ssl_certificate_key {pki}/rsa.key; }}
  server {{ listen 127.0.0.1:{ports[3]} ssl backlog=4096; {tls}
           ssl_certificate {pki}/ec.pem; ssl_certificate_key {pki}/ec.key;
           location / {{ proxy_pass http://{upstream}; proxy_http_version 1.1;
                        proxy_set_header Connection ""; proxy_read_timeout 60s; }} }}
}}
"""
        path = os.path.join(d, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        p = subprocess.Popen([nginx, "-c", path, "-e", os.path.join(d, "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        for port in ports:
            wait_port(port, p, "nginx")
        self.http = f"http://127.0.0.1:{ports[0]}"
        self.https_ec = f"https://localhost:{ports[1]}"
        self.https_rsa = f"https://localhost:{ports[2]}"
        self.https_slow = f"https://localhost:{ports[3]}"

    def start_nginx_tls(self):
        """A second nginx for case 10 (TLS at scale), EC P-256, TLS 1.2 (the only version BearSSL and
        so quiver speak): one server block with nginx's default TLS settings (no session cache,
        tickets on, which BearSSL does not use) and one with a session cache and tickets off.  Each
        logs `$connection $ssl_session_reused $ssl_curve` per request, so a run can count its
        handshakes, the resumed ones and the curves servers chose."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        d = os.path.join(self.tmp, "nginx-tls")
        os.makedirs(d, exist_ok=True)
        pki = os.path.join(self.tmp, "pki")
        ports = [free_port() for _ in range(2)]
        self.tls_logs = {"default": os.path.join(d, "default.log"), "cache": os.path.join(d, "cache.log")}
        cert = f"ssl_certificate {pki}/ec.pem; ssl_certificate_key {pki}/ec.key; ssl_protocols TLSv1.2;"
        conf = f"""
daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log error;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{
  sendfile on; keepalive_requests 100000;
  log_format qvtls '$connection $ssl_session_reused $ssl_curve';
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  default_type application/octet-stream;
  server {{ listen 127.0.0.1:{ports[0]} ssl backlog=4096; root {self.www}; {cert}
           access_log {self.tls_logs['default']} qvtls; }}
  server {{ listen 127.0.0.1:{ports[1]} ssl backlog=4096; root {self.www}; {cert}
           ssl_session_cache shared:QV:10m; ssl_session_tickets off;
           access_log {self.tls_logs['cache']} qvtls; }}
}}
"""
        path = os.path.join(d, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        p = subprocess.Popen([nginx, "-c", path, "-e", os.path.join(d, "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        for port in ports:
            wait_port(port, p, "nginx (TLS at scale)")
        self.https_default = f"https://localhost:{ports[0]}"
        self.https_cache = f"https://localhost:{ports[1]}"

    def make_big(self):
        """www/big.bin: 1 GiB of random bytes (so a digest check means something:
        a body with a hole would still match a file of zeros), on tmpfs when there
        is one (/dev/shm, linked from www) so the source disk is not measured.
        Returns its SHA-256 (hex)."""
        shm = "/dev/shm"
        where = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else self.tmp
        self.big_src = os.path.join(where, "quiver-bench-big-%d.bin" % os.getpid())
        h = hashlib.sha256()
        with open(self.big_src, "wb") as f:
            for _ in range(BIG >> 24):
                block = os.urandom(1 << 24)
                h.update(block)
                f.write(block)
        os.chmod(self.big_src, 0o644)
        path = os.path.join(self.www, "big.bin")
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(self.big_src, path)
        return h.hexdigest()

    def drop_big(self):
        for path in (os.path.join(self.www, "big.bin"), getattr(self, "big_src", None)):
            try:
                if path:
                    os.unlink(path)
            except OSError:
                pass

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
