"""test_credentials.py - origin credentials against nginx's auth_basic
(its password file made with `openssl passwd -apr1`), every engine: -u,
--user/--password, user:pass@ in the URL, --netrc-file and --netrc; a
missing or wrong password named (401); and no password in any output:
messages, -v lines, --json, --dry-run, the progress display, the summary,
file names - for the origin's credentials and for a proxy's."""
import json
import os
import shutil
import subprocess

from proxies import tinyproxy
from qvtest import Skip, check, engines, listing, read

SECRET = "s3cr#t:pw"          # ':' and '#' are legal in a password
SECRET_URL = "s3cr%23t%3Apw"  # ... percent-encoded in a URL


def protected(ctx):
    if shutil.which("openssl") is None:
        raise Skip("openssl not installed (apt-get install openssl)")
    www = ctx.flags_tree()
    h = subprocess.run(["openssl", "passwd", "-apr1", SECRET], capture_output=True, text=True,
                       check=True).stdout.strip()
    pw = ctx.path("htpasswd")
    with open(pw, "w") as f:
        f.write(f"alice:{h}\n")
    os.chmod(pw, 0o644)
    base = ctx.nginx(www, extra_server=f'auth_basic "quiver"; auth_basic_user_file {pw};')
    return www, base


def netrc(ctx, name, host, mode=0o600):
    path = ctx.path(name)
    with open(path, "w") as f:
        f.write(f'machine {host} login alice password "{SECRET}"\n')
    os.chmod(path, mode)
    return path


def test_each_way_to_give_credentials(ctx):
    www, base = protected(ctx)
    hostport = base.split("://")[1]
    url = f"{base}/flags/cn/cn.gif"
    want = read(os.path.join(www, "flags", "cn", "cn.gif"))
    rc = netrc(ctx, "netrc", "127.0.0.1")
    home = ctx.path("home")
    os.makedirs(home)
    netrc(ctx, "home/.netrc", "127.0.0.1")
    ways = (
        ("-u", ["-u", f"alice:{SECRET}", url], {}),
        ("--user --password", ["--user", "alice", "--password", SECRET, url], {}),
        ("URL", [f"http://alice:{SECRET_URL}@{hostport}/flags/cn/cn.gif"], {}),
        ("--netrc-file", ["--netrc-file", rc, url], {}),
        ("--netrc", ["--netrc", url], {"HOME": home, "NETRC": ""}),
        ("URL user + netrc password", ["--netrc-file", rc, f"http://alice@{hostport}/flags/cn/cn.gif"], {}),
    )
    for e in engines(ctx):
        for name, args, env in ways:
            out = ctx.path(f"out-{e}-{len(listing(ctx.tmp))}")
            r = ctx.run("get", "--engine", e, "-o", out, *args, env=env)
            check(r.code == 0, f"{name} {e}: {r!r}")
            check(read(os.path.join(out, "cn.gif")) == want, name)
        r = ctx.run("get", "--engine", e, "-o", ctx.path(f"none-{e}"), url)
        check(r.code == 1 and "authentication required (401 Unauthorized)" in r.err, r)
        r = ctx.run("get", "--engine", e, "-o", ctx.path(f"wrong-{e}"), "-u", "alice:nope", url)
        check(r.code == 1 and "authentication failed: the server refused the credentials (401"
              in r.err, r)
        check(listing(ctx.path(f"none-{e}")) == [] and listing(ctx.path(f"wrong-{e}")) == [])


def test_netrc_readable_by_others_warned(ctx):
    www, base = protected(ctx)
    rc = netrc(ctx, "netrc", "127.0.0.1", 0o644)
    r = ctx.run("get", "-o", ctx.path("out"), "--netrc-file", rc, f"{base}/flags/cn/cn.gif")
    check(r.code == 0 and "is readable by other users" in r.err, r)


def test_no_password_in_any_output(ctx):
    www, base = protected(ctx)
    hostport = base.split("://")[1]
    px = tinyproxy(ctx)
    proxy = f"http://bob:PXSECRET@{px.url.split('://')[1]}"
    urls = [f"http://alice:{SECRET_URL}@{hostport}/flags/{cc}/{cc}.gif" for cc in ("cn", "us")]
    urls.append(f"http://alice:{SECRET_URL}@{hostport}/flags/zz/nothere.gif")  # a 404
    runs = []
    for e in engines(ctx):
        out = ctx.path(f"v-{e}")
        runs.append(ctx.run("get", "--engine", e, "-o", out, "-v", "--progress", "dot",
                            "--json", "-", "-x", proxy, *urls))
        runs.append(ctx.run("get", "--engine", e, "-o", out, "--dry-run", *urls))
        check(all(".part" not in n for n in listing(out)), listing(out))
    for r in runs:
        text = r.out + r.err
        for secret in ("s3cr", SECRET_URL, "PXSECRET", "UFhTRUNSRVQ", "czNjciN0OnB3"):
            check(secret not in text, f"{secret!r} printed:\n{r!r}")
    check(runs[0].code == 1 and "zz/nothere.gif" in runs[0].err, runs[0])
    recs = [json.loads(l) for l in runs[0].out.splitlines() if l.startswith("{")]
    check(len(recs) == 3 and all("alice:***@" in rec["url"] for rec in recs), runs[0].out)
    check("alice:***@" in runs[0].err, runs[0].err)   # the -v lines and the 404
    check(f"http://alice:***@{hostport}/flags/cn/cn.gif" in runs[1].out, runs[1].out)
