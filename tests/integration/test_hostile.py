"""test_hostile.py - quiver against the hostile HTTP server (tests/hostile/).

Every case file tests/hostile/cases/NNN-name.case (format: tests/hostile/
hostile.py) becomes one test per engine, test_NNN_name_ENGINE, generated at
import time.  A test starts tests/hostile/server.py on a free loopback port,
points the client at http://127.0.0.1:PORT/NNN-name, and checks:
  - the outcome: exit status, exact file bytes for successes, the expected
    words in each failure's error line;
  - data safety (DESIGN 5): DIR holds exactly the files of the successes, no
    file and no .part for a failure;
  - no hang: the run ends within the case's deadline (timeout + 0.5 s for
    timeout cases, a few seconds otherwise) and not before min_elapsed.
Engines the binary does not have yet (`not available`) are skipped; xfail
and pending cases are reported as skipped with their reason.

The client command is built in one place, client_command(): switch it to
`quiver get` when that arrives.
"""
import hashlib
import os
import re
import subprocess
import sys

from qvtest import REPO, Skip, check

HOSTILE = os.path.join(REPO, "tests", "hostile")
sys.path.insert(0, HOSTILE)

import hostile  # noqa: E402

SERVER = os.path.join(HOSTILE, "server.py")
ENGINES = ("seq", "threads", "poll")
# Extra wall time before a hung client is killed (the deadline check fails it
# anyway; this only bounds how long the suite waits for it).
KILL_GRACE = 5.0

_engine_ok = {}


class Client:
    """One client invocation: its argv, where each code's file lands, and how
    to find a code's error line in stderr."""

    def __init__(self, argv, files, error_re):
        self.argv = argv
        self.files = files          # CC -> file name inside outdir
        self.error_re = error_re    # CC -> compiled regex matching its error line

    def error_line(self, stderr, cc):
        m = self.error_re[cc].search(stderr)
        return m.group(0) if m else None


def client_command(engine, base, outdir, case):
    """The command under test.  Today `quiver flags`, which requests
    {base}/{cc}/{cc}.gif, saves OUT/{CC}.gif and prints `{CC} error: ...`."""
    argv = ["flags", "--engine", engine, "--site", base, "-o", outdir,
            "--timeout", f"{case.client_timeout:g}"]
    if case.workers is not None:
        argv += ["-w", str(case.workers)]
    argv += case.codes
    files = {cc: f"{cc}.gif" for cc in case.codes}
    error_re = {cc: re.compile(rf"^{cc} error: .*$", re.M) for cc in case.codes}
    return Client(argv, files, error_re)


def engine_available(ctx, engine):
    """Ask the binary once per engine (a refused connect answers fast)."""
    key = (ctx.quiver, engine)
    if key not in _engine_ok:
        r = ctx.run("flags", "--engine", engine, "--site", "http://127.0.0.1:1",
                    "-o", ctx.path("probe"), "--timeout", "1", "XX", timeout=30)
        _engine_ok[key] = not (r.code == 2 and "not available" in r.err)
    return _engine_ok[key]


def start_server(ctx):
    """Start the hostile server; returns (base URL, log path)."""
    log = ctx.path("server.log")
    # stderr (tracebacks) to the log too: an unread pipe could fill and block it.
    with open(log, "ab") as err:
        p = ctx.spawn([sys.executable, SERVER, "--port", "0", "--log", log],
                      stdout=subprocess.PIPE, stderr=err, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("http://"):
        raise AssertionError(f"hostile server printed {line!r}: {_tail(log)}")
    return line, log


def _tail(path, n=40):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def check_outcome(case, client, r, outdir):
    """Every check of one run; raises AssertionError saying what differs."""
    check(r.secs <= case.max_secs, f"took {r.secs:.2f}s, deadline {case.max_secs:g}s")
    check(r.secs >= case.min_elapsed, f"ended after {r.secs:.2f}s, before {case.min_elapsed:g}s")
    ok = [cc for cc in case.codes if case.expects[cc][0] == "success"]
    want_code = 0 if len(ok) == len(case.codes) else 1
    check(r.code == want_code, f"exit status {r.code}, expected {want_code}")
    check(re.search(rf"^{len(ok)} downloads in ", r.out, re.M),
          f"stdout does not count {len(ok)} downloads")
    left = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    want_files = sorted(client.files[cc] for cc in set(ok) | set(case.existing))
    check(left == want_files, f"DIR holds {left}, expected {want_files}")
    for cc in case.codes:
        exp = case.expects[cc]
        line = client.error_line(r.err, cc)
        if exp[0] == "error":
            check(line is not None, f"no error line for {cc}")
            missing = [w for w in exp[1] if w.lower() not in line.lower()]
            check(not missing, f"{cc}: error line {line!r} lacks {missing}")
            if cc in case.existing:
                with open(os.path.join(outdir, client.files[cc]), "rb") as f:
                    check(f.read() == case.existing[cc], f"{cc}: the failed download changed the existing file")
            continue
        check(line is None, f"{cc} should succeed, got {line!r}")
        with open(os.path.join(outdir, client.files[cc]), "rb") as f:
            data = f.read()
        if exp[1] == "sha256":
            check(hashlib.sha256(data).hexdigest() == exp[2], f"{cc}: sha256 differs")
            continue
        want = hostile.pattern(0, exp[2]) if exp[1] == "pattern" else exp[2]
        check(data == want, f"{cc}: {len(data)} bytes saved, expected {len(want)}"
              f" (first difference at {_first_diff(data, want)})")


def _first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def run_case(ctx, case, engine):
    if case.pending:
        raise Skip(f"pending: {case.pending}")
    if not engine_available(ctx, engine):
        raise Skip(f"engine {engine} not available in this build yet")
    cacert = None
    if case.tls:  # server.py in TLS mode, with a test CA made by openssl now
        log = ctx.path("server.log")
        try:
            base, cacert = hostile.start_tls_server(ctx.spawn, ctx.path("tls"), log)
        except FileNotFoundError:
            raise Skip("openssl not installed (apt-get install openssl)") from None
    else:
        base, log = start_server(ctx)
    outdir = ctx.path("out")
    client = client_command(engine, f"{base}/{case.name}", outdir, case)
    if cacert is not None:
        client.argv[1:1] = ["--cacert", cacert]
    for cc, data in case.existing.items():
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(outdir, client.files[cc]), "wb") as f:
            f.write(data)
    xfail = case.xfail_reason(engine)
    try:
        r = ctx.run(*client.argv, timeout=case.max_secs + KILL_GRACE)
        try:
            check_outcome(case, client, r, outdir)
        except AssertionError as e:
            raise AssertionError(f"{case.name} [{engine}]: {e}\n{r!r}\n--server log--\n{_tail(log)}") from None
    except AssertionError as e:
        if xfail:
            raise Skip(f"xfail: {xfail} -- {str(e).splitlines()[0]}") from None
        raise
    if xfail:
        raise Skip(f"XPASS, remove the xfail line: {xfail}")


def _load():
    try:
        return hostile.load_cases(), None
    except (hostile.CaseError, OSError) as e:
        return [], e


CASES, LOAD_ERROR = _load()


def test_000_case_files(ctx):
    """The case files parse; prints how many there are."""
    check(LOAD_ERROR is None, f"bad case file: {LOAD_ERROR}")
    pending = sum(1 for c in CASES if c.pending)
    xfail = sum(1 for c in CASES if c.xfails)
    print(f"hostile: {len(CASES)} cases ({pending} pending, {xfail} with xfail) "
          f"x {len(ENGINES)} engines ({', '.join(ENGINES)})")
    check(len(CASES) >= 30, f"only {len(CASES)} cases")


def _make_test(case, engine):
    def test(ctx):
        run_case(ctx, case, engine)
    test.__doc__ = case.desc
    return test


for _c in CASES:
    for _e in ENGINES:
        globals()[f"test_{_c.name.replace('-', '_')}_{_e}"] = _make_test(_c, _e)
