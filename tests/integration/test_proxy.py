"""test_proxy.py - quiver get through real HTTP proxies (squid, tinyproxy),
every engine: POP20 over http:// (absolute-form) and https:// (CONNECT,
verified against the origin) byte-identical, with the proxies' own logs
showing the requests; squid with Basic auth (right, wrong, missing
credentials); no_proxy routing seen in the logs; httpoxy; refused proxy
kinds; and a scripted hostile proxy whose every misbehaviour is a named
error, no file, no hang."""
import os
import re
import time

from proxies import HostileProxy, squid, tinyproxy
from qvtest import POP20, Skip, check, engines, listing
from test_tls import cert, pki

PROXY_VARS = ("http_proxy", "https_proxy", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY")


def env(**kw):
    """A proxy environment: every proxy variable unset but the ones given."""
    e = {k: "" for k in PROXY_VARS}
    e.update(kw)
    return e


def pop20_urls(base):
    return [f"{base}/flags/{cc.lower()}/{cc.lower()}.gif" for cc in POP20]


def check_pop20(ctx, www, out, r):
    check(r.code == 0, r)
    for cc in POP20:
        name = f"{cc.lower()}.gif"
        with open(os.path.join(out, name), "rb") as f:
            got = f.read()
        with open(os.path.join(www, "flags", cc.lower(), name), "rb") as f:
            want = f.read()
        check(got == want, f"{name} differs")
    check(not any(n.endswith(".part") for n in listing(out)), listing(out))


def origins(ctx):
    """nginx over http and https (a certificate for localhost)."""
    www = ctx.flags_tree()
    http = ctx.nginx(www)
    https = ctx.nginx(www, tls=cert("good-ec")).replace("://127.0.0.1:", "://localhost:")
    return www, http, https


def _through(ctx, make):
    www, http, https = origins(ctx)
    px = make(ctx)
    for e in engines(ctx):
        for base, how in ((http, "-x"), (https, "env")):
            out = ctx.path(f"out-{e}-{base.split(':')[0]}")
            args = ["get", "--engine", e, "-o", out, "--cacert", pki()["ca.pem"]]
            if how == "-x":
                r = ctx.run(*args, "-x", px.url, *pop20_urls(base), env=env())
            else:
                r = ctx.run(*args, *pop20_urls(base), env=env(https_proxy=px.url))
            check_pop20(ctx, www, out, r)
    time.sleep(0.2)  # the proxies write their logs after the answer
    return px.log(), http, https


def test_squid_http_and_https(ctx):
    log, http, https = _through(ctx, squid)
    port = https.rsplit(":", 1)[1]
    # 3 engines x 20 GETs in absolute-form, 3 x at least one tunnel
    check(len(re.findall(r" GET http://127\.0\.0\.1:\d+/flags/", log)) >= 60, log)
    check(f"CONNECT localhost:{port}" in log, log)


def test_tinyproxy_http_and_https(ctx):
    log, http, https = _through(ctx, tinyproxy)
    port = https.rsplit(":", 1)[1]
    check(len(re.findall(r"Request .*: GET http://127\.0\.0\.1:\d+/flags/", log)) >= 60, log)
    check(f"CONNECT localhost:{port} HTTP/1.1" in log, log)


def test_squid_basic_auth(ctx):
    www, http, https = origins(ctx)
    px = squid(ctx, users={"alice": "s3cret"})
    host = px.url.split("://")[1]
    url = pop20_urls(http)[0]
    for e in engines(ctx):
        ok = ctx.run("get", "--engine", e, "-o", ctx.path(f"ok-{e}"), "-x",
                     f"http://alice:s3cret@{host}", url, env=env())
        check(ok.code == 0, ok)
        ok = ctx.run("get", "--engine", e, "-o", ctx.path(f"ok2-{e}"), "--cacert",
                     pki()["ca.pem"], "--proxy-user", "alice:s3cret", pop20_urls(https)[0],
                     env=env(https_proxy=px.url))
        check(ok.code == 0, ok)
        bad = ctx.run("get", "--engine", e, "-o", ctx.path(f"bad-{e}"), "-x",
                      f"http://alice:wrong@{host}", url, env=env())
        check(bad.code == 1 and f"proxy {host} refused the credentials (407" in bad.err, bad)
        check("wrong" not in bad.err + bad.out, bad)
        none = ctx.run("get", "--engine", e, "-o", ctx.path(f"none-{e}"), "--cacert",
                       pki()["ca.pem"], pop20_urls(https)[0], env=env(https_proxy=px.url))
        check(none.code == 1 and f"proxy {host} wants credentials (407" in none.err, none)
        check(listing(ctx.path(f"bad-{e}")) == [] and listing(ctx.path(f"none-{e}")) == [])


def test_no_proxy_routing(ctx):
    www, http, https = origins(ctx)
    px = tinyproxy(ctx)
    urls = pop20_urls(http)[:3]
    for e in engines(ctx):
        r = ctx.run("get", "--engine", e, "-o", ctx.path(f"a-{e}"), *urls,
                    env=env(http_proxy=px.url, no_proxy="localhost, 127.0.0.0/8"))
        check(r.code == 0, r)
        r = ctx.run("get", "--engine", e, "-o", ctx.path(f"b-{e}"), *urls,
                    env=env(http_proxy=px.url, NO_PROXY=".example.com"))
        check(r.code == 0, r)
        # --noproxy beats the environment; "" proxies everything
        r = ctx.run("get", "--engine", e, "-o", ctx.path(f"c-{e}"), "--noproxy", "", *urls,
                    env=env(http_proxy=px.url, no_proxy="*"))
        check(r.code == 0, r)
    time.sleep(0.2)
    seen = len(re.findall(r"Request .*: GET http://127\.0\.0\.1", px.log()))
    n = len(list(engines(ctx)))
    check(seen == 2 * 3 * n, f"{seen} requests through the proxy, want {2 * 3 * n}\n{px.log()}")


def test_httpoxy_and_refused_kinds(ctx):
    www, http, https = origins(ctx)
    url = pop20_urls(http)[0]
    # HTTP_PROXY (upper case) may come from a CGI request header: ignored
    r = ctx.run("get", "-o", ctx.path("a"), url, env=env(HTTP_PROXY="http://127.0.0.1:1"))
    check(r.code == 0, r)
    for var, val, words in (("all_proxy", "socks5://u:pw@127.0.0.1:1080", "SOCKS proxies are not supported"),
                            ("https_proxy", "https://127.0.0.1:1", "https:// proxies are not supported"),
                            ("http_proxy", "ftp://127.0.0.1:1", "unsupported proxy scheme 'ftp'")):
        r = ctx.run("get", "-o", ctx.path("b"), url, env=env(**{var: val}))
        check(r.code == 2 and f"{var}: {words}" in r.err, r)
        check("pw" not in r.err, r)
    r = ctx.run("get", "-o", ctx.path("c"), "-x", "socks4://h", url, env=env())
    check(r.code == 2 and "--proxy: SOCKS proxies are not supported" in r.err, r)


HOSTILE = (
    ("407", "https", 1, "wants credentials (407 Proxy Authentication Required)"),
    ("403", "https", 1, "refused CONNECT to localhost:"),
    ("200-close", "https", 1, ""),
    ("garbage", "https", 1, "malformed HTTP response"),
    ("body", "https", 1, "sent data after its CONNECT answer"),
    ("silent", "https", 1, "connection timed out after 2s"),
    ("mid-tunnel", "https", 1, ""),
    ("407", "http", 1, "wants credentials (407 Proxy Authentication Required)"),
    ("garbage", "http", 1, "malformed HTTP response"),
)


def test_hostile_proxy(ctx):
    www = ctx.flags_tree()
    big = os.path.join(www, "big.bin")
    with open(big, "wb") as f:
        f.write(os.urandom(4 << 20))
    http = ctx.nginx(www)
    https = ctx.nginx(www, tls=cert("good-ec")).replace("://127.0.0.1:", "://localhost:")
    port = int(https.rsplit(":", 1)[1])
    for mode, scheme, code, words in HOSTILE:
        px = HostileProxy(mode, target=("127.0.0.1", port))
        try:
            url = f"{https}/big.bin" if scheme == "https" else f"{http}/big.bin"
            for e in engines(ctx):
                out = ctx.path(f"{mode}-{scheme}-{e}")
                t0 = time.monotonic()
                r = ctx.run("get", "--engine", e, "-o", out, "--cacert", pki()["ca.pem"],
                            "--connect-timeout", "2", "--timeout", "3", url,
                            env=env(http_proxy=px.url, https_proxy=px.url), timeout=30)
                took = time.monotonic() - t0
                check(r.code == code, f"{mode} {scheme} {e}: {r!r}")
                check(words in r.err, f"{mode} {scheme} {e}: want {words!r}\n{r!r}")
                if mode != "silent" and words:
                    check(f"proxy 127.0.0.1:" in r.err, f"{mode}: the proxy is named\n{r!r}")
                check(listing(out) == [], f"{mode} {scheme} {e}: left {listing(out)}")
                check(took < 8, f"{mode} {scheme} {e}: took {took:.1f}s")
                if e == "seq":
                    line = next((l for l in r.err.splitlines() if "big.bin:" in l), "")
                    print(f"  hostile proxy {mode:10} {scheme:5} {took:4.1f}s {line.split('big.bin: ', 1)[-1]}")
        finally:
            px.close()
