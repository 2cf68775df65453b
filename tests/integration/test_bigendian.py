"""test_bigendian.py - big-endian end to end (DESIGN §6): the mips and s390x
builds of quiver, run under qemu-user, against the native build, where
byte-order bugs in the parsers, the TLS code, the --shard hash and GIF
synthesis would show.  For each big-endian target:

  - it downloads POP20 over HTTP from the native `quiver serve`, and over
    HTTPS from the native `quiver serve --tls` and from nginx, and the files
    are byte-identical to what the native build downloads (or nginx serves);
  - the native build fetches all 194 flags and flags3's metadata from the
    big-endian `quiver serve`, byte-identical to the native server's;
  - `get --shard K/N` picks the same URLs as the native build.

build.zig passes the binaries (run.py --cross TRIPLE=QEMU:PATH) when qemu-user
is installed, else why not (--cross-missing), and every case here skips with
that one reason.  They run in the release pass only: qemu is slow and the
other passes test the native binary.
"""
import json
import os
import subprocess

import test_tls
from qvtest import POP20, Skip, check

TRIPLES = ("mips-linux-musleabi", "s390x-linux-musl")
# qemu-user runs a whole TLS handshake in software: give it time.
TIMEOUT = 240


def _be(ctx, triple):
    """(qemu, path) of triple's quiver, or Skip."""
    if triple in ctx.cross_missing:
        raise Skip(ctx.cross_missing[triple])
    if triple not in ctx.cross:
        raise Skip("runs in the release pass only (run.py --cross)")
    return ctx.cross[triple]


def _run(ctx, triple, *args):
    qemu, path = _be(ctx, triple)
    p = subprocess.run([qemu, path, *map(str, args)], capture_output=True, text=True,
                       errors="replace", timeout=TIMEOUT, cwd=ctx.tmp)
    return p


def _files(d):
    """{name: bytes} of the files in d."""
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def _same_tree(a, b, want=None):
    fa, fb = _files(a), _files(b)
    check(sorted(fa) == sorted(fb), f"{a}: {sorted(fa)}\n{b}: {sorted(fb)}")
    if want is not None:
        check(len(fa) == want, f"{len(fa)} files, want {want}")
    for name in fa:
        check(fa[name] == fb[name], f"{name} differs ({len(fa[name])} vs {len(fb[name])} bytes)")


def _pop20(ctx, triple, site, *extra):
    """POP20 from site with the big-endian and the native build; identical."""
    be, native = ctx.path("be"), ctx.path("native")
    p = _run(ctx, triple, "flags", "--site", site, "-o", be, *extra)
    check(p.returncode == 0 and "20 downloads in" in p.stdout, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    r = ctx.run("flags", "--site", site, "-o", native, *extra)
    check(r.code == 0, r)
    _same_tree(be, native, 20)
    return be


def _http_pop20(ctx, triple):
    _be(ctx, triple)
    _pop20(ctx, triple, ctx.serve())


def _https_serve_pop20(ctx, triple):
    _be(ctx, triple)
    _pop20(ctx, triple, test_tls.serve_tls(ctx, "good-ec"), "--cacert", test_tls.pki()["ca.pem"])


def _https_nginx_pop20(ctx, triple):
    _be(ctx, triple)
    www = ctx.flags_tree()
    base = test_tls.https_localhost(ctx.nginx(www, tls=test_tls.cert("good-rsa")))
    got = _pop20(ctx, triple, f"{base}/flags", "--cacert", test_tls.pki()["ca.pem"])
    for cc in POP20:
        with open(os.path.join(www, "flags", cc.lower(), f"{cc.lower()}.gif"), "rb") as f:
            want = f.read()
        with open(os.path.join(got, f"{cc}.gif"), "rb") as f:
            check(f.read() == want, f"{cc}.gif differs from nginx's")


def _serve_be(ctx, triple, *args):
    """Start the big-endian `quiver serve --port 0`; its base URL."""
    qemu, path = _be(ctx, triple)
    p = ctx.spawn([qemu, path, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    check(line.startswith("http"), f"serve printed {line!r}")
    return line


def _be_server_flags(ctx, triple):
    """All 194 flags (GIF synthesis) and flags3's names (metadata.json) from
    the big-endian server, as the native server serves them."""
    be_site, native_site = _serve_be(ctx, triple), ctx.serve()
    for cmd, extra in (("flags2", ["-a", "-m", "8"]), ("flags3", ["-m", "8"])):
        be, native = ctx.path(f"{cmd}-be"), ctx.path(f"{cmd}-native")
        r = ctx.run(cmd, "-s", be_site, "-o", be, *extra, timeout=TIMEOUT)
        check(r.code == 0, r)
        r = ctx.run(cmd, "-s", native_site, "-o", native, *extra)
        check(r.code == 0, r)
        _same_tree(be, native, 194 if cmd == "flags2" else 20)


def _be_server_tls(ctx, triple):
    """The big-endian `quiver serve --tls` (BearSSL's server engine and the
    PEM key loader on big-endian), POP20 fetched by the native build."""
    c, k = test_tls.cert("good-ec")
    site = _serve_be(ctx, triple, "--tls", "--cert", c, "--key", k)
    out = ctx.path("tls")
    r = ctx.run("flags", "--site", site, "-o", out, "--cacert", test_tls.pki()["ca.pem"],
                timeout=TIMEOUT)
    check(r.code == 0 and "20 downloads in" in r.out, r)
    native = ctx.path("native")
    r = ctx.run("flags", "--site", ctx.serve(), "-o", native)
    check(r.code == 0, r)
    _same_tree(out, native, 20)


def _shard(ctx, triple):
    """The --shard key (fnv1a64 + fmix64 of the URL bytes) is the same on
    big-endian: every shard of 4 picks the same files as the native build,
    and the shards partition the list."""
    _be(ctx, triple)
    base = ctx.serve()
    codes = [a + b for a in "ABCDEFGH" for b in "ABCDEFGH"]  # 64 URLs, most 404
    with open(ctx.path("list"), "w") as f:
        for cc in codes:
            f.write(f"{base}/{cc.lower()}/{cc.lower()}.gif\n")
    seen = []
    for k in range(4):
        be, native = ctx.path(f"be{k}"), ctx.path(f"native{k}")
        p = _run(ctx, triple, "get", "-q", "--shard", f"{k}/4", "--json", ctx.path(f"be{k}.json"),
                 "-i", ctx.path("list"), "-o", be)
        r = ctx.run("get", "-q", "--shard", f"{k}/4", "--json", ctx.path(f"native{k}.json"),
                    "-i", ctx.path("list"), "-o", native)
        check(p.returncode == r.code, f"exit {p.returncode} vs {r.code}\n{p.stderr}\n{r}")
        urls = []
        for name in (f"be{k}.json", f"native{k}.json"):
            with open(ctx.path(name)) as f:
                urls.append(sorted(json.loads(line)["url"] for line in f if line.strip()))
        check(urls[0] == urls[1], f"shard {k}/4 differs:\n{urls[0]}\n{urls[1]}")
        seen += urls[0]
        if os.path.isdir(native) or os.path.isdir(be):
            _same_tree(be, native)
    check(sorted(seen) == sorted(f"{base}/{cc.lower()}/{cc.lower()}.gif" for cc in codes),
          "the shards do not partition the list")


def _define():
    cases = {
        "http_pop20": _http_pop20,
        "https_serve_pop20": _https_serve_pop20,
        "https_nginx_pop20": _https_nginx_pop20,
        "server_all_flags": _be_server_flags,
        "server_tls": _be_server_tls,
        "shard": _shard,
    }
    for triple in TRIPLES:
        arch = triple.split("-", 1)[0]
        for name, fn in cases.items():
            def case(ctx, fn=fn, triple=triple):
                fn(ctx, triple)
            case.__name__ = f"test_{arch}_{name}"
            case.__doc__ = fn.__doc__
            globals()[case.__name__] = case


_define()
