"""hostile.py - the case-file format of quiver's hostile HTTP test server.

Shared by tests/hostile/server.py (which plays the server side of a case) and
tests/integration/test_hostile.py (which runs the client and checks the
outcome), in the spirit of curl's tests/server/sws.c + tests/data: each case
is a small text file, tests/hostile/cases/NNN-name.case, and the first path
segment of a request selects it, so a client pointed at
http://127.0.0.1:PORT/NNN-name gets that case's script.

FORMAT
  One directive per line; blank lines and lines starting with '#' are
  ignored.  TEXT arguments run to the end of the line and may use these
  escapes: \\r \\n \\t \\0 \\s (a space, for trailing ones) \\\\ and \\xHH; and
  these variables, expanded by the server when it plays the line:
    ${BASE}  http://127.0.0.1:PORT/NNN-name   (the case's own base URL)
    ${CASE}  /NNN-name                        (the same as an absolute path)
    ${PORT}  the server's port
    ${REQ}   1-based number of this request among all requests of the case
    ${BLACKHOLE}  a loopback port where connect() never completes (a
             listener whose accept queue is full), for connect timeouts
    ${I}     0-based repetition index inside `repeat`

  What the client is asked to do (anywhere in the file):
    desc TEXT             what the case is about (repeat to continue it)
    codes CC [CC ...]     country codes passed to `quiver flags` (default XX);
                          the client requests /NNN-name/{cc}/{cc}.gif
    timeout S             client --timeout (connect and idle), default 2
    workers N             client -w N (concurrent engines)
    expect success CC pattern N      DIR/CC.gif is the first N pattern bytes
    expect success CC text TEXT      ... is exactly TEXT (escapes decoded)
    expect success CC empty          ... exists and is empty
    expect success CC sha256 HEX     ... has that SHA-256
    expect error CC WORD [WORD ...]  CC failed: the client's error line for it
                          contains every WORD (case-insensitive substrings);
                          no DIR/CC.gif and no .part file may be left
    existing CC TEXT      DIR/CC.gif holds TEXT before the run: a failure must
                          leave it as it was, a success must replace it
    deadline S            the whole run must end within S seconds
                          (default: timeout + 0.5 when `timeout` is given,
                          else 3)
    min_elapsed S         ... and must not end before S seconds (a timeout
                          that fires early is a bug too)
    xfail [engine=E] REASON   known failure (quiver bug or missing feature):
                          a failure is reported as skipped with REASON; an
                          unexpected pass is reported as skipped "XPASS"
    pending REASON        the case cannot run yet: skipped
    tls                   serve this case over HTTPS: the test starts
                          server.py in TLS mode (start_tls_server) with a
                          test CA made by openssl now, and the client gets
                          https://localhost:PORT/NNN-name and --cacert CA;
                          ${BASE} then starts with https://localhost

  What the server does.  For every request it reads the request head (up to
  the empty line), then plays the first `on` section whose selector matches,
  or the default script (the script lines before the first `on`).  When the
  script ends without close/reset/stall, the connection is kept alive and the
  next request on it is read and played the same way.
    on SELECTOR ...       start a section; all given selectors must match:
                            *            any request
                            conn=N|N+    the Nth (or later) connection of the case
                            nth=N|N+     the Nth (or later) request on its connection
                            path=GLOB    request path after /NNN-name (fnmatch)
    send TEXT             send TEXT
    line [TEXT]           send TEXT and CRLF
    repeat N TEXT         send TEXT N times (${I} is the repetition index)
    send_file N           send the next N bytes of the pattern (the offset
                          restarts at 0 for every request)
    ok N                  a complete 200 response with Content-Length: N and
                          the next N pattern bytes
    redirect CODE TEXT    a complete CODE redirect with Location: TEXT
    pause S               sleep S seconds
    drip BPS [CHUNK]      from now on send in CHUNK-byte pieces (default 1)
                          at BPS bytes per second; `drip 0` turns it off
    close                 graceful close: FIN, then wait for the client's
                          (TLS mode: close_notify first)
    drop                  TLS mode: FIN without close_notify, an unsigned
                          end of data; plain HTTP: the same as close
    reset                 abortive close: SO_LINGER 0, so the client gets RST
    stall                 send nothing more; hold the connection until the
                          client goes away (at most STALL_MAX seconds)

  The pattern is byte i = (i + i // 251) % 256: deterministic, and not
  periodic on any power of two, so a shifted, repeated or dropped block
  changes the file.
"""
import fnmatch
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The TLS mode's test CA is made by the integration tests' testca.py.
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

import testca  # noqa: E402

CASES_DIR = os.path.join(HERE, "cases")

DEFAULT_CODES = ["XX"]
DEFAULT_TIMEOUT = 2.0
# A case with no timeout of its own must finish well before its client
# --timeout (2 s) could explain a slow run.
DEFAULT_DEADLINE = 3.0
# A timeout case may overrun its timeout by this much (the brief's + 0.5 s).
TIMEOUT_SLACK = 0.5
# `stall` gives up after this long so a forgotten client never pins a thread.
STALL_MAX = 60.0

SCRIPT_OPS = {"send", "line", "repeat", "send_file", "ok", "redirect", "pause", "drip",
              "close", "drop", "reset", "stall"}
CASE_NAME_RE = re.compile(r"^[0-9]{3}-[a-z0-9][a-z0-9-]*$")
CC_RE = re.compile(r"^[A-Z]{2}$")


class CaseError(Exception):
    """A case file that does not follow the format (file:line: why)."""


_PATTERN_TABLE = bytes(j % 256 for j in range(256 + 251))


def pattern(offset, n):
    """n bytes of the test pattern starting at offset.  Byte 251*k + r is
    (252*k + r) % 256, so whole 251-byte blocks are slices of one table."""
    out = bytearray()
    k, r = divmod(offset, 251)
    while len(out) < n:
        start = (252 * k) % 256
        out += _PATTERN_TABLE[start + r:start + 251]
        k, r = k + 1, 0
    return bytes(out[:n])


_ESC = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "s": b" ", "\\": b"\\"}


def unescape(text):
    """Decode the escapes of a TEXT argument into bytes (UTF-8 for the rest)."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise ValueError("backslash at end of line")
        e = text[i + 1]
        if e in _ESC:
            out += _ESC[e]
            i += 2
        elif e == "x" and re.match(r"[0-9a-fA-F]{2}$", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


def expand(text, variables):
    """Replace ${NAME} by variables[NAME] (before unescape)."""
    def sub(m):
        if m.group(1) not in variables:
            raise ValueError(f"unknown variable ${{{m.group(1)}}}")
        return str(variables[m.group(1)])
    return re.sub(r"\$\{([A-Z]+)\}", sub, text)


def _count_sel(value):
    """'3' -> (3, False), '3+' -> (3, True)."""
    m = re.match(r"^([1-9][0-9]*)(\+?)$", value)
    if not m:
        raise ValueError(f"bad count '{value}' (N or N+)")
    return int(m.group(1)), m.group(2) == "+"


class Selector:
    def __init__(self, args):
        self.conn = self.nth = self.path = None
        if args == ["*"]:
            return
        if not args:
            raise ValueError("on needs a selector (* conn=N nth=N path=GLOB)")
        for a in args:
            key, _, value = a.partition("=")
            if key == "conn":
                self.conn = _count_sel(value)
            elif key == "nth":
                self.nth = _count_sel(value)
            elif key == "path" and value:
                self.path = value
            else:
                raise ValueError(f"bad selector '{a}'")

    @staticmethod
    def _count_ok(sel, n):
        return sel is None or n == sel[0] or (sel[1] and n > sel[0])

    def matches(self, conn, nth, path):
        return (self._count_ok(self.conn, conn) and self._count_ok(self.nth, nth)
                and (self.path is None or fnmatch.fnmatchcase(path, self.path)))


class Case:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-len(".case")]
        self.desc = ""
        self.codes = list(DEFAULT_CODES)
        self.timeout = None
        self.workers = None
        self.expects = {}          # CC -> ("success", kind, arg) | ("error", [words])
        self.existing = {}         # CC -> bytes in DIR/CC.gif before the run
        self.deadline = None
        self.min_elapsed = 0.0
        self.xfails = []           # (engine or None, reason)
        self.pending = None
        self.tls = False
        self.default_script = []   # [(op, args, lineno)]
        self.sections = []         # [(Selector, script)]

    @property
    def client_timeout(self):
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT

    @property
    def max_secs(self):
        if self.deadline is not None:
            return self.deadline
        if self.timeout is not None:
            return self.timeout + TIMEOUT_SLACK
        return DEFAULT_DEADLINE

    def xfail_reason(self, engine):
        for eng, reason in self.xfails:
            if eng is None or eng == engine:
                return reason
        return None

    def script_for(self, conn, nth, path):
        for sel, script in self.sections:
            if sel.matches(conn, nth, path):
                return script
        return self.default_script or None


def _number(s, what, positive=True):
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"{what} must be a number, not '{s}'") from None
    if v < 0 or (positive and v == 0):
        raise ValueError(f"{what} must be {'> 0' if positive else '>= 0'}")
    return v


def _int(s, what):
    if not re.match(r"^[0-9]+$", s):
        raise ValueError(f"{what} must be a decimal count, not '{s}'")
    return int(s)


def _check_text(text):
    """Fail early on a bad escape or variable (expanded with dummy values)."""
    unescape(expand(text, {"BASE": "", "CASE": "", "PORT": 0, "REQ": 1, "I": 0, "BLACKHOLE": 0}))


def _parse_expect(case, rest):
    parts = rest.split(None, 2)
    if len(parts) < 2 or parts[0] not in ("success", "error"):
        raise ValueError("expect success CC KIND ... | expect error CC WORD ...")
    cc = parts[1]
    if not CC_RE.match(cc):
        raise ValueError(f"bad country code '{cc}' (two upper-case letters)")
    if cc in case.expects:
        raise ValueError(f"second expect for {cc}")
    tail = parts[2] if len(parts) > 2 else ""
    if parts[0] == "error":
        words = tail.split()
        if not words:
            raise ValueError("expect error needs at least one word")
        case.expects[cc] = ("error", words)
        return
    kind, _, arg = tail.partition(" ")
    if kind == "pattern":
        case.expects[cc] = ("success", "pattern", _int(arg.strip(), "pattern size"))
    elif kind == "text":
        case.expects[cc] = ("success", "bytes", unescape(arg))
    elif kind == "empty" and not arg.strip():
        case.expects[cc] = ("success", "pattern", 0)
    elif kind == "sha256" and re.match(r"^[0-9a-f]{64}$", arg.strip()):
        case.expects[cc] = ("success", "sha256", arg.strip())
    else:
        raise ValueError("expect success CC pattern N | text TEXT | empty | sha256 HEX")


def _parse_script_line(op, rest):
    """Validate one script directive; returns its stored args."""
    if op in ("send", "line"):
        _check_text(rest)
        return rest
    if op == "repeat":
        n, _, text = rest.partition(" ")
        _check_text(text)
        return (_int(n, "repeat count"), text)
    if op in ("send_file", "ok"):
        return _int(rest.strip(), f"{op} size")
    if op == "redirect":
        code, _, text = rest.partition(" ")
        if not re.match(r"^[1-9][0-9]{2}$", code):
            raise ValueError("redirect CODE LOCATION")
        _check_text(text)
        return (int(code), text)
    if op == "pause":
        return _number(rest.strip(), "pause", positive=False)
    if op == "drip":
        parts = rest.split()
        if not 1 <= len(parts) <= 2:
            raise ValueError("drip BPS [CHUNK]")
        bps = _number(parts[0], "drip rate", positive=False)
        chunk = _int(parts[1], "drip chunk") if len(parts) == 2 else 1
        if chunk == 0:
            raise ValueError("drip chunk must be > 0")
        return (bps, chunk)
    if rest.strip():
        raise ValueError(f"{op} takes no argument")
    return None


def _parse_line(case, op, rest, script):
    if op == "desc":
        case.desc = (case.desc + " " + rest.strip()).strip()
    elif op == "codes":
        codes = rest.split()
        if not codes or not all(CC_RE.match(c) for c in codes) or len(set(codes)) != len(codes):
            raise ValueError("codes needs distinct upper-case two-letter codes")
        case.codes = codes
    elif op == "timeout":
        case.timeout = _number(rest.strip(), "timeout")
    elif op == "workers":
        case.workers = _int(rest.strip(), "workers")
    elif op == "expect":
        _parse_expect(case, rest)
    elif op == "existing":
        cc, _, text = rest.partition(" ")
        if not CC_RE.match(cc) or cc in case.existing:
            raise ValueError("existing CC TEXT (once per code)")
        case.existing[cc] = unescape(text)
    elif op == "deadline":
        case.deadline = _number(rest.strip(), "deadline")
    elif op == "min_elapsed":
        case.min_elapsed = _number(rest.strip(), "min_elapsed", positive=False)
    elif op == "xfail":
        eng = None
        if rest.startswith("engine="):
            first, _, rest = rest.partition(" ")
            eng = first[len("engine="):]
        if not rest.strip():
            raise ValueError("xfail needs a reason")
        case.xfails.append((eng, rest.strip()))
    elif op == "pending":
        if not rest.strip():
            raise ValueError("pending needs a reason")
        case.pending = rest.strip()
    elif op == "tls":
        if rest.strip():
            raise ValueError("tls takes no argument")
        case.tls = True
    elif op == "on":
        script = []
        case.sections.append((Selector(rest.split()), script))
    elif op in SCRIPT_OPS:
        script.append((op, _parse_script_line(op, rest)))
    else:
        raise ValueError(f"unknown directive '{op}'")
    return script


def parse_case(path):
    """Parse one .case file; raises CaseError with file:line on a bad line."""
    case = Case(path)
    if not CASE_NAME_RE.match(case.name):
        raise CaseError(f"{path}: file name must be NNN-lower-case-name.case")
    script = case.default_script
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            op, _, rest = line.strip().partition(" ") if line == line.lstrip() else (None, "", "")
            if op is None:
                raise CaseError(f"{path}:{lineno}: directives start at the beginning of the line")
            try:
                script = _parse_line(case, op, rest, script)
            except ValueError as e:
                raise CaseError(f"{path}:{lineno}: {e}") from None
    for cc in case.codes:
        if cc not in case.expects:
            raise CaseError(f"{path}: no expect for {cc}")
    for cc in list(case.expects) + list(case.existing):
        if cc not in case.codes:
            raise CaseError(f"{path}: {cc} is not in codes")
    if not case.default_script and not case.sections:
        raise CaseError(f"{path}: no server script")
    return case


def load_cases(directory=CASES_DIR):
    """Every case of the directory, sorted by name; numbers must be unique."""
    cases = []
    seen = {}
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".case"):
            continue
        c = parse_case(os.path.join(directory, fn))
        num = c.name[:3]
        if num in seen:
            raise CaseError(f"{fn}: number {num} already used by {seen[num]}")
        seen[num] = c.name
        cases.append(c)
    return cases


# ---- TLS mode: a test CA made by openssl at test time ----------------------

def start_tls_server(spawn, workdir, log):
    """Make a test PKI in workdir and start server.py in TLS mode on a free
    port with spawn (a Popen-like that the caller stops, e.g. Ctx.spawn),
    logging to log.  Returns (base URL "https://localhost:PORT", CA path for
    --cacert)."""
    pki = testca.TestCA(workdir)
    pki.key("ca", "ec")  # EC P-256: fast to make
    ca = pki.ca("ca", "quiver hostile test CA", days=2)
    pki.key("server", "ec")
    cert = pki.leaf("server", "server", san="DNS:localhost, IP:127.0.0.1", key_usage="digitalSignature", days=2)
    key = pki.path("server.key")
    with open(log, "ab") as err:
        p = spawn([sys.executable, os.path.join(HERE, "server.py"), "--port", "0", "--log", log,
                   "--tls-cert", cert, "--tls-key", key], stdout=subprocess.PIPE, stderr=err, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("https://localhost:"):
        raise RuntimeError(f"hostile TLS server printed {line!r}")
    return line, ca
