"""test_wget.py - quiver as `wget` (DESIGN §10): a differential suite that
runs the same shell command lines with Debian's `busybox wget` and with
quiver through a link named wget, against the same nginx, `quiver serve`
and a small Python server (POST echo, proxy, cut body, silence), and
compares exit status, standard output and the files left, case by case;
every difference is one of INTENDED (also the README's table).  Then what
BusyBox has not: GNU's exit status per failure class, NAME.1 numbering,
-nc, -N, -i in parallel, --password, -4, and the script idioms."""
import base64
import http.server
import os
import shutil
import subprocess
import threading
import time

from qvtest import Skip, check, read
from testca import TestCA

# Differences on purpose (README.md "wget mode" has the same table).  Every
# other row must match BusyBox exactly: exit 0 or not, stdout, files.
INTENDED = {
    "exit": "GNU wget's exit status (4 network, 5 TLS, 8 HTTP error, 2 usage); "
            "BusyBox exits 1 for every failure",
    "tls": "certificates verified: BusyBox's own TLS verifies nothing (Debian's "
           "build runs `openssl s_client -verify_return_error`, which does: here "
           "only the exit status differs)",
    "partial": "no partial file under the final name after a failure",
    "exists": "an existing NAME is kept and the new file is NAME.1 (GNU); "
              "BusyBox 1.35 refuses: \"can't open 'NAME': File exists\"",
    "noproxy": "no_proxy is honoured (GNU); BusyBox 1.35 ignores it",
    "mkdir": "-P DIR is created when missing (GNU); BusyBox fails",
    "gnu": "a GNU wget option BusyBox (Debian's build) has not: -i (fetched in "
           "parallel), -T (Debian's BusyBox crashes), -N, -nc, -4/-6, --password, "
           "--no-proxy, --ca-certificate",
}

BODY = b"hello from the server\n"
BIG = bytes(range(256)) * 400  # 102,400 bytes, for -c
SCRIPT = b"echo ran-the-script\n"


class Handler(http.server.BaseHTTPRequestHandler):
    """The Python side: /echo answers what it got, an absolute-form target
    is answered as a forwarding proxy would, /cut promises 1000 bytes and
    sends 500, /silent never answers, /auth wants Basic u:p, /garbage is not
    HTTP."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, extra=()):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        h = self.headers
        if self.path.startswith("http://"):
            return self.reply(200, b"via proxy: " + self.path.encode() + b"\n")
        if self.path == "/echo":
            text = (f"{self.command} type={h.get('Content-Type')} x-a={h.get('X-A')} "
                    f"ua={h.get('User-Agent') if h.get('User-Agent') == 'agent/7' else '-'}\n")
            return self.reply(200, text.encode() + body + b"\n")
        if self.path == "/auth":
            if h.get("Authorization") == "Basic " + base64.b64encode(b"u:p").decode():
                return self.reply(200, b"welcome\n")
            return self.reply(401, b"no\n", [("WWW-Authenticate", 'Basic realm="t"')])
        if self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 500)
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path == "/silent":
            time.sleep(30)
            self.close_connection = True
            return
        if self.path == "/garbage":
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.close_connection = True
            return
        self.reply(404, b"not here\n")


class PyServer:
    def __init__(self):
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def busybox():
    bb = shutil.which("busybox")
    if bb is None or subprocess.run([bb, "wget", "--help"], capture_output=True).returncode > 1:
        raise Skip("busybox wget not installed (apt-get install busybox)")
    return bb


def bins(ctx):
    """{"busybox": DIR, "quiver": DIR}: each DIR holds a `wget`."""
    ctx.need("wget")
    out = {}
    for name, exe in (("busybox", busybox()), ("quiver", ctx.quiver)):
        d = ctx.path("bin-" + name)
        os.makedirs(d, exist_ok=True)
        if not os.path.lexists(os.path.join(d, "wget")):
            os.symlink(exe, os.path.join(d, "wget"))
        out[name] = d
    return out


def tree(d):
    """{relative path: bytes} of every file under d."""
    files = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            files[os.path.relpath(p, d)] = read(p)
    return files


class Outcome:
    def __init__(self, p, files, secs):
        self.code, self.out, self.err, self.files, self.secs = (
            p.returncode, p.stdout, p.stderr, files, secs)

    def key(self):
        return (self.code == 0, self.out, self.files)

    def brief(self):
        names = ",".join(sorted(self.files)) or "-"
        out = self.out.decode("latin-1").strip()
        if len(out) > 24 or not out.isprintable():
            out = f"{len(self.out)} bytes"
        return f"exit {self.code}; out {out or '-'}; files {names}"


def sh(ctx, bindir, work, cmd, setup="", env=None, timeout=60):
    """Run `setup; cmd` with sh in a fresh directory work, with bindir's
    wget first on PATH and no proxy from outside."""
    os.makedirs(work)
    e = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    e.update(env or {})
    e["PATH"] = bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin")
    if setup:
        subprocess.run(["sh", "-c", setup], cwd=work, check=True)
    t0 = time.monotonic()
    p = subprocess.run(["sh", "-c", cmd], cwd=work, env=e, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return Outcome(p, tree(work), time.monotonic() - t0)


def servers(ctx):
    """The servers every differential row may name, by letter: N nginx, S
    quiver serve, P the Python server, T nginx over TLS with a self-signed
    certificate (None when openssl is missing)."""
    www = ctx.path("www")
    os.makedirs(os.path.join(www, "dir"))
    for name, data in (("a.txt", BODY), ("big.bin", BIG), ("script.sh", SCRIPT),
                       ("dir/b.txt", BODY)):
        with open(os.path.join(www, name), "wb") as f:
            f.write(data)
    extra = ("location = /e500 { return 500; } location = /loop { return 302 /loop; } "
             "location = /redir { return 301 /a.txt; }")
    py = PyServer()
    s = {"N": ctx.nginx(www, extra_server=extra), "S": ctx.serve(), "P": py.base, "T": None}
    try:
        ca = TestCA(ctx.path("pki"))
        ca.key("k", "rsa")
        cert = ca.self_signed("self", "k", 30)
        s["T"] = ctx.nginx(www, tls=(cert, ca.path("self.key")))
    except FileNotFoundError:
        pass
    return s, py


# (name, server, command, setup, intended difference or None).  $U is the
# server's base URL; in `quiver serve` rows, $U/cn/cn.gif is a flag.
ROWS = [
    ("get", "N", "wget $U/a.txt", "", None),
    ("get serve", "S", "wget -q $U/cn/cn.gif", "", None),
    ("-q -O FILE", "N", "wget -q -O f $U/a.txt && cat f", "", None),
    ("-O over a file", "N", "wget -q -O f $U/a.txt", "echo old > f", None),
    ("-O DIR/FILE", "N", "wget -q -O d/f $U/dir/b.txt", "mkdir d", None),
    ("-O - | sh", "N", "wget -qO- $U/script.sh | sh", "", None),
    ("-O - serve", "S", "wget -q -O - $U/br/br.gif | wc -c", "", None),
    ("-O - two URLs", "N", "wget -qO- $U/a.txt $U/script.sh", "", None),
    ("-P DIR", "N", "wget -q -P d $U/a.txt", "mkdir d", None),
    ("-P new DIR", "N", "wget -q -P d $U/a.txt", "", "mkdir"),
    ("name taken", "N", "wget -q $U/a.txt", "echo old > a.txt", "exists"),
    ("-c resume", "N", "wget -q -c $U/big.bin", "head -c 40000 /dev/zero > big.bin", None),
    ("-c complete", "N", "wget -q -c $U/a.txt", "", None),
    ("redirect", "N", "wget -q $U/redir", "", None),
    ("--spider ok", "N", "wget --spider -q $U/a.txt; echo $?", "", None),
    ("--spider serve", "S", "wget --spider -q $U/fr/fr.gif; echo $?", "", None),
    ("--spider 404", "N", "wget --spider -q $U/nope; echo $?", "", "exit"),
    ("-S", "N", "wget -q -S -O /dev/null $U/a.txt 2>&1 | grep -c '^  HTTP/1.1 200 OK'", "", None),
    ("-S --spider", "S", "wget -S --spider -q $U/de/de.gif 2>&1 | grep -c 'HTTP/1.1 200'", "", None),
    ("-U", "P", "wget -qO- -U agent/7 $U/echo", "", None),
    ("--header", "P", "wget -qO- --header 'X-A: 1' --header 'X-B: 2' $U/echo", "", None),
    ("--post-data", "P", "wget -qO- --post-data 'a=1&b=2' $U/echo", "", None),
    ("--post-file", "P", "wget -qO- --post-file body $U/echo", "printf 'k=v' > body", None),
    ("user:pass@", "P", "wget -qO- http://u:p@${U#http://}/auth", "", None),
    ("--user (no password)", "P", "wget -q --user u $U/auth", "", "exit"),
    ("http_proxy=", "P", "http_proxy=$U wget -qO- http://origin.invalid/x", "", None),
    ("-Y off", "N", "http_proxy=http://127.0.0.1:9 wget -q -Y off $U/a.txt", "", None),
    ("no_proxy=", "N", "http_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1 wget -q $U/a.txt",
     "", "noproxy"),
    ("-o LOG", "N", "wget -o log $U/a.txt && test -s log && echo logged && rm log", "", None),
    ("ignored -nv -nH -np", "N", "wget -q -nv -nH -np --no-cache --passive-ftp $U/a.txt", "",
     None),
    ("-t 3", "N", "wget -q -t 3 $U/a.txt", "", None),
    ("404", "N", "wget -q $U/nope", "", "exit"),
    ("404 serve", "S", "wget -q $U/zz/zz.gif", "", "exit"),
    ("-O FILE 404", "N", "wget -q -O f $U/nope", "", "exit"),
    ("500", "N", "wget -q $U/e500", "", "exit"),
    ("refused", "N", "wget -q http://127.0.0.1:9/x", "", "exit"),
    ("redirect loop", "N", "wget -q $U/loop", "", "exit"),
    ("cut body", "P", "wget -q $U/cut", "", "partial"),
    ("not HTTP", "P", "wget -q $U/garbage", "", "exit"),
    ("self-signed TLS", "T", "wget -q $U/a.txt", "", "exit"),
    ("--no-check-certificate", "T", "wget -q --no-check-certificate $U/a.txt", "", None),
    ("unknown option", "N", "wget --bogus $U/a.txt", "", "exit"),
    ("-T 5 -t 3", "N", "wget -q -T 5 -t 3 $U/a.txt", "", "gnu"),
    ("-i FILE", "N", "wget -q -i list", "", "gnu"),
]

# What quiver must give in the rows that differ on purpose: (exit, files).
QUIVER_WANTS = {
    "-P new DIR": (0, {"d/a.txt": BODY}),
    "name taken": (0, {"a.txt": b"old\n", "a.txt.1": BODY}),
    "--spider 404": (0, {}),   # the `; echo $?` exits 0; stdout says 8
    "--user (no password)": (6, {}),
    "no_proxy=": (0, {"a.txt": BODY}),
    "404": (8, {}),
    "404 serve": (8, {}),
    "-O FILE 404": (8, {}),
    "500": (8, {}),
    "refused": (4, {}),
    "redirect loop": (8, {}),
    "cut body": (4, {}),
    "not HTTP": (7, {}),
    "self-signed TLS": (5, {}),
    "unknown option": (2, {}),
    "-T 5 -t 3": (0, {"a.txt": BODY}),
    "-i FILE": (0, None),
}


def row_setup(name, setup, s):
    if name == "-i FILE":
        return "printf '%s/a.txt\\n%s/dir/b.txt\\n' > list" % (s["N"], s["N"])
    return setup


def test_differential(ctx):
    """Every row run by both; same outcome, or the listed difference with
    quiver's exit status and files as GNU wget gives them.  The observed
    table goes to $QV_WGET_TABLE when set."""
    b = bins(ctx)
    s, py = servers(ctx)
    table = []
    try:
        for i, (name, srv, cmd, setup, why) in enumerate(ROWS):
            if s[srv] is None:
                table.append((name, "skipped: openssl not installed (apt-get install openssl)", "", ""))
                continue
            setup = row_setup(name, setup, s)
            env = {"U": s[srv]}
            got = {k: sh(ctx, b[k], ctx.path(f"w{i}-{k}"), cmd, setup, env) for k in b}
            bb, qv = got["busybox"], got["quiver"]
            if why is None:
                check(bb.key() == qv.key(), f"{name}: busybox {bb.brief()} {bb.out!r} {bb.err!r}"
                      f"\nquiver {qv.brief()} {qv.out!r} {qv.err!r}")
                verdict = "same"
            else:
                code, files = QUIVER_WANTS[name]
                check(qv.code == code and (files is None or qv.files == files),
                      f"{name}: quiver {qv.brief()} {qv.out!r} {qv.err!r}")
                # another BusyBox build may agree (one with -T, say): fine
                same = bb.key() == qv.key() and bb.code == qv.code
                verdict = "same" if same else "intended: " + why
            table.append((name, bb.brief(), qv.brief(), verdict))
    finally:
        py.close()
    where = os.environ.get("QV_WGET_TABLE")
    if where:
        with open(where, "w") as f:
            f.write("| case | busybox wget | quiver as wget | |\n|---|---|---|---|\n")
            for r in table:
                f.write("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |\n")


def qw(ctx, *args, cwd=None, env=None, timeout=60):
    """quiver run as wget (through the link), in cwd (default a new dir)."""
    b = bins(ctx)["quiver"]
    e = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    e.update(env or {})
    if cwd is None:
        cwd = ctx.path(f"q{time.monotonic_ns()}")
        os.makedirs(cwd)
    p = subprocess.run([os.path.join(b, "wget"), *args], cwd=cwd, env=e, capture_output=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return p, cwd


def test_gnu_exit_codes(ctx):
    """One failure of each class, with GNU wget's status; several URLs give
    the highest-priority one (the lowest of 3..8)."""
    s, py = servers(ctx)
    try:
        silent = py.base + "/silent"
        cases = [
            (0, [s["N"] + "/a.txt"]),
            (1, ["http://bad host/x"]),
            (2, ["--no-such-option", s["N"] + "/a.txt"]),
            (3, ["-P", "/dev/null/x", s["N"] + "/a.txt"]),
            (4, ["http://127.0.0.1:9/x"]),
            (4, ["-T", "1", silent]),
            (6, [py.base + "/auth"]),
            (7, [py.base + "/garbage"]),
            (8, [s["N"] + "/nope"]),
            (8, [s["N"] + "/e500"]),
            (4, [s["N"] + "/nope", "http://127.0.0.1:9/x"]),
            (8, [s["N"] + "/a.txt", s["N"] + "/nope"]),
        ]
        if s["T"] is not None:
            cases.append((5, [s["T"] + "/a.txt"]))
            cases.append((4, [s["T"] + "/a.txt", "http://127.0.0.1:9/x"]))
        for want, args in cases:
            t0 = time.monotonic()
            p, _ = qw(ctx, "-q", *args)
            check(p.returncode == want, f"wget -q {' '.join(args)}: exit {p.returncode}, "
                  f"want {want}: {p.stderr!r}")
            check(time.monotonic() - t0 < 20, args)
    finally:
        py.close()


def test_names_numbered_and_kept(ctx):
    """NAME.1, NAME.2 for a name taken (by a file, or by an earlier URL of
    the same run); -nc skips it; -O, -c and -N say otherwise."""
    s, py = servers(ctx)
    py.close()
    u = s["N"] + "/a.txt"
    _, d = qw(ctx, "-q", u)
    for _ in range(2):
        p, _ = qw(ctx, "-q", u, cwd=d)
        check(p.returncode == 0, p)
    check(sorted(os.listdir(d)) == ["a.txt", "a.txt.1", "a.txt.2"], os.listdir(d))
    p, d = qw(ctx, "-q", u, s["N"] + "/dir/../a.txt")
    check(p.returncode == 0 and sorted(os.listdir(d)) == ["a.txt", "a.txt.1"], os.listdir(d))
    with open(os.path.join(d, "a.txt"), "wb") as f:
        f.write(b"mine\n")
    p, _ = qw(ctx, "-q", "-nc", u, cwd=d)
    check(p.returncode == 0 and read(os.path.join(d, "a.txt")) == b"mine\n", p)
    check(sorted(os.listdir(d)) == ["a.txt", "a.txt.1"], os.listdir(d))
    p, _ = qw(ctx, "-q", "-O", "a.txt", u, cwd=d)
    check(p.returncode == 0 and read(os.path.join(d, "a.txt")) == BODY, p)
    # -N: the server's copy is not newer than the file (its mtime is the
    # server's Last-Modified), so nothing is fetched
    os.utime(os.path.join(d, "a.txt.1"), (time.time() + 3600,) * 2)
    os.rename(os.path.join(d, "a.txt.1"), os.path.join(d, "n.txt"))
    p, _ = qw(ctx, "-q", "-N", u, cwd=d)
    check(p.returncode == 0 and sorted(os.listdir(d)) == ["a.txt", "n.txt"], os.listdir(d))


def test_stdout_post_and_parallel_list(ctx):
    """-O - writes the body and nothing else to stdout; --post-data and
    --post-file arrive as a form POST; a 303 turns a POST into a GET; -i
    fetches every URL of a list."""
    s, py = servers(ctx)
    try:
        p, _ = qw(ctx, "-q", "-O", "-", s["N"] + "/big.bin")
        check(p.returncode == 0 and p.stdout == BIG, (p.returncode, len(p.stdout)))
        p, _ = qw(ctx, "-O", "-", s["S"] + "/cn/cn.gif")
        check(p.returncode == 0 and p.stdout.startswith(b"GIF89a"), p.stderr)
        p, _ = qw(ctx, "-qO-", "--post-data=x=1&y=%20", py.base + "/echo")
        check(p.stdout == b"POST type=application/x-www-form-urlencoded x-a=None ua=-\nx=1&y=%20\n",
              p.stdout)
        p, _ = qw(ctx, "-qO-", "--header", "Content-Type: text/plain", "--post-data", "z",
                  py.base + "/echo")
        check(p.stdout == b"POST type=text/plain x-a=None ua=-\nz\n", p.stdout)
        p, _ = qw(ctx, "-q", "-O", "-", "--post-file", "/nonexistent", py.base + "/echo")
        check(p.returncode == 3 and p.stdout == b"", p)
        lst = ctx.path("list")
        urls = [s["N"] + "/a.txt", s["N"] + "/dir/b.txt", s["N"] + "/big.bin", s["S"] + "/cn/cn.gif"]
        with open(lst, "w") as f:
            f.write("\n".join(urls) + "\n")
        p, d = qw(ctx, "-q", "-i", lst)
        check(p.returncode == 0, p)
        check(sorted(os.listdir(d)) == ["a.txt", "b.txt", "big.bin", "cn.gif"], os.listdir(d))
        p, _ = qw(ctx, "--help")
        check(p.returncode == 0 and b"in parallel" in p.stdout, p.stdout)
    finally:
        py.close()


def test_script_idioms(ctx):
    """The lines scripts on small systems run, as they run them (sh -c)."""
    b = bins(ctx)["quiver"]
    s, py = servers(ctx)
    n, p_ = s["N"], py.base
    idioms = [
        (f"wget -qO- {n}/script.sh | sh", b"ran-the-script\n", None),
        (f"wget -q -O /tmp/qv-wget-$$ {n}/a.txt && cat /tmp/qv-wget-$$ && rm /tmp/qv-wget-$$",
         BODY, None),
        (f"wget --spider -q {n}/a.txt; echo $?", b"0\n", None),
        (f"wget --spider -q {n}/nope; echo $?", b"8\n", None),
        (f"head -c 1000 {ctx.path('www', 'big.bin')} > big.bin; wget -c {n}/big.bin 2>/dev/null && cmp -s big.bin "
         f"{ctx.path('www', 'big.bin')} && echo resumed", b"resumed\n", None),
        (f"wget -T 5 -t 3 -q {n}/a.txt && cat a.txt", BODY, None),
        (f"http_proxy={p_} wget -qO- http://origin.invalid/y", b"via proxy: http://origin.invalid/y\n",
         None),
        (f"wget -q -T 1 -t 2 {p_}/silent || echo timed-out $?", b"timed-out 4\n", 10),
    ]
    try:
        for i, (cmd, want, within) in enumerate(idioms):
            o = sh(ctx, b, ctx.path(f"idiom{i}"), cmd)
            check(o.out == want, f"{cmd}: {o.out!r} {o.err!r}")
            if within is not None:
                check(o.secs < within, (cmd, o.secs))
    finally:
        py.close()


def test_ca_options_and_install_links(ctx):
    """--ca-certificate FILE and --ca-directory DIR (hashed by `openssl
    rehash`) verify a server no bundle knows; `quiver --install-links DIR`
    makes DIR/wget, again without complaint, and leaves a stranger alone."""
    ctx.need("wget")
    if shutil.which("openssl") is None:
        raise Skip("openssl not installed (apt-get install openssl)")
    ca = TestCA(ctx.path("pki"))
    ca.key("ca", "ec")
    ca.ca("ca", "quiver wget test CA")
    ca.key("srv", "ec")
    cert = ca.leaf("srv", "srv", san="IP:127.0.0.1")
    www = ctx.path("www")
    os.makedirs(www)
    with open(os.path.join(www, "a.txt"), "wb") as f:
        f.write(BODY)
    base = ctx.nginx(www, tls=(cert, ca.path("srv.key")))
    hashed = ctx.path("hashed")
    os.makedirs(hashed)
    shutil.copy(ca.path("ca.pem"), hashed)
    subprocess.run(["openssl", "rehash", hashed], check=True, capture_output=True)
    p, _ = qw(ctx, "-q", base + "/a.txt")
    check(p.returncode == 5, p)
    for opt in ("--ca-certificate=" + ca.path("ca.pem"), "--ca-directory=" + hashed):
        p, d = qw(ctx, "-q", opt, base + "/a.txt", env={"SSL_CERT_FILE": "/nonexistent"})
        check(p.returncode == 0 and read(os.path.join(d, "a.txt")) == BODY, (opt, p))
    links = ctx.path("links")
    os.makedirs(links)
    for _ in range(2):
        r = ctx.run("--install-links", links)
        check(r.code == 0, r)
    check(os.path.realpath(os.path.join(links, "wget")) == os.path.realpath(ctx.quiver),
          os.listdir(links))
    v = subprocess.run([os.path.join(links, "wget"), "--version"], capture_output=True, text=True)
    check(v.returncode == 0 and "as wget" in v.stdout, v)
    other = ctx.path("other")
    os.makedirs(other)
    with open(os.path.join(other, "wget"), "w") as f:
        f.write("#!/bin/sh\n")
    r = ctx.run("--install-links", other)
    check(r.code == 1 and "exists" in r.err, r)
    check(read(os.path.join(other, "wget")) == b"#!/bin/sh\n")
