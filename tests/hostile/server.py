#!/usr/bin/env python3
"""server.py - quiver's hostile HTTP test server (Python 3 stdlib only).

Plays the scripts of tests/hostile/cases/*.case (format: hostile.py) to any
HTTP client: the first path segment of a request names the case, e.g.

    python3 tests/hostile/server.py --port 8080 &
    curl -v http://127.0.0.1:8080/007-truncated-length/xx/xx.gif

Listens on 127.0.0.1 (port 0 = a free one), prints its base URL
(http://127.0.0.1:PORT) as the first stdout line once it accepts
connections, and logs one line per connection event to stderr (or --log).
Runs until killed.  One thread per connection; connections and requests are
counted per case, for the conn=N and nth=N selectors.

TLS mode (--tls-cert PEM --tls-key PEM; hostile.start_tls_server makes a
test CA and starts it so): every connection is TLS (Python's ssl module) and
the base URL is https://localhost:PORT, for the cases marked `tls`.  `close`
then sends close_notify before the FIN (as far as the client answers within
TLS_CLOSE_WAIT); `drop` sends the FIN without it, `reset` an RST.
"""
import argparse
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hostile  # noqa: E402

# A request head larger than this is not from a client under test.
REQUEST_HEAD_MAX = 64 * 1024
# How long to wait for a request head (a client that connects and says
# nothing is not what these cases test, and must not pin a thread forever).
REQUEST_WAIT = 30.0
# After `close` sends FIN, read what the client still sends for this long at
# most, so unread bytes never turn the close into a reset.
CLOSE_DRAIN = 10.0
# TLS: time for the handshake, and for the client's reply to our close_notify.
TLS_HANDSHAKE_WAIT = 10.0
TLS_CLOSE_WAIT = 0.5


class Gone(Exception):
    """The client went away (EOF, reset, broken pipe): end the connection."""


class Log:
    def __init__(self, f):
        self.f = f
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def __call__(self, msg):
        with self.lock:
            self.f.write(f"{time.monotonic() - self.t0:8.3f} {msg}\n")
            self.f.flush()


class CaseCounters:
    """Per-case connection and request numbers, shared by all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.conns = {}
        self.reqs = {}

    def next_conn(self, case):
        with self.lock:
            self.conns[case] = self.conns.get(case, 0) + 1
            return self.conns[case]

    def next_req(self, case):
        with self.lock:
            self.reqs[case] = self.reqs.get(case, 0) + 1
            return self.reqs[case]


class Player:
    """Plays scripts on one accepted connection."""

    def __init__(self, server, sock, peer):
        self.srv = server
        self.sock = sock
        self.peer = f"{peer[0]}:{peer[1]}"
        self.buf = b""
        self.drip = (0.0, 1)
        self.next_at = 0.0
        self.file_off = 0
        self.conn_no = {}   # case -> this connection's number for that case
        self.nth = 0

    def log(self, msg):
        self.srv.log(f"[{self.peer}] {msg}")

    # -- input --------------------------------------------------------------
    def read_head(self):
        """The next request head as text, or None at EOF before one."""
        deadline = time.monotonic() + REQUEST_WAIT
        while True:
            for sep in (b"\r\n\r\n", b"\n\n"):
                i = self.buf.find(sep)
                if i >= 0:
                    head, self.buf = self.buf[:i], self.buf[i + len(sep):]
                    return head.decode("latin-1")
            if len(self.buf) > REQUEST_HEAD_MAX:
                raise Gone("request head too large")
            left = deadline - time.monotonic()
            if left <= 0:
                raise Gone("no request head in time")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, OSError) as e:
                raise Gone(f"reading request: {e}") from None
            if not data:
                if self.buf:
                    self.log(f"EOF inside a request head: {self.buf[:200]!r}")
                return None
            self.buf += data

    # -- output -------------------------------------------------------------
    def out(self, data):
        bps, chunk = self.drip
        try:
            if bps <= 0:
                self.sock.sendall(data)
                return
            for i in range(0, len(data), chunk):
                wait = self.next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.sock.sendall(data[i:i + chunk])
                self.next_at = time.monotonic() + len(data[i:i + chunk]) / bps
        except OSError as e:
            raise Gone(f"sending: {e}") from None

    def text(self, text, variables):
        return hostile.unescape(hostile.expand(text, variables))

    # -- endings ------------------------------------------------------------
    def close(self, notify=True):
        if notify and isinstance(self.sock, ssl.SSLSocket):
            # close_notify out (unwrap also waits for the client's, briefly),
            # then the plain socket's FIN and drain below.
            try:
                self.sock.settimeout(TLS_CLOSE_WAIT)
                self.sock = self.sock.unwrap()
            except (OSError, ValueError) as e:
                self.log(f"TLS close: {e}")
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(0.2)
            end = time.monotonic() + CLOSE_DRAIN
            while time.monotonic() < end:
                try:
                    if not self.sock.recv(65536):
                        break
                except socket.timeout:
                    continue
        except OSError:
            pass

    def reset(self):
        # Close now: socketserver's own shutdown(SHUT_WR) would send a FIN first.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def stall(self):
        end = time.monotonic() + hostile.STALL_MAX
        self.sock.settimeout(0.5)
        while time.monotonic() < end:
            try:
                if not self.sock.recv(65536):
                    return "client closed"
            except socket.timeout:
                continue
            except OSError as e:
                return f"client went away ({e})"
        return "stall limit reached"

    # -- one request --------------------------------------------------------
    def play(self, script, variables):
        """Run one script; returns the ending directive or None (keep-alive)."""
        self.file_off = 0
        self.drip = (0.0, 1)
        for op, arg in script:
            if op == "send":
                self.out(self.text(arg, variables))
            elif op == "line":
                self.out(self.text(arg, variables) + b"\r\n")
            elif op == "repeat":
                n, t = arg
                # Decode once and splice the index in: 10,000 fields must be
                # ready long before any client timeout, even on a loaded box.
                parts = [self.text(piece, variables) for piece in t.split("${I}")]
                if len(parts) == 1:
                    self.out(parts[0] * n)
                else:
                    self.out(b"".join(str(i).encode().join(parts) for i in range(n)))
            elif op == "send_file":
                self.out(hostile.pattern(self.file_off, arg))
                self.file_off += arg
            elif op == "ok":
                self.out(f"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: {arg}\r\n\r\n"
                         .encode() + hostile.pattern(self.file_off, arg))
                self.file_off += arg
            elif op == "redirect":
                code, loc = arg
                self.out(f"HTTP/1.1 {code} Redirect\r\nLocation: ".encode() + self.text(loc, variables)
                         + b"\r\nContent-Length: 0\r\n\r\n")
            elif op == "pause":
                time.sleep(arg)
            elif op == "drip":
                self.drip = arg
                self.next_at = time.monotonic()
            elif op in ("close", "reset"):
                getattr(self, op)()
                return op
            elif op == "drop":
                self.close(notify=False)  # SSLSocket.shutdown sends no close_notify
                return op
            elif op == "stall":
                return "stall: " + self.stall()
        return None

    def no_script(self, why):
        self.log(f"no script: {why}; answering 500")
        body = f"hostile server: {why}\n".encode()
        self.out(b"HTTP/1.1 500 No Script\r\nConnection: close\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.close()

    def request(self, head):
        """Serve one request; returns False when the connection is over."""
        line = head.split("\n", 1)[0].rstrip("\r")
        parts = line.split(" ")
        if len(parts) != 3 or not parts[1].startswith("/"):
            self.no_script(f"bad request line {line[:200]!r}")
            return False
        target = parts[1]
        name, _, rest = target[1:].partition("/")
        case = self.srv.cases.get(name)
        if case is None:
            self.no_script(f"no case named {name!r}")
            return False
        if name not in self.conn_no:
            self.conn_no[name] = self.srv.counters.next_conn(name)
        self.nth += 1
        req_no = self.srv.counters.next_req(name)
        path = "/" + rest
        conn = self.conn_no[name]
        self.log(f"{name} conn={conn} nth={self.nth} req={req_no}: {line}")
        script = case.script_for(conn, self.nth, path)
        if script is None:
            self.no_script(f"case {name} has no section for conn={conn} nth={self.nth} path={path}")
            return False
        port = self.srv.port
        variables = {"BASE": f"{self.srv.base}/{name}", "CASE": f"/{name}",
                     "PORT": port, "REQ": req_no, "BLACKHOLE": self.srv.blackhole_port}
        end = self.play(script, variables)
        if end is not None:
            self.log(f"{name} conn={conn} nth={self.nth}: {end}")
            return False
        return True

    def run(self):
        try:
            while True:
                head = self.read_head()
                if head is None:
                    self.log("client closed")
                    return
                if not self.request(head):
                    return
        except Gone as e:
            self.log(f"client gone: {e}")


def blackhole():
    """A loopback port that completes no handshake: a listener with backlog 0
    whose accept queue is filled by our own connects, so the kernel drops
    further SYNs and a client's connect() hangs until its own timeout.
    Returns (port, sockets to keep alive)."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    keep = [lsock]
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        keep.append(s)
    return port, keep


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = self.request
        if self.server.tls is not None:
            sock.settimeout(TLS_HANDSHAKE_WAIT)
            try:
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError) as e:
                self.server.log(f"[{self.client_address[0]}:{self.client_address[1]}] TLS handshake: {e}")
                return
        Player(self.server, sock, self.client_address).run()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port, cases, log, tls=None):
        super().__init__(("127.0.0.1", port), Handler)
        self.port = self.server_address[1]
        self.tls = tls  # ssl.SSLContext in TLS mode, else None
        self.base = f"https://localhost:{self.port}" if tls else f"http://127.0.0.1:{self.port}"
        self.cases = {c.name: c for c in cases}
        self.counters = CaseCounters()
        self.log = log
        self.blackhole_port, self._blackhole = blackhole()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cases", default=hostile.CASES_DIR, help="directory of .case files")
    ap.add_argument("--log", help="log file (default stderr)")
    ap.add_argument("--tls-cert", help="TLS mode: the server certificate (PEM)")
    ap.add_argument("--tls-key", help="TLS mode: its private key (PEM)")
    args = ap.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        ap.error("--tls-cert and --tls-key go together")
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    cases = hostile.load_cases(args.cases)
    log = Log(open(args.log, "a", encoding="utf-8") if args.log else sys.stderr)
    srv = Server(args.port, cases, log, tls)
    log(f"{len(cases)} cases on port {srv.port}{' (TLS)' if tls else ''}")
    print(srv.base, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
