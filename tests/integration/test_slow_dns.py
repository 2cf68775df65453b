"""test_slow_dns.py - a stuck name lookup must not stall other transfers
(DESIGN §8, curl #4852; issue 7).  quiver-asan's test-only hook
(tests/fault/hooks.c) makes getaddrinfo for one name sleep
(QV_FAULT_SLOW_DNS=NAME:MS) and then answer 127.0.0.1, so no DNS server is
needed.  With the poll and threads engines and -j 2, the slow URL comes first
and holds one slot while the six 127.0.0.1 URLs go through the other:
  - their --json lines (one per transfer, flushed as each ends) arrive well
    before the slow one, which also succeeds; the run ends in < DELAY + 1 s;
  - with --connect-timeout below the delay the lookup is abandoned on time
    (a dns_timeout error, the others saved), the run ends in < timeout + 0.5 s.
Skipped without ctx.asan (the hook is only in quiver-asan), and in the
release pass of the suite: it runs once, in the quiver-asan pass."""
import json
import os
import subprocess
import time

from qvtest import Skip, check

SLOW = "slow.test"
DELAY_MS = 3000
CODES = ("br", "cn", "fr", "de", "in", "id")
ENGINES = ("poll", "threads")


def timed_lines(ctx, argv, env):
    """Run quiver-asan; returns ([(seconds since start, json object)], exit, stderr, total seconds)."""
    asan = getattr(ctx, "asan", None)
    if not asan:
        raise Skip("no quiver-asan, which alone has the slow-DNS hook (it needs clang's sanitizer runtime: see the asan+ubsan skip line)")
    if not getattr(ctx, "sanitized", True):  # ctx.asan runs either way: once is enough
        raise Skip("runs in the quiver-asan pass (run.py --quiver quiver-asan --quiver-asan quiver-asan)")
    e = dict(os.environ)
    e.update(env)
    t0 = time.monotonic()
    p = subprocess.Popen([asan, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=e, cwd=ctx.tmp, text=True)
    lines = []
    for line in p.stdout:
        lines.append((time.monotonic() - t0, json.loads(line)))
    err = p.stderr.read()
    code = p.wait(timeout=30)
    return lines, code, err, time.monotonic() - t0


def urls(base):
    slow = base.replace("://127.0.0.1:", f"://{SLOW}:")
    return f"{slow}/us/us.gif", [f"{base}/{cc}/{cc}.gif" for cc in CODES]


def check_saved(out, lines):
    """Each success's file holds its bytes; nothing else (no .part) is left."""
    ok = sorted(os.path.basename(o["file"]) for _, o in lines if o["error"] is None)
    check(sorted(os.listdir(out)) == ok, f"{out} holds {sorted(os.listdir(out))}, expected {ok}")
    for _, o in lines:
        if o["error"] is None:
            check(os.path.getsize(os.path.join(out, os.path.basename(o["file"]))) == o["bytes"] > 0,
                  f"{o['file']}: size differs from {o['bytes']}")


def test_slow_name_does_not_stall_the_others(ctx):
    base = ctx.serve()
    slow, fast = urls(base)
    env = {"QV_FAULT_SLOW_DNS": f"{SLOW}:{DELAY_MS}"}
    delay = DELAY_MS / 1000
    for engine in ENGINES:
        out = ctx.path(f"o-{engine}")
        lines, code, err, total = timed_lines(
            ctx, ["get", "--engine", engine, "-j", "2", "--json", "-", "-o", out, slow, *fast], env)
        what = f"[{engine}] exit {code} in {total:.2f}s: {[(round(t, 3), o['url']) for t, o in lines]}\n{err}"
        check(code == 0 and len(lines) == 1 + len(fast), what)
        *others, (t_slow, o_slow) = lines
        check(o_slow["url"] == slow and o_slow["error"] is None, f"the slow one is not last: {what}")
        last_fast = max(t for t, _ in others)
        # "well before": the six fast ones end within half the delay
        check(last_fast < delay / 2, f"the others ended at {last_fast:.2f}s: {what}")
        check(t_slow >= delay - 0.05 and total < delay + 1, what)
        check_saved(out, lines)
        print(f"slow dns [{engine}]: 6 others done by {last_fast:.3f}s, {SLOW} at {t_slow:.3f}s, "
              f"exit 0 in {total:.2f}s (delay {delay:g}s)")


def test_slow_name_abandoned_at_connect_timeout(ctx):
    base = ctx.serve()
    slow, fast = urls(base)
    env = {"QV_FAULT_SLOW_DNS": f"{SLOW}:{DELAY_MS}"}
    timeout = 1
    for engine in ENGINES:
        out = ctx.path(f"o-{engine}")
        lines, code, err, total = timed_lines(
            ctx, ["get", "--engine", engine, "-j", "2", "--connect-timeout", str(timeout),
                  "--json", "-", "-o", out, slow, *fast], env)
        what = f"[{engine}] exit {code} in {total:.2f}s: {[(round(t, 3), o['url']) for t, o in lines]}\n{err}"
        check(code == 1 and len(lines) == 1 + len(fast), what)
        bad = [o for _, o in lines if o["error"] is not None]
        check([o["url"] for o in bad] == [slow], what)
        check(bad[0].get("code") == "dns_timeout" and "could not resolve host" in bad[0]["error"], what)
        check(total < timeout + 0.5, f"not abandoned on time: {what}")
        check_saved(out, lines)
        print(f"slow dns [{engine}]: lookup abandoned, exit 1 in {total:.2f}s "
              f"(--connect-timeout {timeout}, delay {DELAY_MS / 1000:g}s)")
