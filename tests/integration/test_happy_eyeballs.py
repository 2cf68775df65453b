"""test_happy_eyeballs.py - Happy Eyeballs (RFC 8305) and -4/-6, every
engine, against a name with a dead IPv6 address and a live IPv4 one.

The name `dual.test` resolves to ::1 and 127.0.0.1 through a private
/etc/hosts (`unshare --mount` and a bind mount; needs root).  On ::1 the
port has a listener whose backlog is full, so the kernel drops further SYNs
and a connect there hangs exactly like one to a dead route; 127.0.0.1 has
the real server on the same port.  quiver tries ::1 first (it is first in
the resolver's order), starts 127.0.0.1 250 ms later, and must be done well
before the 10 s connect timeout that a one-address-at-a-time client waits
out.  -4 goes straight to 127.0.0.1; -6 times out on ::1."""
import os
import shutil
import socket
import subprocess
import time

from qvtest import Skip, check, engines, read

TIMES = []  # (engine, seconds), printed for the record


def stalled_v6(port):
    """A listener on [::1]:port whose full backlog makes connects hang."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::1", port))
    s.listen(0)
    filler = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    filler.connect(("::1", port))
    return s, filler


def private_hosts(ctx):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        raise Skip("needs root and unshare (util-linux) for a private /etc/hosts")
    hosts = ctx.path("hosts")
    with open(hosts, "w") as f:
        f.write("::1 dual.test\n127.0.0.1 dual.test\n")
    return hosts


def run_named(ctx, hosts, *args, timeout=60):
    """quiver ARGS with dual.test in a private /etc/hosts; (code, err, secs)."""
    argv = ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"',
            hosts, ctx.quiver, *map(str, args)]
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ctx.tmp)
    if p.returncode != 0 and "mount" in p.stderr and "permission" in p.stderr.lower():
        raise Skip("cannot bind-mount /etc/hosts here")
    return p.returncode, p.stderr, time.monotonic() - t0


def setup(ctx):
    hosts = private_hosts(ctx)
    url = ctx.serve()  # http://127.0.0.1:PORT/flags
    port = int(url.split(":")[2].split("/")[0])
    try:
        stall = stalled_v6(port)
    except OSError as e:
        raise Skip(f"no IPv6 loopback here ({e})")
    return hosts, port, stall


def test_dead_ipv6_costs_one_attempt_delay(ctx):
    hosts, port, stall = setup(ctx)
    try:
        for e in engines(ctx):
            out = ctx.path(f"out-{e}")
            code, err, secs = run_named(ctx, hosts, "get", "--engine", e, "-o", out,
                                        "--connect-timeout", "10",
                                        f"http://dual.test:{port}/flags/cn/cn.gif")
            check(code == 0, f"{e}: exit {code}\n{err}")
            check(os.path.getsize(os.path.join(out, "cn.gif")) > 0)
            TIMES.append((e, secs))
            # 0.25 s of Happy Eyeballs plus process start-up; a client that
            # waits for the dead address needs the whole 10 s connect timeout
            check(secs < 2.5, f"{e}: {secs:.2f}s with a dead IPv6 address")
        print("  happy eyeballs, dead ::1 then 127.0.0.1: " +
              ", ".join(f"{e} {s:.2f}s" for e, s in TIMES))
    finally:
        for s in stall:
            s.close()


def test_ipv4_and_ipv6_only(ctx):
    hosts, port, stall = setup(ctx)
    try:
        for e in engines(ctx):
            code, err, secs = run_named(ctx, hosts, "get", "--engine", e, "-4", "-o",
                                        ctx.path(f"v4-{e}"), "--connect-timeout", "10",
                                        f"http://dual.test:{port}/flags/us/us.gif")
            check(code == 0 and secs < 2.5, f"-4 {e}: exit {code} after {secs:.2f}s\n{err}")
            code, err, secs = run_named(ctx, hosts, "get", "--engine", e, "-6", "-o",
                                        ctx.path(f"v6-{e}"), "--connect-timeout", "1",
                                        f"http://dual.test:{port}/flags/us/us.gif")
            check(code == 1 and "timed out" in err, f"-6 {e}: exit {code}\n{err}")
            check(secs < 5, f"-6 {e}: {secs:.2f}s")
            check(not os.path.exists(ctx.path(f"v6-{e}", "us.gif")))
        # an address family the name does not have
        code, err, _ = run_named(ctx, hosts, "get", "-6", "-o", ctx.path("none"),
                                 f"http://127.0.0.1:{port}/flags/us/us.gif")
        check(code == 1 and "no IPv6 address" in err, err)
    finally:
        for s in stall:
            s.close()
