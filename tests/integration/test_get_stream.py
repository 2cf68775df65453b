"""test_get_stream.py - `quiver get --name-by index` (the list streamed, never
held) and `--summary FILE`: names from line numbers in every engine, a bad
URL failing only itself, shards that cover a list exactly once and agree with
the whole-list plan, a re-run with --skip-existing that fetches nothing, stdin,
credentials shown as user:***@, a million-line list in bounded memory, a
list's out=/checksum= lines refused at their line, and the summary file of streamed, planned and refused runs."""
import json
import os
import subprocess
import sys

from qvtest import blob, check, engines, read
from test_get import Server, with_server


def write_list(ctx, name, lines):
    path = ctx.path(name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def summary(path):
    with open(path) as f:
        text = f.read()
    check(text.endswith("}\n") and text.count("\n") == 1, text)
    return json.loads(text)


@with_server
def test_names_by_line_each_engine(ctx, srv):
    lines = ["# images", ""]
    want = {}
    for i in range(12):
        url = srv.add(f"/img/{i}/cat-{i}.jpg?size=2", blob(500 + i, i))
        lines.append(url)
        want[f"{len(lines):09d}.jpg"] = blob(500 + i, i)
    lines.append(srv.base + "/img/missing.png")        # 404: fails
    missing_line = len(lines)
    lines.append("http://bad host/x.gif")               # not a URL: fails alone
    bad_line = len(lines)
    lines.append(srv.add("/", b"root"))                 # index.html -> .html
    want[f"{len(lines):09d}.html"] = b"root"
    path = write_list(ctx, "urls", lines)
    for engine in engines(ctx):
        out = ctx.path(f"o-{engine}")
        r = ctx.run("get", "--engine", engine, "--name-by", "index", "-i", path, "-o", out,
                    "--json", ctx.path(f"j-{engine}"), "--summary", ctx.path(f"s-{engine}"))
        check(r.code == 1, r)
        check(sorted(os.listdir(out)) == sorted(want), (engine, os.listdir(out)))
        for name, data in want.items():
            check(read(os.path.join(out, name)) == data, (engine, name))
        check(f"{path}:{bad_line}: http://bad host/x.gif: " in r.err, r)
        check("HTTP error 404" in r.err and "13 files downloaded" in r.err and "2 failed" in r.err, r)
        with open(ctx.path(f"j-{engine}")) as f:
            recs = [json.loads(x) for x in f]
        check(len(recs) == 15, recs)
        by_url = {x["url"]: x for x in recs}
        check(by_url[srv.base + "/img/missing.png"]["file"] == os.path.join(out, f"{missing_line:09d}.png"), recs)
        check(by_url["http://bad host/x.gif"]["file"] is None
              and by_url["http://bad host/x.gif"]["code"] == "url_host", recs)
        s = summary(ctx.path(f"s-{engine}"))
        check(s == {"shard": "0/1", "urls": 15, "fetched": 13, "skipped": 0, "failed": 2,
                    "cut_short": 0, "bytes": s["bytes"], "seconds": s["seconds"], "exit": 1,
                    "error": None}, s)
        check(s["bytes"] == sum(len(d) for d in want.values()), s)


def test_shards_cover_once_and_agree_with_the_plan(ctx):
    urls = [f"https://example.com/data/{i}/file-{i}.bin" for i in range(2000)]
    path = write_list(ctx, "urls", urls)
    seen = {}
    for k in range(8):
        r = ctx.run("get", "-n", "--name-by", "index", "-i", path, "--shard", f"{k}/8", "-o", "out")
        check(r.code == 0 and r.err == "", r)
        rows = [line.split("\t") for line in r.out.splitlines()]
        check(len(rows) > 150, (k, len(rows)))
        for url, file in rows:
            check(url not in seen, f"{url} in two shards")
            seen[url] = file
        planned = ctx.run("get", "-n", "-i", path, "--shard", f"{k}/8", "-o", "out")
        check([row[0] for row in rows] == [x.split("\t")[0] for x in planned.out.splitlines()],
              f"shard {k}: the streamed and the planned run pick other URLs")
    check(sorted(seen) == sorted(urls), "every URL in exactly one shard")
    for i, url in enumerate(urls):
        check(seen[url] == f"out/{i + 1:09d}.bin", (url, seen[url]))


@with_server
def test_rerun_skips_everything(ctx, srv):
    urls = [srv.add(f"/f/{i}.dat", blob(300, i)) for i in range(40)]
    path = write_list(ctx, "urls", urls)
    out = ctx.path("out")
    for k in range(3):
        r = ctx.run("get", "--name-by", "index", "--skip-existing", "-i", path, "-o", out,
                    "--shard", f"{k}/3", "--summary", ctx.path(f"s{k}"))
        check(r.code == 0, r)
    check(len(os.listdir(out)) == 40 and all(n == 1 for n in srv.script.hits.values()), srv.script.hits)
    total = sum(summary(ctx.path(f"s{k}"))["fetched"] for k in range(3))
    check(total == 40, total)
    for k in range(3):
        r = ctx.run("get", "--name-by", "index", "--skip-existing", "-i", path, "-o", out,
                    "--shard", f"{k}/3", "--summary", ctx.path(f"s{k}"))
        s = summary(ctx.path(f"s{k}"))
        check(r.code == 0 and s["fetched"] == 0 and s["skipped"] == s["urls"] > 0, (r, s))
    check(sum(srv.script.hits.values()) == 40, "the re-run fetched nothing")


@with_server
def test_rerun_with_a_few_missing(ctx, srv):
    """10 files missing among 10,000 lines: the source passes over thousands
    of skipped lines between them while transfers are in flight (answering
    the engine LATER every 4096 lines), and each engine fetches just those."""
    n, missing = 10_000, [0, 3, 4, 5, 4999, 5000, 5001, 9000, 9997, 9999]
    urls = [f"{srv.base}/m/{i}.bin" for i in range(n)]
    for i in missing:
        srv.add(f"/m/{i}.bin", blob(2000, i))
        srv.script.slow[f"/m/{i}.bin"] = 0.05
    path = write_list(ctx, "urls", urls)
    for engine in engines(ctx):
        out = ctx.path(f"out-{engine}")
        os.makedirs(out)
        for i in range(n):
            if i not in missing:
                open(os.path.join(out, f"{i + 1:09d}.bin"), "w").close()
        srv.script.hits.clear()
        r = ctx.run("get", "--engine", engine, "-j", "4", "--name-by", "index", "--skip-existing",
                    "-i", path, "-o", out, "--summary", ctx.path(f"s-{engine}"))
        s = summary(ctx.path(f"s-{engine}"))
        check(r.code == 0 and s["fetched"] == 10 and s["skipped"] == n - 10, (r, s))
        check(sorted(srv.script.hits) == sorted(f"/m/{i}.bin" for i in missing)
              and set(srv.script.hits.values()) == {1}, (engine, srv.script.hits))
        for i in missing:
            check(read(os.path.join(out, f"{i + 1:09d}.bin")) == blob(2000, i), (engine, i))


@with_server
def test_stdin_and_credentials(ctx, srv):
    url = srv.add("/secret/a.txt", b"hello")
    with_pw = url.replace("http://", "http://user:s3cret@")
    r = ctx.run("get", "--name-by", "index", "-i", "-", "-o", ctx.path("o"), "-v",
                input=f"{url}\n{with_pw}\n")
    check(r.code == 0 and sorted(os.listdir(ctx.path("o"))) == ["000000001.txt", "000000002.txt"], r)
    check("s3cret" not in r.err and "user:***@" in r.err, r)
    r = ctx.run("get", "-n", "--name-by", "index", with_pw, url)
    check(r.code == 0 and "s3cret" not in r.out, r)
    check(r.out.splitlines() == [f"{with_pw.replace('s3cret', '***')}\t000000001.txt",
                                 f"{url}\t000000002.txt"], r)


def test_a_million_lines_in_bounded_memory(ctx):
    path = ctx.path("urls")
    with open(path, "w") as f:
        for i in range(1_000_000):
            f.write(f"http://127.0.0.1:9/d/{i}/file-{i}.bin\n")
    # a fresh Python measures the one quiver it starts (ru_maxrss of children)
    probe = ("import resource, subprocess, sys\n"
             "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
             "print(p.returncode, len(p.stdout.splitlines()),"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", probe, ctx.quiver, "get", "-n", "--name-by", "index",
                        "--shard", "3/16", "-i", path, "-o", "out"],
                       stdout=subprocess.PIPE, text=True, timeout=300)
    code, lines, kib = map(int, r.stdout.split())
    check(code == 0 and 60_000 < lines < 65_000, r.stdout)
    # the whole-list plan holds ~135 MB for this list; the stream a line buffer
    # (an ASan build's own shadow and quarantine come on top)
    check(kib < (64 if ctx.sanitized else 16) * 1024, f"{kib} KiB")


@with_server
def test_summary_of_planned_and_refused_runs(ctx, srv):
    urls = [srv.add(f"/p/{i}.bin", blob(100, i)) for i in range(6)]
    r = ctx.run("get", "-o", ctx.path("o"), "--summary", ctx.path("s.json"), *urls)
    s = summary(ctx.path("s.json"))
    check(r.code == 0 and s["shard"] == "0/1" and s["urls"] == 6 and s["fetched"] == 6
          and s["bytes"] == 600 and s["exit"] == 0 and s["error"] is None, s)
    r = ctx.run("get", "-n", "--skip-existing", "-o", ctx.path("o"), "--summary", ctx.path("s.json"), *urls)
    s = summary(ctx.path("s.json"))
    check(r.code == 0 and s["urls"] == 6 and s["skipped"] == 6 and s["fetched"] == 0, s)
    # refused before anything: shard unknown, the reason kept
    env = {"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "5",
           "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3"}
    for mode in ([], ["--name-by", "index"]):
        r = ctx.run("get", *mode, "--shard", "auto", "-o", ctx.path("o2"), "--summary",
                    ctx.path("s2.json"), *urls, env=env)
        s = summary(ctx.path("s2.json"))
        check(r.code == 2 and "pass --shard K/N" in r.err, r)
        check(s["shard"] is None and s["exit"] == 2 and "pass --shard K/N" in s["error"], s)
    check(not os.path.exists(ctx.path("o2")), "nothing made")
    # a missing directory is made; a summary that cannot be written makes a
    # good run fail, and says why
    r = ctx.run("get", "-o", ctx.path("o"), "--summary", ctx.path("sum", "0.json"), urls[0])
    check(r.code == 0 and summary(ctx.path("sum", "0.json"))["fetched"] == 1, r)
    r = ctx.run("get", "-o", ctx.path("o"), "--summary", ctx.path("s.json", "x.json"), urls[0])
    check(r.code == 1 and "cannot write" in r.err, r)
    check([n for n in os.listdir(ctx.tmp) if n.endswith(".tmp")] == [], os.listdir(ctx.tmp))


def test_usage(ctx):
    cases = [
        (["--name-by", "hash", "http://h/a"], "--name-by wants url or index, not 'hash'"),
        (["--name-by", "index", "-O", "x", "http://h/a"], "-O NAME and --name-by index contradict"),
        (["--name-by", "index", "-i", "l", "http://h/a"], "not both"),
        (["--name-by", "index", "--checksum-file", "S", "-i", "l"], "not with --name-by index"),
        (["--name-by", "index", "-O", "-", "http://h/a"], "-O NAME and --name-by index contradict"),
    ]
    for args, want in cases:
        r = ctx.run("get", *args)
        check(r.code == 2 and want in r.err, (want, r))
    with open(ctx.path("empty"), "w") as f:
        f.write("# nothing\n\n")
    for dry in (["-n"], []):
        r = ctx.run("get", *dry, "--name-by", "index", "-i", ctx.path("empty"), "-o", ctx.path("o"))
        check(r.code == 2 and f"no URLs in {ctx.path('empty')}" in r.err, r)
    # a list's per-URL options name files and digests: a streamed list,
    # named by line, refuses them at their line instead of ignoring them
    write_list(ctx, "opts", ["http://h/a.gif", "  out=b.gif"])
    r = ctx.run("get", "-n", "--name-by", "index", "-i", ctx.path("opts"))
    check(r.code == 2 and f"{ctx.path('opts')}:2: out= and checksum= lines are not read" in r.err, r)
    write_list(ctx, "badopt", ["http://h/a.gif", "  size=3"])
    r = ctx.run("get", "-n", "--name-by", "index", "-i", ctx.path("badopt"))
    check(r.code == 2 and f"{ctx.path('badopt')}:2: unknown option" in r.err, r)
    r = ctx.run("get", "-n", "--name-by", "url", "http://h/a.gif")
    check(r.code == 0 and r.out == "http://h/a.gif\ta.gif\n", r)
