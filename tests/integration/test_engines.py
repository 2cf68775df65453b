"""test_engines.py - the threads and poll engines end to end.

Each flags case of test_flags.py runs again per concurrent engine (codes then
print in completion order, so only their set is checked); then what only
concurrency shows: the book's speed-up (POP20 at 0.1 s per request with 20
workers in under 0.5 s), no CPU while a slow server makes us wait, thousands of
transfers against `quiver serve` and nginx with every file checked, failures of
several kinds in one run classified one by one, the open-file limit, SIGINT,
and the demo's comparison table.  Cases are generated as test_NAME_ENGINE."""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import time
import urllib.request

from qvtest import POP20, Skip, check, country_codes
from test_flags import failures_go_on, nginx_bytes_and_redirects, pop20_from_serve, seed_output, silent_server

ENGINES = ("threads", "poll")


def all_codes():
    """The 194 codes of the book's country_codes.txt."""
    return country_codes()


def flags(ctx, engine, *args, **kw):
    return ctx.run("flags", "--engine", engine, *args, **kw)


def have_get(ctx):
    r = ctx.run("get", "--help")
    if r.code != 0:
        raise Skip("quiver get is not in this build yet")


# ---- the flags cases, per engine ----

def case_pop20_from_serve(ctx, engine):
    pop20_from_serve(ctx, "--engine", engine, in_order=False)


def case_nginx_bytes_and_redirects(ctx, engine):
    nginx_bytes_and_redirects(ctx, "--engine", engine)


def case_failures_go_on(ctx, engine):
    failures_go_on(ctx, "--engine", engine)


def case_refused(ctx, engine):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = flags(ctx, engine, "--site", f"http://127.0.0.1:{port}/flags", "-o", ctx.path("o"), "cn", "us")
    check(r.code == 1 and seed_output(r)[1] == 0, r)
    for cc in ("CN", "US"):
        check(f"{cc} error: could not connect to 127.0.0.1:{port}: Connection refused" in r.err, r)


def case_read_timeout_concurrent(ctx, engine):
    port = silent_server(ctx)
    r = flags(ctx, engine, "--site", f"http://127.0.0.1:{port}/flags", "-o", ctx.path("o"),
              "--timeout", "0.3", "cn", "us", timeout=20)
    check(r.code == 1, r)
    for cc in ("CN", "US"):
        check(f"{cc} error: read timed out after 0.3s (no data from 127.0.0.1:{port})\n" in r.err, r)
    # both wait at once: one timeout, not two in a row
    check(0.29 < r.secs < 0.55, r)


def case_sigint_removes_parts(ctx, engine):
    port = silent_server(ctx, partial=True)
    out = ctx.path("o")
    p = subprocess.Popen([ctx.quiver, "flags", "--engine", engine, "--site", f"http://127.0.0.1:{port}/flags",
                          "-o", out, "cn", "us", "br"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parts = [os.path.join(out, f"{cc}.gif.part") for cc in ("CN", "US", "BR")]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(os.path.exists(x) for x in parts):
        time.sleep(0.02)
    check(all(os.path.exists(x) for x in parts), f"not every .part appeared: {os.listdir(out)}")
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    o, e = p.communicate(timeout=5)
    check(time.monotonic() - t0 < 1.0, "stop took over a second")
    check(p.returncode == 130, f"exit {p.returncode}\n{o}\n{e}")
    check(os.listdir(out) == [], os.listdir(out))
    check(re.match(r"^\n0 downloads in \d+\.\d\ds\n$", o) is not None, o)


def case_pop20_delay_20_workers(ctx, engine):
    """The book's point: 20 flags at 0.1 s each take one delay, not twenty."""
    base = ctx.serve("--delay", "0.1")
    r = flags(ctx, engine, "-w", "20", "--site", base, "-o", ctx.path("out"))
    check(r.code == 0, r)
    codes, count, secs = seed_output(r)
    check(count == 20 and sorted(codes) == sorted(POP20), r)
    check(secs < 0.5, f"POP20 at delay 0.1 with 20 workers took {secs}s\n{r!r}")


def case_no_cpu_while_waiting(ctx, engine):
    base = ctx.serve("--delay", "1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = flags(ctx, engine, "-w", "20", "--site", base, "-o", ctx.path("out"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    check(r.code == 0 and seed_output(r)[1] == 20, r)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # a busy wait would burn the whole second; waiting on poll() costs ~nothing
    check(cpu < 0.2, f"{engine} used {cpu:.3f}s of CPU in a {r.secs:.2f}s run")


def case_fd_limit_lowers_concurrency(ctx, engine):
    """ulimit -n 64 and 200 concurrent: a warning, fewer at once, no failure."""
    base = ctx.serve()
    codes = all_codes()
    out = ctx.path("out")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    p = subprocess.run([ctx.quiver, "flags", "--engine", engine, "-w", "200", "--site", base, "-o", out,
                        *codes], capture_output=True, text=True, preexec_fn=limit, timeout=60)
    check(p.returncode == 0, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    m = re.match(r"quiver: warning: the open-file limit \(ulimit -n 64\) allows (\d+) transfers at once, "
                 r"not (\d+)\n$", p.stderr)
    check(m is not None, p.stderr)
    check(1 <= int(m.group(1)) < 64 and int(m.group(2)) == len(codes), p.stderr)
    check(re.search(rf"\n{len(codes)} downloads in \d+\.\d\ds\n$", p.stdout) is not None, p.stdout)
    check(len(os.listdir(out)) == len(codes), len(os.listdir(out)))


# ---- thousands of transfers (quiver get) ----

def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as f:
        return f.read()


def check_copies(outdir, want, copies):
    """outdir holds cc.gif, cc.1.gif, ... (--auto-rename) for each code, each
    equal to want[cc]; nothing else (no .part)."""
    names = os.listdir(outdir)
    check(len(names) == sum(copies.values()), f"{len(names)} files, want {sum(copies.values())}")
    for name in names:
        cc = name.split(".", 1)[0]
        check(name.endswith(".gif") and cc in want, f"unexpected file {name}")
        with open(os.path.join(outdir, name), "rb") as f:
            check(f.read() == want[cc], f"{name} differs from the server's {cc}.gif")


def big_run(ctx, engine, urls, parallel, want, timeout):
    """`quiver get` of urls (.../CC.gif, CC in want), then the output checked
    with check_copies: one file per URL."""
    copies = {}
    for u in urls:
        cc = u.rsplit("/", 1)[1][:2]
        copies[cc] = copies.get(cc, 0) + 1
    listing = ctx.path(f"urls-{engine}.txt")
    with open(listing, "w") as f:
        f.write("\n".join(urls) + "\n")
    out = ctx.path(f"out-{engine}")
    r = ctx.run("get", "--engine", engine, "-j", parallel, "--per-host", parallel, "--auto-rename", "-q",
                "--retry", "0", "-o", out, "-i", listing, timeout=timeout)
    check(r.code == 0, r)
    check_copies(out, want, copies)
    return r


def case_10000_at_1000_serve(ctx, engine):
    have_get(ctx)
    base = ctx.serve()
    codes = [c.lower() for c in all_codes()]
    want = {c: fetch(f"{base}/{c}/{c}.gif") for c in codes}
    urls = [f"{base}/{codes[i % len(codes)]}/{codes[i % len(codes)]}.gif" for i in range(10000)]
    big_run(ctx, engine, urls, 1000, want, timeout=240)


def case_2000_at_200_nginx(ctx, engine):
    have_get(ctx)
    www = ctx.flags_tree()
    os.chmod(ctx.tmp, 0o755)
    base = ctx.nginx(www)
    codes = sorted(os.listdir(os.path.join(www, "flags")))
    want = {}
    for c in codes:
        with open(os.path.join(www, "flags", c, f"{c}.gif"), "rb") as f:
            want[c] = f.read()
    urls = [f"{base}/flags/{codes[i % len(codes)]}/{codes[i % len(codes)]}.gif" for i in range(2000)]
    big_run(ctx, engine, urls, 200, want, timeout=120)


def case_mixed_failures_one_run(ctx, engine):
    """404s, a stalled host, a refused port and good files in one run: each
    gets its own outcome."""
    have_get(ctx)
    base = ctx.serve()
    stall = silent_server(ctx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        refused = s.getsockname()[1]
    urls = {
        f"{base}/cn/cn.gif": None,
        f"{base}/zz/zz.gif": "http_status",
        f"http://127.0.0.1:{stall}/flags/us/us.gif": "read_timeout",
        f"http://127.0.0.1:{refused}/flags/br/br.gif": "connect",
        f"{base}/qq/qq.gif": "http_status",
        f"{base}/fr/fr.gif": None,
    }
    listing = ctx.path("urls.txt")
    with open(listing, "w") as f:
        f.write("\n".join(urls) + "\n")
    r = ctx.run("get", "--engine", engine, "-j", "6", "--timeout", "0.5", "--json", ctx.path("out.json"),
                "-q", "-o", ctx.path("out"), "-i", listing, timeout=30)
    check(r.code == 1, r)
    with open(ctx.path("out.json")) as f:
        recs = {j["url"]: j for j in map(json.loads, f)}
    check(set(recs) == set(urls), recs)
    for url, code in urls.items():
        got = recs[url]
        check(got.get("code") == code, f"{url}: {got}")
    check(recs[f"{base}/zz/zz.gif"]["status"] == 404, recs)
    check(sorted(os.listdir(ctx.path("out"))) == ["cn.gif", "fr.gif"], os.listdir(ctx.path("out")))
    check(r.secs < 3, r)


def _make(case, engine):
    def test(ctx):
        case(ctx, engine)
    return test


for _name, _case in list(globals().items()):
    if _name.startswith("case_"):
        for _engine in ENGINES:
            globals()[f"test_{_name[5:]}_{_engine}"] = _make(_case, _engine)


def test_demo_table(ctx):
    r = ctx.run("demo", "--delay", "0.05", timeout=60)
    check(r.code == 0, r)
    for engine in ("seq", "threads", "poll"):
        check(f"\n{engine}:\n" in r.out, r)
    rows = dict((m.group(1), (int(m.group(2)), float(m.group(3)), float(m.group(4))))
                for m in re.finditer(r"^(seq|threads|poll) +(\d+) +(\d+\.\d\d) +(\d+\.\d\d)x$", r.out, re.M))
    check(set(rows) == {"seq", "threads", "poll"}, r)
    check(rows["seq"][0] == 1 and rows["seq"][2] == 1.0, r)
    for engine in ("threads", "poll"):
        check(rows[engine][2] > 2.0, f"{engine} speed-up {rows[engine][2]}\n{r.out}")
