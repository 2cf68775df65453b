#!/usr/bin/env python3
"""suite.py - quiver's benchmark cases (DESIGN §7), driven by bench/run.sh.

Every case runs quiver and its peers side by side in one run against the same local
server, several times each; a row keeps the median and the spread of the wall time, the
CPU time (user+sys) and the peak RSS that /usr/bin/time reports for the whole process
tree.  A row whose prerequisite is missing (a quiver command, TLS, a Python program) is
recorded as "not run: reason", so the suite works on any revision.  A run counts only if
the tool exits 0 and leaves exactly the expected number of files.  Stdlib only.
"""
import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import servers  # noqa: E402
import report  # noqa: E402

POP20 = "CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR".split()
RUN_TIMEOUT = 240  # seconds; a run this long is recorded as failed (timed out)
MANY_TIMEOUT = 60  # seconds; cases 6 and 7 (aria2c needs minutes for 10,000 small files)
SLOW_RUN = 20  # seconds; a row whose first run takes longer is not repeated (15-minute budget)
JUNK = (".part", ".aria2", ".tmp")


class Ctx:
    def __init__(self, a):
        self.root = a.root
        self.quiver = a.quiver
        self.py = os.path.join(a.venv, "bin", "python")
        self.reps = 1 if a.quick else a.reps
        self.tmp = os.path.join(a.root, "bench", "results", "tmp")
        # Downloads land on tmpfs when there is one: on ext4 a fresh directory
        # right after deleting the previous run's 5,000 files spends most of
        # every tool's CPU finding free inodes (ext4_create -> find_inode_bit),
        # which measures the file system, not the downloader.
        shm = "/dev/shm"
        if os.path.isdir(shm) and os.access(shm, os.W_OK):
            self.out = os.path.join(shm, "quiver-bench-out-%d" % os.getpid())
        else:
            self.out = os.path.join(self.tmp, "out")
        self.cases = []
        self.features = {}
        self.timeout = RUN_TIMEOUT


# ---------------------------------------------------------------- measuring

def count_files(d):
    n = 0
    for _, _, files in os.walk(d):
        n += sum(1 for f in files if not f.endswith(JUNK))
    return n


def run_once(ctx, argv, expect, env=None, timeout=RUN_TIMEOUT):
    """One run in a fresh output dir (the cwd of the tool); returns a dict."""
    shutil.rmtree(ctx.out, ignore_errors=True)
    os.makedirs(ctx.out)
    tf = os.path.join(ctx.tmp, "time.txt")
    if os.path.exists(tf):
        os.unlink(tf)
    full = ["/usr/bin/time", "-f", "%U %S %M", "-o", tf] + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(full, cwd=ctx.out, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, e = p.communicate(timeout=timeout)
        rc, err = p.returncode, e.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the tool is a child of /usr/bin/time: kill the group
        p.communicate()
        rc, err = -1, f"timed out after {timeout} s"
    wall = time.perf_counter() - t0
    r = {"wall": wall, "rc": rc}
    try:
        with open(tf) as f:
            u, s, m = f.read().split()[-3:]
        r.update(cpu=float(u) + float(s), user=float(u), sys=float(s), rss_kb=int(m))
    except (OSError, ValueError):
        r.update(cpu=None, user=None, sys=None, rss_kb=None)
    r["files"] = count_files(ctx.out)
    r["ok"] = rc == 0 and r["files"] == expect
    if not r["ok"]:
        r["error"] = (err.strip().splitlines() or ["exit %d" % rc])[-1][:200]
    shutil.rmtree(ctx.out, ignore_errors=True)
    return r


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def measure(ctx, tool, argv, expect, why_not=None, env=None, reps=None, extra=None, timeout=None):
    """A row of a case: `reps` runs of argv, or a 'not run' row when why_not is set."""
    row = {"tool": tool, "cmd": " ".join(argv) if argv else None}
    if extra:
        row.update(extra)
    if why_not:
        row["status"] = "not run: " + why_not
        print(f"  {tool:<22} not run: {why_not}", flush=True)
        return row
    timeout = timeout or ctx.timeout
    runs = [run_once(ctx, argv, expect, env, timeout)]
    while len(runs) < (reps or ctx.reps) and runs[0]["wall"] < SLOW_RUN:
        runs.append(run_once(ctx, argv, expect, env, timeout))
    if len(runs) < (reps or ctx.reps):
        row["note"] = (row.get("note", "") + f" 1 run only (over {SLOW_RUN} s)").strip()
    good = [r for r in runs if r["ok"]]
    row["runs"] = runs
    if not good:
        row["status"] = "failed: " + runs[-1].get("error", "?") + f" ({runs[-1]['files']}/{expect} files)"
        print(f"  {tool:<22} {row['status']}", flush=True)
        return row
    walls = [r["wall"] for r in good]
    row.update(status="ok" if len(good) == len(runs) else f"ok ({len(runs) - len(good)} of {len(runs)} runs failed)",
               wall=med(walls), wall_min=min(walls), wall_max=max(walls),
               cpu=med([r["cpu"] for r in good]), rss_kb=med([r["rss_kb"] for r in good]))
    print(f"  {tool:<22} {row['wall']:7.3f} s  [{row['wall_min']:.3f}-{row['wall_max']:.3f}]  "
          f"cpu {row['cpu']:.2f} s  rss {row['rss_kb'] / 1024:.1f} MiB", flush=True)
    return row


def finish(case, rows):
    """Ratios: wall over the fastest row, and over the physical limit when there is one."""
    best = min((r["wall"] for r in rows if r.get("wall")), default=None)
    for r in rows:
        if r.get("wall"):
            r["x_best"] = r["wall"] / best
            if case.get("limit"):
                r["x_limit"] = r["wall"] / case["limit"]
    case["rows"] = rows
    return case


# ---------------------------------------------------------------- the peers

def cfg_curl(path, urls, names):
    with open(path, "w") as f:
        for u, n in zip(urls, names):
            f.write(f'url = "{u}"\noutput = "{n}"\n')


def cfg_aria(path, urls, names):
    with open(path, "w") as f:
        for u, n in zip(urls, names):
            f.write(f"{u}\n  out={n}\n")


def cfg_list(path, urls):
    with open(path, "w") as f:
        f.write("".join(u + "\n" for u in urls))


CURL_MAX = 300  # curl 7.88 clamps --parallel-max to 300 (tool_getparam.c, PARALLEL_MAX)


def peer_rows(ctx, tag, urls, names, n, cacert=None, reps=None):
    """curl --parallel, wget2 and aria2c over one URL list at concurrency n."""
    cc = os.path.join(ctx.tmp, f"{tag}.curl")
    ca = os.path.join(ctx.tmp, f"{tag}.aria")
    wl = os.path.join(ctx.tmp, f"{tag}.list")
    cfg_curl(cc, urls, names)
    cfg_aria(ca, urls, names)
    cfg_list(wl, urls)
    curl = ["curl", "-s", "-S", "-f", "-Z", "--parallel-max", str(n), "--parallel-immediate", "-K", cc]
    wget = ["wget2", "-q", "--no-hsts", "--max-threads", str(n), "-i", wl]
    aria = ["aria2c", "-q", "-j", str(n), "-i", ca, "-d", ".", "--allow-overwrite=true",
            "--auto-file-renaming=false", "--file-allocation=none"]
    if cacert:
        curl += ["--cacert", cacert]
        wget += ["--ca-certificate=" + cacert]
        aria += ["--ca-certificate=" + cacert]
    note = f" (curl caps it at {CURL_MAX})" if n > CURL_MAX else ""
    return [
        measure(ctx, "curl --parallel", curl, len(urls), extra={"note": note.strip()} if note else None, reps=reps),
        measure(ctx, "wget2", wget, len(urls), reps=reps),
        measure(ctx, "aria2c", aria, len(urls), reps=reps),
    ]


def quiver_get_row(ctx, urls, n, cacert=None, auto_rename=False, tag="get", reps=None):
    if not ctx.features.get("get"):
        return measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("get_why", "no 'quiver get'"))
    if cacert and not ctx.features.get("tls"):
        return measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("tls_why", "no TLS"))
    lst = os.path.join(ctx.tmp, f"{tag}.qlist")
    cfg_list(lst, urls)
    argv = [ctx.quiver, "get", "-q", "-j", str(n), "--per-host", str(n), "-o", ".", "-i", lst]
    if cacert:
        argv += ["--cacert", cacert]
    if auto_rename:
        argv.append("--auto-rename")
    return measure(ctx, "quiver get", argv, len(urls), reps=reps)


# The book's programs (bench/py/, written by the engines engineer): file -> row label.
PY_PROGRAMS = [("flags.py", "py flags (seq)"), ("flags_threadpool.py", "py threadpool"),
               ("flags_asyncio.py", "py asyncio")]


def py_rows(ctx, site, ccs, n, with_seq):
    rows = []
    for fname, label in PY_PROGRAMS:
        if fname == "flags.py" and not with_seq:
            continue
        path = os.path.join(ctx.root, "bench", "py", fname)
        if not os.path.exists(path):
            rows.append(measure(ctx, label, None, 0, why_not=f"bench/py/{fname} not there yet"))
            continue
        if not os.path.exists(ctx.py):
            rows.append(measure(ctx, label, None, 0, why_not="no bench/.venv"))
            continue
        argv = [ctx.py, path, "--site", site, "-w", str(n), "-o", "."] + ccs
        rows.append(measure(ctx, label, argv, len(ccs)))
    return rows


# ---------------------------------------------------------------- features

def first_line(b):
    lines = b.decode(errors="replace").strip().splitlines()
    return (lines[0] if lines else "failed")[:160]


def probe(ctx, flag_site, tls_url, cacert):
    """What this quiver binary can do, found by trying it (never by version numbers)."""
    f = ctx.features
    scratch = os.path.join(ctx.tmp, "probe")
    for eng in ("seq", "threads", "poll"):
        shutil.rmtree(scratch, ignore_errors=True)
        p = subprocess.run([ctx.quiver, "flags", "--engine", eng, "-w", "2", "--site", flag_site,
                            "-o", scratch, "CN", "BR"], capture_output=True, timeout=60)
        f[eng] = p.returncode == 0 and count_files(scratch) == 2
        if not f[eng]:
            f[eng + "_why"] = f"engine {eng}: " + first_line(p.stderr)
    shutil.rmtree(scratch, ignore_errors=True)
    p = subprocess.run([ctx.quiver, "get", "-o", scratch, flag_site + "/cn/cn.gif"],
                       capture_output=True, timeout=60)
    f["get"] = p.returncode == 0 and count_files(scratch) == 1
    if not f["get"]:
        f["get_why"] = "'quiver get' " + first_line(p.stderr)
    shutil.rmtree(scratch, ignore_errors=True)
    if f["get"]:
        p = subprocess.run([ctx.quiver, "get", "--cacert", cacert, "-o", scratch, tls_url],
                           capture_output=True, timeout=60)
        f["tls"] = p.returncode == 0 and count_files(scratch) == 1
        if not f["tls"]:
            f["tls_why"] = "TLS: " + first_line(p.stderr)
    else:
        f["tls"], f["tls_why"] = False, "TLS needs 'quiver get'"
    shutil.rmtree(scratch, ignore_errors=True)
    p = subprocess.run([ctx.quiver, "get", "-q", "--digest", "sha-256", "-O", "-", flag_site + "/cn/cn.gif"],
                       capture_output=True, timeout=60)
    f["integrity"] = p.returncode == 0 and p.stdout[:3] == b"GIF"
    if not f["integrity"]:
        f["integrity_why"] = "-O - / --digest (issue 16): " + first_line(p.stderr)
    print("features:", {k: v for k, v in f.items() if not k.endswith("_why")}, flush=True)


# ---------------------------------------------------------------- cases

def flag_case(ctx, num, title, site, ccs, n, limit, engines, with_seq_py):
    print(f"case {num}: {title}", flush=True)
    urls = [f"{site}/{c.lower()}/{c.lower()}.gif" for c in ccs]
    names = [c.lower() + ".gif" for c in ccs]
    rows = []
    for eng in engines:
        if not ctx.features.get(eng):
            rows.append(measure(ctx, f"quiver {eng}", None, 0, why_not=ctx.features.get(eng + "_why")))
            continue
        argv = [ctx.quiver, "flags", "--engine", eng, "-w", str(n), "--site", site, "-o", "."] + ccs
        rows.append(measure(ctx, f"quiver {eng}", argv, len(ccs)))
    rows += py_rows(ctx, site, ccs, n, with_seq_py)
    rows += peer_rows(ctx, f"c{num}", urls, names, n)
    return finish({"id": str(num), "title": title, "limit": limit, "concurrency": n,
                   "transfers": len(ccs)}, rows)


def tree_urls(base, files):
    return [f"{base}/f/{name}" for name in files]


def nginx_case(ctx, num, title, base, files, n, cacert=None, label=None):
    print(f"case {num}{label or ''}: {title}", flush=True)
    urls = tree_urls(base, files)
    rows = [quiver_get_row(ctx, urls, n, cacert=cacert, tag=f"c{num}{label or ''}")]
    rows += peer_rows(ctx, f"c{num}{label or ''}", urls, files, n, cacert=cacert)
    return finish({"id": f"{num}{label or ''}", "title": title, "limit": None, "concurrency": n,
                   "transfers": len(files)}, rows)


def case_many(ctx, num, label, title, urls, names, n, limit, base_urls, base_names, cacert=None):
    """10,000 transfers at 1,000 at once, plus a 1,000-at-10 baseline run for RSS per connection."""
    print(f"case {num}{label}: {title}", flush=True)
    ctx.timeout = MANY_TIMEOUT
    rows = [quiver_get_row(ctx, urls, n, cacert=cacert, auto_rename=True, tag=f"c{num}{label}")]
    rows += peer_rows(ctx, f"c{num}{label}", urls, names, n, cacert=cacert)
    # one run each: the baseline only sizes the fixed part of the RSS
    print("  baseline for RSS per connection: 1,000 transfers at 10", flush=True)
    base = [quiver_get_row(ctx, base_urls, 10, cacert=cacert, auto_rename=True, tag=f"c{num}{label}b", reps=1)]
    base += peer_rows(ctx, f"c{num}{label}b", base_urls, base_names, 10, cacert=cacert, reps=1)
    eff = {"curl --parallel": min(n, CURL_MAX)}
    for r, b in zip(rows, base):
        r["base_rss_kb"] = b.get("rss_kb")
        if r.get("rss_kb") and b.get("rss_kb"):
            conns = eff.get(r["tool"], n) - 10
            r["rss_per_conn_kb"] = (r["rss_kb"] - b["rss_kb"]) / conns
    ctx.timeout = RUN_TIMEOUT
    return finish({"id": f"{num}{label}", "title": title, "limit": limit, "concurrency": n,
                   "transfers": len(urls)}, rows)


def case_big(ctx, base, label, big_sha256, cacert=None):
    print(f"case 8{label}: 1 GiB from nginx over {label.upper()}", flush=True)
    url = f"{base}/big.bin"
    rows = []
    tls = ["--cacert", cacert] if cacert else []
    if not ctx.features.get("get"):
        rows.append(measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("get_why")))
    elif cacert and not ctx.features.get("tls"):
        rows.append(measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("tls_why")))
    else:
        argv = [ctx.quiver, "get", "-q", "-o", ".", url] + tls
        rows.append(measure(ctx, "quiver get", argv, 1))
        # issue 16: the cost of hashing, and the body through standard output
        why = None if ctx.features.get("integrity") else ctx.features.get("integrity_why")
        rows.append(measure(ctx, "quiver get --digest sha-256", argv + ["--digest", "sha-256"], 1,
                            why_not=why))
        stdout = shlex.join([ctx.quiver, "get", "-q", "-O", "-", url] + tls)
        # counts only when the digest of what came out is the source's
        pipe = f'[ "$({stdout} | sha256sum | cut -c1-64)" = {big_sha256} ]'
        rows.append(measure(ctx, "quiver get -O - into sha256sum", ["sh", "-c", pipe], 0, why_not=why,
                            extra={"note": "CPU includes sha256sum"}))
        rows.append(measure(ctx, "quiver get -O - >/dev/null", ["sh", "-c", stdout + " >/dev/null"], 0,
                            why_not=why))
    argv = ["curl", "-s", "-S", "-f", "-o", "big.bin", url] + (["--cacert", cacert] if cacert else [])
    rows.append(measure(ctx, "curl", argv, 1))
    gb = servers.BIG / 1e9
    for r in rows:
        if r.get("wall"):
            r["mb_s"] = servers.BIG / 1e6 / r["wall"]
            r["cpu_per_gb"] = r["cpu"] / gb
    return finish({"id": f"8{label}", "title": f"one 1 GiB file, {label.upper()}, nginx",
                   "limit": None, "concurrency": 1, "transfers": 1}, rows)


PLAN_URLS = 100000


def case_plan(ctx):
    """Planning alone: --dry-run --auto-rename over 100,000 URLs that share one name
    (.../download/{i}/us.gif), so each becomes us.{i}.gif.  No request is made: the CPU
    is reading the list, naming its files and settling the clashes, which must stay
    linear in the list (issue 14).  quiver only: no peer has a dry run that names files."""
    title = f"plan {PLAN_URLS:,} URLs that share one name (get --dry-run --auto-rename)"
    print(f"case 10: {title}", flush=True)
    if not ctx.features.get("get"):
        rows = [measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("get_why", "no 'quiver get'"))]
    else:
        lst = os.path.join(ctx.tmp, "c10.qlist")
        cfg_list(lst, [f"http://127.0.0.1:9/download/{i}/us.gif" for i in range(PLAN_URLS)])
        rows = [measure(ctx, "quiver get", [ctx.quiver, "get", "--dry-run", "--auto-rename", "-i", lst], 0)]
    return finish({"id": "10", "title": title, "limit": None, "concurrency": 0,
                   "transfers": PLAN_URLS, "plot": False}, rows)


# ---------------------------------------------------------------- case 11: TLS at scale

TLS_CONNS = 400  # transfers of case 11, each on a connection of its own
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # Debian's CA bundle (case 11c)
BUNDLE_RUNS = 100  # runs per batch of case 11c: a run is milliseconds (tens under qemu, noisy)


def tls_log(path):
    """(handshakes, resumed, {curve: n}) of an nginx qvtls log: one line per request."""
    conns, resumed, curves = set(), 0, {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                if parts[0] not in conns:
                    conns.add(parts[0])
                    resumed += parts[1] == "r"
                    curves[parts[2]] = curves.get(parts[2], 0) + 1
    except OSError:
        pass
    return len(conns), resumed, curves


def tls_scale_row(ctx, tool, argv, log, expect, env=None):
    """Like measure(), plus what nginx saw: handshakes, resumed sessions, curves (medians / last)."""
    row = {"tool": tool, "cmd": " ".join(argv)}
    runs = []
    for _ in range(ctx.reps):
        open(log, "w").close()  # nginx appends to the same open file: truncated per run
        r = run_once(ctx, argv, expect, env)
        time.sleep(0.2)  # let nginx write its last lines
        r["handshakes"], r["resumed"], r["curves"] = tls_log(log)
        runs.append(r)
    good = [r for r in runs if r["ok"]]
    row["runs"] = runs
    if not good:
        row["status"] = "failed: " + runs[-1].get("error", "?")
        print(f"  {tool:<28} {row['status']}", flush=True)
        return row
    walls = [r["wall"] for r in good]
    row.update(status="ok", wall=med(walls), wall_min=min(walls), wall_max=max(walls),
               cpu=med([r["cpu"] for r in good]), rss_kb=med([r["rss_kb"] for r in good]),
               handshakes=med([r["handshakes"] for r in good]), resumed=med([r["resumed"] for r in good]),
               curves=good[-1]["curves"], cpus=[r["cpu"] for r in good])
    print(f"  {tool:<28} cpu {row['cpu']:.2f} s {sorted(row['cpus'])}  wall {row['wall']:.3f} s  "
          f"handshakes {row['handshakes']} resumed {row['resumed']} curves {row['curves']}", flush=True)
    return row


def case_tls_scale(ctx, env, label, base, log, title):
    """400 HTTPS downloads, each on its own connection: quiver vs curl, client CPU."""
    print(f"case 11{label}: {title}", flush=True)
    files = env.files[:TLS_CONNS]
    urls = tree_urls(base, files)
    rows = []
    if not ctx.features.get("tls"):
        rows.append(measure(ctx, "quiver get", None, 0, why_not=ctx.features.get("tls_why", "no TLS")))
    else:
        lst = os.path.join(ctx.tmp, f"c10{label}.qlist")
        cfg_list(lst, urls)
        argv = [ctx.quiver, "get", "-q", "-j", str(TLS_CONNS), "--per-host", str(TLS_CONNS), "--auto-rename",
                "-o", ".", "-i", lst, "--cacert", env.ca]
        rows.append(tls_scale_row(ctx, "quiver get", argv, log, len(urls)))
    cc = os.path.join(ctx.tmp, f"c10{label}.curl")
    cfg_curl(cc, urls, files)
    curl = ["curl", "-s", "-S", "-f", "-Z", "--parallel-max", str(TLS_CONNS), "--parallel-immediate",
            "--cacert", env.ca, "-K", cc]
    rows.append(tls_scale_row(ctx, f"curl --parallel (max {CURL_MAX})", curl, log, len(urls)))
    # curl caps --parallel at 300 and reuses connections for the other 100: closing each one
    # makes it do the same 400 handshakes as quiver
    rows.append(tls_scale_row(ctx, "curl, Connection: close", curl[:4] + ["-H", "Connection: close"] + curl[4:],
                              log, len(urls)))
    return finish({"id": f"11{label}", "title": title, "limit": None, "concurrency": TLS_CONNS,
                   "transfers": len(urls)}, rows)


def cpu_ms_per_run(argv, env, runs):
    """CPU (user+sys) per run, in ms, of `runs` runs of argv (children's rusage: microseconds)."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000 / runs


def case_bundle(ctx, env, quiver_arm):
    """The CA bundle's load: `quiver get` of one small file with SSL_CERT_FILE = the distro bundle
    plus the test CA, minus the same with --cacert alone; x86_64, and arm under qemu-user."""
    print("case 11c: CA bundle load (Debian bundle + test CA vs --cacert alone)", flush=True)
    rows = []
    if not os.path.exists(BUNDLE) or not ctx.features.get("tls"):
        rows.append({"tool": "quiver get", "status": "not run: no " + BUNDLE if ctx.features.get("tls")
                     else "not run: no TLS"})
        return {"id": "11c", "title": "CA bundle load", "limit": None, "rows": rows}
    both = os.path.join(ctx.tmp, "bundle+ca.pem")
    with open(both, "w") as f:
        f.write(open(BUNDLE).read() + open(env.ca).read())
    url = env.https_default + "/f/" + env.files[0]
    out = os.path.join(ctx.out, "bundle")
    os.makedirs(out, exist_ok=True)
    targets = [("x86_64", [ctx.quiver])]
    qemu = shutil.which("qemu-arm-static")
    if quiver_arm and os.path.exists(quiver_arm) and qemu:
        targets.append(("arm (qemu-arm-static)", [qemu, quiver_arm]))
    else:
        rows.append({"tool": "quiver get (arm)", "status": "not run: no arm build or no qemu-arm-static "
                     "(apt-get install qemu-user-static)"})
    for name, cmd in targets:
        base_env = dict(os.environ, SSL_CERT_FILE="", SSL_CERT_DIR="")
        get = cmd + ["get", "-q", "-o", out, "-O", "x", url]
        with_ca, with_bundle = [], []
        for _ in range(ctx.reps):
            with_ca.append(cpu_ms_per_run(get + ["--cacert", env.ca], base_env, BUNDLE_RUNS))
            with_bundle.append(cpu_ms_per_run(get, dict(base_env, SSL_CERT_FILE=both), BUNDLE_RUNS))
        load = [b - a for a, b in zip(with_ca, with_bundle)]
        row = {"tool": f"quiver get, {name}", "status": "ok", "cacert_ms": med(with_ca),
               "bundle_ms": med(with_bundle), "load_ms": med(load), "load_runs": load,
               "runs": BUNDLE_RUNS}
        print(f"  {row['tool']:<34} --cacert {row['cacert_ms']:.2f} ms  bundle {row['bundle_ms']:.2f} ms  "
              f"load {row['load_ms']:.2f} ms {[round(x, 2) for x in load]}", flush=True)
        rows.append(row)
    return {"id": "11c", "title": f"CA bundle load: CPU ms per `quiver get` of one small file, "
            f"SSL_CERT_FILE = {BUNDLE} + the test CA, minus --cacert alone ({BUNDLE_RUNS} runs per batch, "
            "median of the batches)", "limit": None, "rows": rows}


def case_size(ctx):
    print("case 9: binary size", flush=True)
    case = {"id": "9", "title": "stripped static binary vs curl + shared libraries", "limit": None}
    p = subprocess.run(["./zigw", "build", "size"], cwd=ctx.root, capture_output=True, timeout=1800)
    sizes = {}
    for line in (p.stdout + p.stderr).decode(errors="replace").splitlines():
        m = re.match(r"^(\S+-linux-\S+)\s+(\d+)\s", line)
        if m:
            sizes[m.group(1)] = int(m.group(2))
    curl = os.path.realpath(shutil.which("curl"))
    libs = {}
    for line in subprocess.run(["ldd", curl], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            real = os.path.realpath(m.group(1))
            libs[real] = os.path.getsize(real)
    case["quiver"] = sizes
    errs = [ln for ln in (p.stdout + p.stderr).decode(errors="replace").splitlines() if "error:" in ln]
    case["quiver_error"] = None if sizes else (errs[0][:200] if errs else "no sizes printed")
    case["curl_binary"] = os.path.getsize(curl)
    case["curl_libs"] = dict(sorted(libs.items()))
    case["curl_total"] = case["curl_binary"] + sum(libs.values())
    print(f"  quiver {sizes}  curl+libs {case['curl_total']}", flush=True)
    return case


# ---------------------------------------------------------------- main

def machine(ctx):
    def out(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "missing"
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    httpx = out([ctx.py, "-c", "import httpx; print(httpx.__version__)"])
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_mib": mem, "kernel": platform.release(),
            "curl": out(["curl", "--version"]), "wget2": out(["wget2", "--version"]),
            "aria2c": out(["aria2c", "--version"]), "nginx": out(["nginx", "-v"]),
            "openssl": out(["openssl", "version"]), "python": platform.python_version(),
            "venv_python": out([ctx.py, "--version"]), "httpx": httpx,
            "quiver": out([ctx.quiver, "--version"]),
            "quiver_build": "zig build -Doptimize=ReleaseFast (x86_64-linux-musl, static)"
            + (" — the tree did not build, PREVIOUS build used" if os.environ.get("QV_BENCH_STALE_BUILD") else ""),
            "git": out(["git", "-C", ctx.root, "describe", "--always", "--dirty"])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--quiver", required=True)
    ap.add_argument("--venv", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quiver-arm", default="", help="an arm-linux-musleabihf quiver for case 11c under qemu")
    ap.add_argument("--only", default="")
    ap.add_argument("--flags-dir", default=os.environ.get("QV_FLAGS_DIR", "/work/shared/flags"),
                    help="country_codes.txt and flags.zip")
    a = ap.parse_args()
    ctx = Ctx(a)
    only = set(a.only.split(",")) if a.only else None
    want = (lambda k: only is None or k in only)
    os.makedirs(ctx.tmp, exist_ok=True)
    t0 = time.time()
    flags_dir = a.flags_dir
    codes = sorted(c.upper() for c in open(os.path.join(flags_dir, "country_codes.txt")).read().split())
    env = servers.Servers(ctx.quiver, ctx.tmp)
    try:
        site = env.quiver_serve(0.1)
        env.make_tree(os.path.join(flags_dir, "flags.zip"), 10000)
        env.make_certs()
        env.start_nginx(env.quiver_serve(1.0))
        probe(ctx, site, env.https_ec + "/f/" + env.files[0], env.ca)
        if want("1"):
            ctx.cases.append(flag_case(ctx, 1, "POP20, server delay 0.1 s, 6 concurrent", site, POP20, 6,
                                       0.4, ["seq", "threads", "poll"], True))
        if want("2"):
            ctx.cases.append(flag_case(ctx, 2, f"all {len(codes)} flags, delay 0.1 s, 20 concurrent", site,
                                       codes, 20, 0.1 * -(-len(codes) // 20), ["threads", "poll"], False))
        if want("3"):
            ctx.cases.append(flag_case(ctx, 3, f"all {len(codes)} flags, delay 0.1 s, {len(codes)} concurrent",
                                       site, codes, len(codes), 0.1, ["threads", "poll"], False))
        if want("4"):
            ctx.cases.append(nginx_case(ctx, 4, "nginx HTTP, 5,000 small files, 50 concurrent",
                                        env.http, env.files[:5000], 50))
        if want("5"):
            for lab, base in (("ec", env.https_ec), ("rsa", env.https_rsa)):
                ctx.cases.append(nginx_case(ctx, 5, f"nginx HTTPS ({'EC P-256' if lab == 'ec' else 'RSA 2048'}), "
                                            "2,000 files, 50 concurrent", base, env.files[:2000], 50,
                                            cacert=env.ca, label=lab))
        if want("6"):
            n = 10000
            q = [f"{site}/{c.lower()}/{c.lower()}.gif?i={i}" for i, c in
                 ((i, codes[i % len(codes)]) for i in range(n))]
            qn = [f"n{i:05d}.gif" for i in range(n)]
            ctx.cases.append(case_many(ctx, 6, "serve", "10,000 transfers, 1,000 concurrent, quiver serve "
                                       "delay 0.1 s", q, qn, 1000, 1.0, q[:1000], qn[:1000]))
            u = tree_urls(env.http, env.files[:n])
            ctx.cases.append(case_many(ctx, 6, "nginx", "10,000 transfers, 1,000 concurrent, nginx",
                                       u, env.files[:n], 1000, None, u[:1000], env.files[:1000]))
        if want("7"):
            u = [f"{env.https_slow}/flags/{codes[i % len(codes)].lower()}/{codes[i % len(codes)].lower()}.gif?i={i}"
                 for i in range(1000)]
            names = [f"n{i:05d}.gif" for i in range(1000)]
            print("case 7: 1,000 concurrent TLS downloads (delay 1 s)", flush=True)
            ctx.timeout = MANY_TIMEOUT
            rows = [quiver_get_row(ctx, u, 1000, cacert=env.ca, auto_rename=True, tag="c7")]
            rows += peer_rows(ctx, "c7", u, names, 1000, cacert=env.ca)
            for r in rows:
                if r.get("rss_kb"):
                    r["rss_per_conn_kb"] = r["rss_kb"] / (CURL_MAX if r["tool"].startswith("curl") else 1000)
            ctx.timeout = RUN_TIMEOUT
            ctx.cases.append(finish({"id": "7", "title": "1,000 concurrent TLS downloads (nginx TLS, EC P-256, "
                                     "in front of quiver serve --delay 1)", "limit": 1.0,
                                     "concurrency": 1000, "transfers": 1000}, rows))
        if want("11"):
            env.start_nginx_tls()
            ctx.cases.append(case_tls_scale(ctx, env, "a", env.https_default, env.tls_logs["default"],
                                            f"{TLS_CONNS} HTTPS downloads, each on its own connection, nginx "
                                            "default TLS settings (EC P-256)"))
            ctx.cases.append(case_tls_scale(ctx, env, "b", env.https_cache, env.tls_logs["cache"],
                                            f"{TLS_CONNS} HTTPS downloads, each on its own connection, nginx "
                                            "with a session cache (tickets off)"))
            ctx.cases.append(case_bundle(ctx, env, a.quiver_arm))
        if want("8"):
            big_sha256 = env.make_big()
            try:
                ctx.cases.append(case_big(ctx, env.http, "http", big_sha256))
                ctx.cases.append(case_big(ctx, env.https_ec, "https", big_sha256, cacert=env.ca))
            finally:
                env.drop_big()
    finally:
        env.close()
    if want("9"):
        ctx.cases.append(case_size(ctx))
    if want("10"):
        ctx.cases.append(case_plan(ctx))
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "reps": ctx.reps,
              "seconds": round(time.time() - t0), "machine": machine(ctx), "features": ctx.features,
              "cases": ctx.cases}
    res = os.path.join(ctx.root, "bench", "results")
    for c in ctx.cases:
        c["date"], c["git"] = result["date"], result["machine"]["git"]
    if only and os.path.exists(os.path.join(res, "latest.json")):
        # --only reruns some cases: keep the others from the previous run, in case order
        with open(os.path.join(res, "latest.json")) as f:
            old = json.load(f)
        new = {c["id"]: c for c in ctx.cases}
        merged = [new.pop(c["id"], c) for c in old["cases"]] + list(new.values())
        result["cases"] = sorted(merged, key=lambda c: (int(re.match(r"\d+", c["id"]).group()), c["id"]))
        result["reruns"] = old.get("reruns", []) + [f"{result['date']}: cases {a.only} rerun ({result['machine']['git']})"]
        result["date"], result["seconds"] = old["date"], old["seconds"]
        # the header describes the full run; a rerun's git is in "reruns"
        result["machine"] = old.get("machine", result["machine"])
        result["features"] = {**old.get("features", {}), **ctx.features}
    with open(os.path.join(res, "latest.json"), "w") as f:
        json.dump(result, f, indent=1)
    report.write(result, res)
    print(f"done in {result['seconds']} s: bench/results/latest.json, latest.md, latest.png", flush=True)


if __name__ == "__main__":
    main()
