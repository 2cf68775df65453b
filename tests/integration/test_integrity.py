"""test_integrity.py - pipes and integrity (issue 16, DESIGN §1 and §5), in
every engine: `-O -` to standard output (a pipe into sha256sum, EPIPE from
`head`, a reset resumed by Range, a server that ignores Range after bytes
went out, nothing created on disk), checksums (--checksum, --checksum-file
with GNU, binary, escaped and BSD lines, per-URL out=/checksum= list lines,
a resumed .part good and corrupted), resume that cannot corrupt (a changed
file on nginx restarts, an unchanged one resumes with a 206, no validator
restarts), and timestamps (Last-Modified as mtime, -N and its 304, a 304
nobody asked for).

nginx serves what real servers send (ETag "mtime-size", Last-Modified);
`quiver serve` sends neither; Origin below is a scripted stdlib server for
the misbehaviours."""
import email.utils
import hashlib
import json
import os
import socket
import struct
import subprocess
import threading
import time

from qvtest import blob, check, engines, listing, read

# Last-Modified of Origin's files: an old, fixed date (strong: Date is now).
ORIGIN_MTIME = 1_000_000_000


class Origin:
    """A scripted HTTP/1.1 server on 127.0.0.1 (keep-alive, one thread per
    connection).  Files get a strong ETag and a Last-Modified, honour Range,
    If-Range and If-Modified-Since, unless a path is listed in:
      cut          path -> bytes sent of the first response before a reset (RST)
      ignore_range paths whose Range is ignored (200) once a response was cut
      always_304   paths answered 304 whatever was asked
      bare         paths served without ETag or Last-Modified
    log: (path, {header: value}) of every request, lower-case names."""

    def __init__(self):
        self.files, self.cut, self.ignore_range = {}, {}, set()
        self.always_304, self.bare, self.log = set(), set(), []
        self.lock = threading.Lock()
        self.was_cut = set()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def add(self, path, data):
        self.files[path] = data
        return self.base + path

    def close(self):
        # shutdown first: a close() alone leaves the accept() blocked in
        # another thread on a socket whose descriptor the next case reuses
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    more = conn.recv(65536)
                    if not more:
                        return
                    buf += more
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                hdrs = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    hdrs[k.strip().lower()] = v.strip()
                with self.lock:
                    self.log.append((path, hdrs))
                if not self._answer(conn, path, hdrs):
                    return
        except OSError:
            pass
        finally:
            conn.close()

    def _answer(self, conn, path, hdrs):
        """Send one response; False when the connection is finished."""
        data = self.files.get(path)
        date = email.utils.formatdate(usegmt=True)
        if data is None:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return True
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        lm = email.utils.formatdate(ORIGIN_MTIME, usegmt=True)
        valid = [] if path in self.bare else [f"ETag: {etag}", f"Last-Modified: {lm}"]
        ims = hdrs.get("if-modified-since")
        if path in self.always_304 or (
                ims and valid and email.utils.parsedate_to_datetime(ims).timestamp() >= ORIGIN_MTIME):
            conn.sendall(("HTTP/1.1 304 Not Modified\r\nDate: %s\r\n%s\r\n" % (
                date, "".join(v + "\r\n" for v in valid))).encode())
            return True
        start, rng = 0, hdrs.get("range")
        if hdrs.get("if-range") not in (None, etag, lm) or (
                path in self.ignore_range and path in self.was_cut):
            rng = None
        status = "200 OK"
        extra = []
        if rng and rng.startswith("bytes=") and rng.endswith("-") and int(rng[6:-1]) < len(data):
            start = int(rng[6:-1])
            status = "206 Partial Content"
            extra = [f"Content-Range: bytes {start}-{len(data) - 1}/{len(data)}"]
        body = data[start:]
        head = [f"HTTP/1.1 {status}", f"Date: {date}", f"Content-Length: {len(body)}", *valid, *extra]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        cut = self.cut.get(path)
        if cut is not None and path not in self.was_cut:
            with self.lock:
                self.was_cut.add(path)
            conn.sendall(body[:cut])
            time.sleep(0.05)
            # a reset, not a FIN: SO_LINGER 0
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        conn.sendall(body)
        return True

    def requests(self, path):
        with self.lock:
            return [h for p, h in self.log if p == path]


def origin_case(fn):
    def case(ctx):
        srv = Origin()
        try:
            fn(ctx, srv)
        finally:
            srv.close()
    case.__name__ = fn.__name__
    case.__doc__ = fn.__doc__
    return case


def pipe_into(ctx, argv, reader, cwd):
    """quiver ARGV | READER; returns (quiver's exit, its stderr, reader's stdout)."""
    q = subprocess.Popen([ctx.quiver, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    r = subprocess.Popen(reader, stdin=q.stdout, stdout=subprocess.PIPE)
    q.stdout.close()
    out, _ = r.communicate(timeout=120)
    err = q.stderr.read().decode(errors="replace")
    q.stderr.close()
    return q.wait(timeout=60), err, out


def stdout_run(ctx, argv, cwd, timeout=60):
    """quiver ARGV with stdout captured as bytes; (exit, stdout, stderr)."""
    p = subprocess.run([ctx.quiver, *argv], capture_output=True, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def empty_dir(ctx, name):
    d = ctx.path(name)
    os.makedirs(d)
    return d


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def nginx_files(ctx, files, extra=""):
    """nginx over TMP/www holding files {name: bytes}; returns (base URL, www)."""
    www = ctx.path("www")
    os.makedirs(www, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(data)
    return ctx.nginx(www, extra_server=extra), www


# ---- standard output ---------------------------------------------------------

def test_stdout_pipe_sha256(ctx):
    """A 5 MiB body through a pipe into sha256sum equals the source; nothing
    is created in the working directory."""
    data = blob(5 << 20, 16)
    base, _ = nginx_files(ctx, {"five.bin": data})
    for e in engines(ctx):
        cwd = empty_dir(ctx, "cwd-" + e)
        code, err, out = pipe_into(ctx, ["get", "--engine", e, "-O", "-", base + "/five.bin"],
                                   ["sha256sum"], cwd)
        check(code == 0, (e, code, err))
        check(out.split()[0].decode() == sha256(data), (e, out))
        check(listing(cwd) == [], (e, listing(cwd)))
        check(err.count("\n") == 1 and "1 file downloaded (5.00 MiB" in err, (e, err))


def test_stdout_epipe_quiet(ctx):
    """`| head -c 100`: the reader goes away; exit 1, at most one line, no
    signal death (SIGPIPE is ignored, the write sees EPIPE)."""
    base, _ = nginx_files(ctx, {"big.bin": blob(8 << 20, 3)})
    for e in engines(ctx):
        cwd = empty_dir(ctx, "cwd-" + e)
        code, err, out = pipe_into(ctx, ["get", "--engine", e, "-O", "-", base + "/big.bin"],
                                   ["head", "-c", "100"], cwd)
        check(out == blob(8 << 20, 3)[:100], (e, len(out)))
        check(code == 1, (e, code, err))
        check(err.count("\n") <= 1 and "standard output" not in err, (e, err))
        check(listing(cwd) == [], (e, listing(cwd)))


@origin_case
def test_stdout_reset_resumed_by_range(ctx, srv):
    """A reset mid-body with --retry 2: the retry asks for the rest (Range and
    If-Range) and standard output gets every byte once."""
    data = blob(3 << 20, 5)
    for e in engines(ctx):
        path = f"/r-{e}.bin"
        url = srv.add(path, data)
        srv.cut[path] = 1_000_000
        cwd = empty_dir(ctx, "cwd-" + e)
        code, out, err = stdout_run(ctx, ["get", "--engine", e, "--retry", "2", "--retry-delay", "0.05",
                                          "-O", "-", url], cwd)
        check(code == 0 and out == data, (e, code, len(out), err))
        reqs = srv.requests(path)
        check(len(reqs) == 2 and reqs[1].get("range") == "bytes=1000000-", (e, reqs))
        check(reqs[1].get("if-range", "").startswith('"'), (e, reqs))
        check(listing(cwd) == [], (e, listing(cwd)))


@origin_case
def test_stdout_range_ignored_fails(ctx, srv):
    """After bytes went out, a server that answers the Range with a 200 is a
    clean failure: exit 1, stdout holds exactly the prefix, and says so."""
    data = blob(2 << 20, 6)
    for e in engines(ctx):
        path = f"/i-{e}.bin"
        url = srv.add(path, data)
        srv.cut[path] = 700_000
        srv.ignore_range.add(path)
        cwd = empty_dir(ctx, "cwd-" + e)
        code, out, err = stdout_run(ctx, ["get", "--engine", e, "--retry", "2", "--retry-delay", "0.05",
                                          "-O", "-", url], cwd)
        check(code == 1 and out == data[:700_000], (e, code, len(out), err))
        check("cannot resume after 700000 bytes" in err, (e, err))
        check("standard output holds only the first 700000 bytes" in err, (e, err))
        check(listing(cwd) == [], (e, listing(cwd)))


@origin_case
def test_stdout_without_validator(ctx, srv):
    """No ETag or Last-Modified: a reset after bytes went out is not retried
    (continuing could splice two files) unless --continue-unsafe."""
    data = blob(1 << 20, 7)
    url = srv.add("/bare.bin", data)
    srv.bare.add("/bare.bin")
    srv.cut["/bare.bin"] = 300_000
    cwd = empty_dir(ctx, "cwd")
    code, out, err = stdout_run(ctx, ["get", "--retry", "2", "--retry-delay", "0.05", "-O", "-", url], cwd)
    check(code == 1 and out == data[:300_000] and "not retried" in err, (code, len(out), err))
    srv.was_cut.clear()
    code, out, err = stdout_run(ctx, ["get", "--retry", "2", "--retry-delay", "0.05", "--continue-unsafe",
                                      "-O", "-", url], cwd)
    check(code == 0 and out == data, (code, len(out), err))
    check(listing(cwd) == [], listing(cwd))


def test_stdout_usage_and_checksum(ctx):
    """-O - with two URLs, or with -c, -N, --json -: usage errors (exit 2).
    A wrong --checksum is found at the end: exit 1, the bytes already out."""
    data = b"hello\n"
    base, _ = nginx_files(ctx, {"a.txt": data})
    cwd = empty_dir(ctx, "cwd")
    for extra in (["http://h/b"], ["-c"], ["-N"], ["--json", "-"], ["--skip-existing"]):
        code, _, err = stdout_run(ctx, ["get", "-O", "-", base + "/a.txt", *extra], cwd)
        check(code == 2 and err.startswith("quiver get: "), (extra, code, err))
    code, out, err = stdout_run(ctx, ["get", "-O", "-", "--checksum", "sha256=" + "0" * 64,
                                      base + "/a.txt"], cwd)
    check(code == 1 and out == data, (code, out, err))
    check(f"checksum mismatch: want sha-256 {'0' * 64}, got {sha256(data)} (all 6 bytes already "
          "went to standard output)" in err, err)
    check(listing(cwd) == [], listing(cwd))


# ---- checksums ---------------------------------------------------------------

def test_checksum_option(ctx):
    """Right, uppercase and SHA-512 digests save; a wrong one saves nothing,
    is reported as code "checksum" and is not retried; a digest of the
    wrong length or an unknown algorithm is a usage error."""
    data = blob(200_000, 8)
    base, _ = nginx_files(ctx, {"d.bin": data})
    url = base + "/d.bin"
    good256, good512 = sha256(data), hashlib.sha512(data).hexdigest()
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        for spec in (f"sha-256={good256}", f"SHA256={good256.upper()}", f"sha-512={good512}"):
            r = ctx.run("get", "--engine", e, "-o", out, "--checksum", spec, url)
            check(r.code == 0 and read(os.path.join(out, "d.bin")) == data, (e, spec, r))
            os.remove(os.path.join(out, "d.bin"))
        bad = "f" * 64
        r = ctx.run("get", "--engine", e, "-o", out, "--retry", "3", "--json", "-",
                    "--checksum", f"sha256={bad}", url)
        check(r.code == 1 and listing(out) == [], (e, r, listing(out)))
        rec = json.loads(r.out)
        check(rec["code"] == "checksum" and rec["attempts"] == 1 and rec["sha256"] == good256, rec)
        check(rec["error"] == f"checksum mismatch: want sha-256 {bad}, got {good256}", rec)
        check(f"quiver get: {url}: checksum mismatch: want sha-256 {bad}, got {good256}\n" in r.err, r)
    # --digest: the digests in the records and -v lines, nothing checked
    r = ctx.run("get", "-o", ctx.path("dg"), "--digest", "sha-512", "--digest", "sha256", "-v",
                "--json", "-", url)
    rec = json.loads(r.out)
    check(r.code == 0 and rec["sha256"] == good256 and rec["sha512"] == good512, (r, rec))
    check(f"sha256 {good256}, sha512 {good512})" in r.err, r)
    for spec, want in ((f"sha-256={good256[:-1]}", "sha-256 wants 64 hex digits"),
                       (f"md5={good256}", "unknown digest 'md5'"), ("sha-256", "ALGO=HEX")):
        r = ctx.run("get", "-o", ctx.path("u"), "--checksum", spec, url)
        check(r.code == 2 and want in r.err, (spec, r))
    r = ctx.run("get", "-o", ctx.path("u"), "--checksum", f"sha256={good256}", url, base + "/e.bin")
    check(r.code == 2 and "--checksum needs exactly one URL" in r.err, r)


def test_checksum_file_forms(ctx):
    """GNU text, *binary, escaped and BSD lines match on the output name
    (a "./" prefix too); a name not in the file fails unless
    --checksum-optional; a name listed twice differently fails."""
    files = {n: blob(1000 + i, i) for i, n in enumerate(("t.txt", "b.bin", "e.dat", "s.iso", "x.bin",
                                                          "m.bin", "dup.bin"))}
    base, _ = nginx_files(ctx, files)
    h = {n: sha256(d) for n, d in files.items()}
    sums = ctx.path("SHA256SUMS")
    with open(sums, "w") as f:
        f.write(f"# made by hand\n{h['t.txt']}  t.txt\n{h['b.bin']} *b.bin\n\\{h['e.dat']}  e.dat\n"
                f"SHA256 (s.iso) = {h['s.iso']}\n{h['x.bin']}  ./x.bin\n"
                f"{h['dup.bin']}  dup.bin\n{h['t.txt']}  dup.bin\n\\{h['t.txt']}  a\\\\b\n")
    urls = [f"{base}/{n}" for n in files]
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        r = ctx.run("get", "--engine", e, "-o", out, "--checksum-file", sums, "--json", "-", *urls)
        check(r.code == 1, (e, r))
        recs = {json.loads(x)["url"].rsplit("/", 1)[1]: json.loads(x) for x in r.out.splitlines()}
        check(listing(out) == sorted(["t.txt", "b.bin", "e.dat", "s.iso", "x.bin"]), (e, listing(out)))
        for n in ("t.txt", "b.bin", "e.dat", "s.iso", "x.bin"):
            check(recs[n]["error"] is None and recs[n]["sha256"] == h[n], (e, recs[n]))
        check(recs["m.bin"]["code"] == "checksum" and recs["m.bin"]["bytes"] == 0, recs["m.bin"])
        check(recs["m.bin"]["error"] == f"no checksum for m.bin in {sums}", recs["m.bin"])
        check(recs["dup.bin"]["error"] == f"dup.bin is in {sums} twice, with different digests",
              recs["dup.bin"])
        check("5 files downloaded" in r.err and "; 2 failed" in r.err, r)
    r = ctx.run("get", "-o", ctx.path("opt"), "--checksum-file", sums, "--checksum-optional",
                f"{base}/m.bin")
    check(r.code == 0 and listing(ctx.path("opt")) == ["m.bin"], r)
    r = ctx.run("get", "-o", ctx.path("n"), "--checksum-file", ctx.path("nope"), urls[0])
    check(r.code == 1 and "cannot open" in r.err and not os.path.exists(ctx.path("n")), r)


def test_checksum_file_flags(ctx):
    """The 194 real flags and a checksum file with one wrong line: 193
    saved, 1 reported, exit 1 (every engine)."""
    www = ctx.flags_tree()
    base = ctx.nginx(www)
    ccs = sorted(os.listdir(os.path.join(www, "flags")))
    check(len(ccs) == 194, len(ccs))
    sums = ctx.path("SHA256SUMS")
    with open(sums, "w") as f:
        for cc in ccs:
            d = read(os.path.join(www, "flags", cc, f"{cc}.gif"))
            f.write(f"{'0' * 64 if cc == 'br' else sha256(d)}  {cc}.gif\n")
    urls = [f"{base}/flags/{cc}/{cc}.gif" for cc in ccs]
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        r = ctx.run("get", "--engine", e, "-o", out, "--checksum-file", sums, *urls)
        check(r.code == 1, (e, r))
        check(len(listing(out)) == 193 and "br.gif" not in listing(out), (e, len(listing(out))))
        check(r.err.count("checksum mismatch") == 1 and f"{base}/flags/br/br.gif: checksum mismatch"
              in r.err, (e, r.err[-500:]))
        check("193 files downloaded" in r.err and "; 1 failed" in r.err, (e, r.err[-200:]))


@origin_case
def test_checksum_resumed_part(ctx, srv):
    """-c with --checksum: a resumed .part is hashed first, so a good one
    saves and a corrupted one fails the check, leaving nothing at all (the
    .part and its validator removed even with -c)."""
    data = blob(600_000, 9)
    url = srv.add("/p.bin", data)
    good = f"sha256={sha256(data)}"
    for e in engines(ctx):
        for corrupt in (False, True):
            out = ctx.path(f"o-{e}-{corrupt}")
            srv.cut["/p.bin"] = 250_000
            srv.was_cut.discard("/p.bin")
            r = ctx.run("get", "--engine", e, "-c", "-o", out, "--checksum", good, url)
            check(r.code == 1 and listing(out) == ["p.bin.part", "p.bin.part.meta"], (e, r, listing(out)))
            if corrupt:
                with open(os.path.join(out, "p.bin.part"), "r+b") as f:
                    f.seek(1000)
                    f.write(b"\xff")
            n = len(srv.requests("/p.bin"))
            r = ctx.run("get", "--engine", e, "-c", "-o", out, "--checksum", good, url)
            last = srv.requests("/p.bin")[n:]
            check(len(last) == 1 and last[0].get("range", "").startswith("bytes=25"), (e, last))
            if corrupt:
                check(r.code == 1 and "checksum mismatch" in r.err and listing(out) == [],
                      (e, r, listing(out)))
            else:
                check(r.code == 0 and listing(out) == ["p.bin"] and read(os.path.join(out, "p.bin")) == data,
                      (e, r, listing(out)))


def test_list_options(ctx):
    """Per-URL out= and checksum= lines in an -i list; an unknown key and an
    unsafe out= are usage errors naming the line, before any request."""
    files = {"a.bin": blob(3000, 1), "b.bin": blob(4000, 2)}
    base, _ = nginx_files(ctx, files)
    lst = ctx.path("list")
    with open(lst, "w") as f:
        f.write(f"# two files\n{base}/a.bin\n  out=alpha.bin\n  checksum=sha-256={sha256(files['a.bin'])}\n"
                f"\n{base}/b.bin\n\tchecksum=SHA256={'0' * 64}\n")
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        r = ctx.run("get", "--engine", e, "-i", lst, "-o", out, "--json", "-")
        check(r.code == 1 and listing(out) == ["alpha.bin"], (e, r, listing(out)))
        check(read(os.path.join(out, "alpha.bin")) == files["a.bin"], e)
        recs = [json.loads(x) for x in r.out.splitlines()]
        check(sorted(x.get("code") or "ok" for x in recs) == ["checksum", "ok"], recs)
    for body, want in ((f"{base}/a.bin\n  dir=/tmp\n", f"{lst}:2: unknown option 'dir'"),
                       (f"{base}/a.bin\n  out=../x\n", f"{lst}:2: out=../x: file name starts with '.'"),
                       (f"{base}/a.bin\n  out=a/x\n", f"{lst}:2: out=a/x: file name has a '/'"),
                       (f"{base}/a.bin\n  out=same\n{base}/b.bin\n  out=same\n", "both save to same")):
        with open(lst, "w") as f:
            f.write(body)
        r = ctx.run("get", "-i", lst, "-o", ctx.path("bad"))
        check(r.code == 2 and want in r.err and not os.path.exists(ctx.path("bad")), (body, r))


# ---- resume that cannot corrupt ----------------------------------------------

def log_lines(log, want):
    """The access log's lines once it has want of them (nginx logs a request
    after its response went out, so the client may finish first), or as
    they are after 5 s."""
    deadline = time.monotonic() + 5
    while True:
        with open(log) as f:
            lines = f.read().splitlines()
        if len(lines) >= want or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)




def partial_run(ctx, url, out):
    """A -c run cut short by --max-time at 256 KiB/s: leaves NAME.part and
    NAME.part.meta (the rate limit runs the threads engine)."""
    r = ctx.run("get", "-c", "--limit-rate", "256k", "--max-time", "1", "-o", out, url)
    name = url.rsplit("/", 1)[1]
    check(r.code == 1 and listing(out) == [name + ".part", name + ".part.meta"], (r, listing(out)))
    return os.path.getsize(os.path.join(out, name + ".part"))


def test_resume_changed_file_restarts(ctx):
    """A .part of one 1 MiB file, the server's file replaced by another (new
    content, new ETag): -c restarts from byte 0 (200) and saves the new file
    byte for byte; the unchanged case resumes with a 206."""
    old, new = blob(1 << 20, 10), blob(1 << 20, 11)
    base, www = nginx_files(ctx, {"f.bin": old})
    url = base + "/f.bin"
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        with open(os.path.join(www, "f.bin"), "wb") as f:
            f.write(old)
        os.utime(os.path.join(www, "f.bin"), (1_500_000_000, 1_500_000_000))
        size = partial_run(ctx, url, out)
        check(0 < size < len(old), size)
        check(read(os.path.join(out, "f.bin.part")) == old[:size], e)
        with open(os.path.join(www, "f.bin"), "wb") as f:
            f.write(new)
        os.utime(os.path.join(www, "f.bin"), (1_600_000_000, 1_600_000_000))
        r = ctx.run("get", "--engine", e, "-c", "-o", out, "--json", "-", url)
        check(r.code == 0 and listing(out) == ["f.bin"], (e, r, listing(out)))
        check(read(os.path.join(out, "f.bin")) == new, (e, "spliced"))
        rec = json.loads(r.out)
        check(rec["status"] == 200 and rec["bytes"] == len(new), (e, rec))
        # unchanged: the resume continues (206) and completes the same file
        os.remove(os.path.join(out, "f.bin"))
        size = partial_run(ctx, url, out)
        r = ctx.run("get", "--engine", e, "-c", "-o", out, "--json", "-", url)
        check(r.code == 0 and read(os.path.join(out, "f.bin")) == new, (e, r))
        rec = json.loads(r.out)
        check(rec["status"] == 206 and rec["bytes"] == len(new) - size, (e, rec))


@origin_case
def test_resume_without_validator_restarts(ctx, srv):
    """A server that sends no validator: the kept .part is not trusted, the
    request has no Range and the file is whole; --continue-unsafe resumes."""
    data = blob(500_000, 12)
    url = srv.add("/n.bin", data)
    srv.bare.add("/n.bin")
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        for unsafe in (False, True):
            srv.cut["/n.bin"] = 200_000
            srv.was_cut.discard("/n.bin")
            r = ctx.run("get", "--engine", e, "-c", "-o", out, url)
            check(r.code == 1 and listing(out) == ["n.bin.part"], (e, r, listing(out)))
            n = len(srv.requests("/n.bin"))
            r = ctx.run("get", "--engine", e, "-c", "-o", out, *(["--continue-unsafe"] if unsafe else []), url)
            check(r.code == 0 and listing(out) == ["n.bin"] and read(os.path.join(out, "n.bin")) == data,
                  (e, r, listing(out)))
            last = srv.requests("/n.bin")[n:]
            check(("range" in last[0]) == unsafe and "if-range" not in last[0], (e, unsafe, last))
            os.remove(os.path.join(out, "n.bin"))


# ---- timestamps and conditional GET -------------------------------------------

def test_mtime_from_last_modified(ctx):
    """Saved files take the server's Last-Modified as mtime (nginx sends the
    file's); --no-timestamp leaves the download time."""
    base, www = nginx_files(ctx, {"t.bin": b"dated"})
    os.utime(os.path.join(www, "t.bin"), (1_234_567_890, 1_234_567_890))
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        r = ctx.run("get", "--engine", e, "-o", out, base + "/t.bin")
        check(r.code == 0 and os.stat(os.path.join(out, "t.bin")).st_mtime == 1_234_567_890, (e, r))
    r = ctx.run("get", "--no-timestamp", "-o", ctx.path("now"), base + "/t.bin")
    check(r.code == 0 and os.stat(ctx.path("now", "t.bin")).st_mtime > 1_600_000_000, r)
    r = ctx.run("get", "-R", "-o", ctx.path("r"), base + "/t.bin")
    check(r.code == 0 and os.stat(ctx.path("r", "t.bin")).st_mtime == 1_234_567_890, r)


def test_timestamping(ctx):
    """-N: an unchanged file gets a 304 and is left as it is (mtime, inode),
    counted as not modified; a file dated older is fetched again and
    replaced (a new inode, the server's date)."""
    base, www = nginx_files(ctx, {"n.txt": b"version 1"})
    os.utime(os.path.join(www, "n.txt"), (1_300_000_000, 1_300_000_000))
    url = base + "/n.txt"
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        check(ctx.run("get", "-o", out, url).code == 0, e)
        st = os.stat(os.path.join(out, "n.txt"))
        r = ctx.run("get", "--engine", e, "-N", "-o", out, "--json", "-", "-v", url)
        check(r.code == 0 and "; 1 not modified" in r.err and "not modified" in r.err, (e, r))
        rec = json.loads(r.out)
        check(rec["skipped"] == "not-modified" and rec["status"] == 304 and rec["bytes"] == 0, rec)
        st2 = os.stat(os.path.join(out, "n.txt"))
        check((st2.st_ino, st2.st_mtime_ns) == (st.st_ino, st.st_mtime_ns), e)
        os.utime(os.path.join(out, "n.txt"), (1_000_000_000, 1_000_000_000))
        with open(os.path.join(www, "n.txt"), "wb") as f:
            f.write(b"version 2")
        os.utime(os.path.join(www, "n.txt"), (1_300_000_000, 1_300_000_000))
        r = ctx.run("get", "--engine", e, "-N", "-o", out, url)
        st3 = os.stat(os.path.join(out, "n.txt"))
        check(r.code == 0 and read(os.path.join(out, "n.txt")) == b"version 2", (e, r))
        check(st3.st_ino != st.st_ino and st3.st_mtime == 1_300_000_000, e)
        with open(os.path.join(www, "n.txt"), "wb") as f:
            f.write(b"version 1")
        os.utime(os.path.join(www, "n.txt"), (1_300_000_000, 1_300_000_000))


def test_timestamping_flags(ctx):
    """-N over the 194 flags against nginx: 194 x 304, no body byte, every
    file untouched (inode and mtime)."""
    www = ctx.flags_tree()
    log = ctx.path("access.log")
    base = ctx.nginx(www, extra_server=f"access_log {log};")
    ccs = sorted(os.listdir(os.path.join(www, "flags")))
    urls = [f"{base}/flags/{cc}/{cc}.gif" for cc in ccs]
    out = ctx.path("o")
    check(ctx.run("get", "-o", out, *urls).code == 0, "first run")
    before = {n: os.stat(os.path.join(out, n)) for n in listing(out)}
    for e in engines(ctx):
        open(log, "w").close()
        r = ctx.run("get", "--engine", e, "-N", "-o", out, *urls)
        check(r.code == 0 and "0 files downloaded (0 B" in r.err and "; 194 not modified" in r.err, (e, r))
        lines = log_lines(log, 194)
        check(len(lines) == 194 and all('" 304 0 "' in x for x in lines), (e, len(lines), lines[:3]))
        after = {n: os.stat(os.path.join(out, n)) for n in listing(out)}
        check(sorted(after) == sorted(before), e)
        check(all((after[n].st_ino, after[n].st_mtime_ns) == (before[n].st_ino, before[n].st_mtime_ns)
                  for n in before), e)


@origin_case
def test_unasked_304_is_an_error(ctx, srv):
    """A 304 to a request that was not conditional is an error (curl #270):
    the old file stays as it was, no empty file appears."""
    url = srv.add("/u.txt", b"fresh")
    srv.always_304.add("/u.txt")
    for e in engines(ctx):
        out = ctx.path("o-" + e)
        os.makedirs(out)
        with open(os.path.join(out, "u.txt"), "wb") as f:
            f.write(b"old")
        r = ctx.run("get", "--engine", e, "-o", out, "--json", "-", url)
        check(r.code == 1 and "304 Not Modified to a request that was not conditional" in r.err, (e, r))
        check(json.loads(r.out)["code"] == "http_status", r)
        check(listing(out) == ["u.txt"] and read(os.path.join(out, "u.txt")) == b"old", (e, listing(out)))
        r = ctx.run("get", "--engine", e, "-o", ctx.path("new-" + e), url)
        check(r.code == 1 and listing(ctx.path("new-" + e)) == [], (e, r))


def test_help_names_the_options(ctx):
    r = ctx.run("get", "--help")
    for opt in ("-O, --output NAME", "--checksum ALGO=HEX", "--checksum-file", "--checksum-optional",
                "--digest", "--timestamping", "--no-timestamp", "--continue-unsafe", "out=NAME"):
        check(opt in r.out, opt)


def test_quiver_serve(ctx):
    """Against `quiver serve` (no ETag, no Last-Modified): -O - gives the
    bytes a file gets; a checksum file made from one run checks the next in
    every engine; -N cannot ask (no date) and fetches again; -c restarts."""
    base = ctx.serve()
    ccs = ["br", "cn", "fr", "in", "us"]
    urls = [f"{base}/{cc}/{cc}.gif" for cc in ccs]
    ref = ctx.path("ref")
    check(ctx.run("get", "-o", ref, *urls).code == 0, "reference run")
    cwd = empty_dir(ctx, "cwd")
    code, out, err = stdout_run(ctx, ["get", "-O", "-", urls[0]], cwd)
    check(code == 0 and out == read(os.path.join(ref, "br.gif")) and listing(cwd) == [], (code, err))
    sums = ctx.path("SHA256SUMS")
    with open(sums, "w") as f:
        f.writelines(f"{sha256(read(os.path.join(ref, n)))}  {n}\n" for n in listing(ref))
    for e in engines(ctx):
        out_dir = ctx.path("o-" + e)
        r = ctx.run("get", "--engine", e, "-o", out_dir, "--checksum-file", sums, *urls)
        check(r.code == 0 and listing(out_dir) == listing(ref), (e, r))
        ino = os.stat(os.path.join(out_dir, "br.gif")).st_ino
        r = ctx.run("get", "--engine", e, "-N", "-o", out_dir, "--json", "-", *urls)
        recs = [json.loads(x) for x in r.out.splitlines()]
        check(r.code == 0 and all(x["status"] == 200 and "skipped" not in x for x in recs), (e, r))
        check(os.stat(os.path.join(out_dir, "br.gif")).st_ino != ino, e)
    with open(ctx.path("o-seq", "br.gif.part"), "wb") as f:
        f.write(b"not a gif at all")
    r = ctx.run("get", "-c", "-o", ctx.path("o-seq"), urls[0])
    check(r.code == 0 and read(ctx.path("o-seq", "br.gif")) == read(os.path.join(ref, "br.gif")), r)
