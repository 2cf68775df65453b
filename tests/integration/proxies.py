"""proxies.py - HTTP proxies for the integration tests, started on free
loopback ports and stopped with the case (ctx.spawn / ctx.close):

  squid(ctx, users=None)      Debian's squid, no cache, CONNECT to any port;
                              users={"name": "password"} turns on Basic auth
                              (basic_ncsa_auth over an htpasswd file made with
                              `openssl passwd -apr1`).
  tinyproxy(ctx)              Debian's tinyproxy.
  HostileProxy(mode)          a scripted proxy (Python threads) that answers
                              CONNECT or GET in one wrong way per mode.

Each returns an object with .url ("http://127.0.0.1:PORT") and .log()
(the proxy's own log text, which names the requests it saw)."""
import os
import shutil
import socket
import subprocess
import threading
import time

from qvtest import Skip, ThreadedServer, free_port, wait_port


def _exe(name, package):
    for d in ("", "/usr/sbin/", "/usr/bin/"):
        p = shutil.which(name) if d == "" else d + name
        if p and os.path.exists(p):
            return p
    raise Skip(f"{name} not installed (apt-get install {package})")


class _Proxy:
    def __init__(self, url, log_path):
        self.url = url
        self.log_path = log_path

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def squid(ctx, users=None):
    exe = _exe("squid", "squid")
    port = free_port()
    d = ctx.path(f"squid-{port}")
    os.makedirs(d)
    os.chmod(d, 0o777)  # squid drops to the proxy user
    auth = ""
    if users:
        helper = "/usr/lib/squid/basic_ncsa_auth"
        if not os.path.exists(helper):
            raise Skip("squid's basic_ncsa_auth helper not found")
        lines = []
        for u, p in users.items():
            h = subprocess.run(["openssl", "passwd", "-apr1", p], capture_output=True, text=True,
                               check=True).stdout.strip()
            lines.append(f"{u}:{h}\n")
        pw = os.path.join(d, "passwd")
        with open(pw, "w") as f:
            f.writelines(lines)
        os.chmod(pw, 0o644)
        auth = (f"auth_param basic program {helper} {pw}\n"
                "auth_param basic realm quiver-test\n"
                "acl authed proxy_auth REQUIRED\n"
                "http_access deny !authed\n")
    conf = os.path.join(d, "squid.conf")
    with open(conf, "w") as f:
        f.write(f"""http_port 127.0.0.1:{port}
pid_filename {d}/squid.pid
access_log stdio:{d}/access.log squid
cache_log {d}/cache.log
cache deny all
cache_mem 8 MB
coredump_dir {d}
shutdown_lifetime 0 seconds
logfile_rotate 0
acl localnet src 127.0.0.1/32 ::1
{auth}http_access allow localnet
http_access deny all
""")
    p = ctx.spawn([exe, "-N", "-f", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                  cwd=d)
    wait_port(port, p, 30, "squid")
    return _Proxy(f"http://127.0.0.1:{port}", os.path.join(d, "access.log"))


def tinyproxy(ctx):
    exe = _exe("tinyproxy", "tinyproxy")
    port = free_port()
    d = ctx.path(f"tinyproxy-{port}")
    os.makedirs(d)
    os.chmod(d, 0o777)
    conf = os.path.join(d, "tinyproxy.conf")
    log = os.path.join(d, "tinyproxy.log")
    with open(conf, "w") as f:
        f.write(f"""User nobody
Group nogroup
Port {port}
Listen 127.0.0.1
Timeout 60
LogFile "{log}"
LogLevel Connect
PidFile "{d}/tinyproxy.pid"
MaxClients 200
Allow 127.0.0.1
DisableViaHeader Yes
""")
    p = ctx.spawn([exe, "-d", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, p, 30, "tinyproxy")
    return _Proxy(f"http://127.0.0.1:{port}", log)


class HostileProxy(ThreadedServer):
    """A proxy that misbehaves one way (mode), logging what it got:
      407            407 Proxy Authentication Required to everything
      403            403 Forbidden (with a chunked body) to CONNECT
      200-close      200 to CONNECT, then closes at once
      garbage        a status line that is not HTTP
      body           200 to CONNECT with a Content-Length body after it
      silent         reads the request and never answers
      mid-tunnel     200 to CONNECT, relays the TLS handshake to the target,
                     then closes in the middle of the response
    """

    def __init__(self, mode, target=None):
        self.mode = mode
        self.target = target        # (host, port) for mid-tunnel
        self.lines = []
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def log(self):
        return "\n".join(self.lines)

    def serve(self, c):
        head = self.read_head(c)
        if head is None:
            return
        self.lines.append(head.split("\r\n")[0])
        m = self.mode
        if m == "407":
            c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                      b"Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 6\r\n\r\ndenied")
        elif m == "403":
            c.sendall(b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"4\r\nnope\r\n0\r\n\r\n")
        elif m == "200-close":
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        elif m == "garbage":
            c.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n\r\n")
        elif m == "body":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        elif m == "silent":
            while not self.stop and c.recv(4096):
                pass
            return
        elif m == "mid-tunnel":
            self._relay_then_cut(c)
            return
        time.sleep(0.2)

    def _relay_then_cut(self, c):
        """Relay both ways; after 8 KiB from the server, close both."""
        up = socket.create_connection(self.target)
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        sent = [0]

        def pump(src, dst, count):
            try:
                while True:
                    b = src.recv(4096)
                    if not b:
                        break
                    if count:
                        sent[0] += len(b)
                        if sent[0] > 8192:
                            break
                    dst.sendall(b)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pump, args=(c, up, False), daemon=True)
        t.start()
        pump(up, c, True)
        up.close()
