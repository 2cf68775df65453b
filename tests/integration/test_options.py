"""test_options.py - every command's options through the one scanner
(src/cli/opt.c) and every numeric option through the one checked parser
(src/cli/num.c): what cannot be represented is refused with a message naming
the option and exit status 2, never taken as something else (2^64 + 4 once
became a 4-byte --max-filesize).

Run directly (`python3 tests/integration/test_options.py BIN`) it prints the
table of refusals as the binary words them, for reports."""
import os
import sys

from qvtest import check, free_port

BIG = "18446744073709551620"        # 2^64 + 4: wraps to 4 in 64 bits
NEG, EMPTY, JUNK = "-1", "", "x1"
COMMON = (BIG, NEG, EMPTY, JUNK)
# Should a bad value be taken, the command must still reach nothing but the
# loopback: get only plans (-n), the flags commands meet a closed port.
GET_POST = ["-n", "http://h/x"]
FLAGS_POST = ["--site", "http://127.0.0.1:9/flags", "cn"]
FLAGS2_POST = ["-s", "http://127.0.0.1:9/flags", "cn"]

# command, the arguments before and after the option, the option, the name the
# message must carry, and the inputs just past its range.
OPTIONS = [
    ("get", [], GET_POST, "-j", "--parallel", ["0", "1001"]),
    ("get", [], GET_POST, "--per-host", "--per-host", ["0", "1001"]),
    ("get", [], GET_POST, "--max-redirs", "--max-redirs", ["1001"]),
    ("get", [], GET_POST, "--retry", "--retry", ["101"]),
    ("get", [], GET_POST, "--retry-delay", "--retry-delay", ["0", "86400.001", "0.0001"]),
    ("get", [], GET_POST, "--connect-timeout", "--connect-timeout", ["0", "86400.001"]),
    ("get", [], GET_POST, "--timeout", "--timeout", ["0", "86401", "1.0005"]),
    ("get", [], GET_POST, "--max-time", "--max-time", ["0", "86400.001"]),
    ("get", [], GET_POST, "--limit-rate", "--limit-rate", ["0", "4611686018427387905", "4294967297G", "1T"]),
    ("get", [], GET_POST, "--max-filesize", "--max-filesize", ["0", "4611686018427387905", "1.5M"]),
    ("get", ["--shard", "auto"], GET_POST, "--shards", "--shards", ["0", "1000001"]),
    ("get", [], GET_POST, "--shard", "--shard", [BIG + "/16", "0/" + BIG, "-1/16", "1/-16"]),
    ("flags", [], FLAGS_POST, "-w", "--workers", ["0", "1001"]),
    ("flags", [], FLAGS_POST, "--timeout", "--timeout", ["0", "86400.001", "6.1234"]),
    ("flags2", [], FLAGS2_POST, "-l", "--limit", ["0", "1000000001"]),
    ("flags2", [], FLAGS2_POST, "-m", "--max_req", ["0", "1000000001"]),
    ("flags2", [], FLAGS2_POST, "--timeout", "--timeout", ["0", "86400.001"]),
    ("flags3", [], FLAGS2_POST, "-l", "--limit", ["0"]),
    ("flags3", [], FLAGS2_POST, "--max-req", "--max_req", ["0"]),
    ("serve", ["--port", "0"], [], "--port", "--port", ["65536"]),
    ("serve", ["--port", "0"], [], "--delay", "--delay", ["3600.001", "0.0001"]),
    ("serve", ["--port", "0"], [], "--jitter", "--jitter", ["3600.001", "0.0001"]),
    ("serve", ["--port", "0"], [], "--error-rate", "--error-rate", ["1.000001", "0.0000001", "1e-3"]),
    ("serve", ["--port", "0"], [], "--seed", "--seed", ["18446744073709551616"]),
    ("demo", ["--engine", "seq"], [], "--delay", "--delay", ["3600.001", "4000", "0.0001"]),
]


def refusals():
    """(command, option, value, argv, the name to find) for every refusal the
    table asks for."""
    for cmd, pre, post, opt, name, over in OPTIONS:
        for value in (*COMMON, *over):
            yield cmd, opt, value, [*pre, opt, value, *post], name


def first_message(r, cmd):
    """The line that says why (flags2/flags3 print the book's usage errors on stdout)."""
    text = r.out if cmd in ("flags2", "flags3") else r.err
    return text.splitlines()[0] if text else ""


def test_numeric_options_refuse_what_they_cannot_hold(ctx):
    bad = []
    for cmd, _, _, args, name in refusals():
        try:  # an accepted serve value would serve until killed
            r = ctx.run(cmd, *args, timeout=15 if cmd in ("serve", "demo") else 60)
        except AssertionError as e:
            bad.append(f"{cmd} {args}: {e}")
            continue
        msg = first_message(r, cmd)
        prefix = "*** Usage error: " if cmd in ("flags2", "flags3") else f"quiver {cmd}: "
        if r.code != 2 or not msg.startswith(prefix) or name not in msg:
            bad.append(f"{cmd} {args}: exit {r.code}: {msg!r}")
    check(not bad, "\n".join(bad))
    check(not os.path.exists(ctx.path("downloaded")), "nothing downloaded")


def test_numeric_options_take_their_limits(ctx):
    # get -n parses, plans and prints without a byte on the network
    r = ctx.run("get", "-n", "-j", "1000", "--per-host", "1000", "--max-redirs", "1000", "--retry", "100",
                "--retry-delay", "0.001", "--timeout", "86400", "--max-time", "86400.000",
                "--limit-rate", "4294967296G", "--max-filesize", "4611686018427387904", "http://h/x")
    check(r.code == 0 and r.out == "http://h/x\tx\n", r)
    r = ctx.run("get", "-n", "--shard", "15/16", "--max-redirs", "0", "--retry", "0", "--limit-rate", "1",
                "http://h/x")
    check(r.code == 0, r)
    r = ctx.run("get", "-n", "--shard", "auto", "--shards", "1000000", "http://h/x",
                env={"JOB_COMPLETION_INDEX": "999999"})
    check(r.code == 0, r)
    url = ctx.serve("--seed", "18446744073709551615", "--delay", "0.001", "--jitter", "3600",
                    "--error-rate", "0.000001")
    check(url.startswith("http://127.0.0.1:"), url)
    url = ctx.serve("--error-rate", "1", "--delay", "0")
    r = ctx.run("get", "-q", "-o", ctx.path("o"), url + "/cn/cn.gif")
    check(r.code == 1, r)  # every answer is 418


def test_flags2_limit_and_max_req_take_large_values(ctx):
    # the book's -m is capped at 1000 concurrent connections, not refused;
    # a limit past the number of codes is no limit
    port = free_port()
    r = ctx.run("flags2", "-l", "1000000000", "-m", "1000000000", "-s", f"http://127.0.0.1:{port}/flags", "b")
    check(r.code == 1, r)
    check("Searching for 26 flags: from BA to BZ\n26 concurrent connections will be used.\n" in r.out, r)


def test_demo_delay_beyond_what_serve_takes_is_a_usage_error(ctx):
    # demo hands --delay to serve: one parser and one limit, so the demo
    # refuses at once what its server would refuse
    r = ctx.run("demo", "--delay", "4000", timeout=15)
    check(r.code == 2 and r.err.startswith("quiver demo: ") and "--delay" in r.err, r)
    check("server exited" not in r.err, r)


def test_option_spellings_are_the_same_everywhere(ctx):
    port = free_port()
    site = f"http://127.0.0.1:{port}/flags"  # refused: a run that parsed exits 1
    out = ctx.path("o")
    for spelling in (["-w8"], ["-w", "8"], ["--workers=8"], ["--workers", "8"], ["-kw8"], ["-kw", "8"]):
        r = ctx.run("flags", *spelling, "--site", site, "-o", out, "cn", "--", "us")
        check(r.code == 1 and "CN error: " in r.err and "US error: " in r.err, (spelling, r))
    r = ctx.run("flags", "--site", site, "--", "-w8")
    check(r.code == 2 and "invalid country code '-w8'" in r.err, r)
    for spelling in (["-m8"], ["-m", "8"], ["--max_req=8"], ["--max-req", "8"], ["-vm8"], ["-vm", "8"]):
        r = ctx.run("flags2", *spelling, "-e", "-l", "20", "-s", site, "-o", out, "--", "a")
        check(r.code == 1 and "\n8 concurrent connections will be used.\n" in r.out, (spelling, r))
    for spelling in (["-j8"], ["-j", "8"], ["--parallel=8"], ["--parallel", "8"], ["-qj8"], ["-qnj", "8"]):
        r = ctx.run("get", "-n", *spelling, "http://h/a", "--", "-j")
        check(r.code == 2 and "-j: " in r.err, (spelling, r))  # "-j" after "--" is a URL
        r = ctx.run("get", "-n", *spelling, "--", "http://h/a")
        check(r.code == 0 and r.out == "http://h/a\ta\n", (spelling, r))
    for spelling in (["--port=0"], ["--port", "0"], ["--delay=0.01"], ["--delay", "0.01"],
                     ["--tls", "--cert=x", "--key", "y"]):
        r = ctx.run("serve", *spelling, "--help")
        check(r.code == 0 and r.out.startswith("usage: quiver serve"), (spelling, r))
    check(ctx.serve("--port=0", "--delay=0.01", "--").startswith("http://127.0.0.1:"), "serve")
    r = ctx.run("serve", "--port", "0", "--", "x")
    check(r.code == 2 and "unexpected argument 'x'" in r.err, r)
    r = ctx.run("serve", "--tls=1")
    check(r.code == 2 and "option --tls takes no value" in r.err, r)
    r = ctx.run("demo", "--engine=seq", "--delay=0", "--", timeout=60)
    check(r.code == 0 and "\nseq:\n" in r.out, r)
    for cmd in ("flags", "flags2", "get", "serve", "demo"):
        r = ctx.run(cmd, "--nope=1")
        text = r.out if cmd == "flags2" else r.err
        check(r.code == 2 and "'--nope'" in text, (cmd, r))
        r = ctx.run(cmd, "--timeout" if cmd not in ("serve", "demo") else "--delay")
        text = r.out if cmd == "flags2" else r.err
        check(r.code == 2 and "needs a value" in text, (cmd, r))


def main():
    """Print the refusal table (markdown) as BIN words it."""
    import subprocess
    quiver = sys.argv[1]
    print("| command | option | input | exit | message |")
    print("|---|---|---|---|---|")
    for cmd, opt, value, args, _ in refusals():
        try:
            p = subprocess.run([quiver, cmd, *args], capture_output=True, text=True, timeout=15)
            code, text = p.returncode, p.stdout if cmd in ("flags2", "flags3") else p.stderr
        except subprocess.TimeoutExpired:
            code, text = "-", "(still running after 15 s)"
        msg = text.splitlines()[0] if text else ""
        print(f"| {cmd} | {opt} | `{value}` | {code} | {msg.replace('|', '/')} |")


if __name__ == "__main__":
    main()
