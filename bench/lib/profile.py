#!/usr/bin/env python3
"""profile.py - where quiver spends its instructions: callgrind over small runs of
`quiver get` (nginx, HTTP and HTTPS) and `quiver flags --engine poll` (quiver serve), with
curl over the same URLs for scale.  Writes bench/results/profile.md (top functions by
self instruction count).  Run by `bench/run.sh --profile`; needs valgrind."""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import servers  # noqa: E402

TOP = 15  # functions listed per run; beyond that each is under ~1% in every run so far


def symbols(binary):
    """Address-sorted (addr, name) of a static binary, for the functions callgrind leaves
    unnamed (musl's local symbols such as memset)."""
    out = subprocess.run(["nm", "-n", binary], capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def nearest(syms, addr):
    best = "?"
    for a, n in syms:
        if a > addr:
            break
        best = n
    return best


def callgrind(tmp, name, argv, cwd, syms=None):
    out = os.path.join(tmp, f"callgrind.{name}")
    shutil.rmtree(cwd, ignore_errors=True)
    os.makedirs(cwd)
    rc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--trace-children=no"] + argv,
                   cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900).returncode
    ann = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", out],
                         capture_output=True, text=True).stdout
    total, rows = None, []
    for line in ann.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(?[\d.%)\s]*PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*)$", line)
        if m and total and len(rows) < TOP:
            fn = m.group(3)
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            fn = fn.split(" [")[0].strip()
            if fn.startswith("0x") and syms:
                fn = nearest(syms, int(fn, 16)) + " (musl, local symbol)"
            elif fn.startswith("0x"):
                fn += " (stripped shared library)"
            rows.append((int(m.group(1).replace(",", "")), float(m.group(2)), fn))
    shutil.rmtree(cwd, ignore_errors=True)
    return total, rows, rc


def main():
    root, quiver = sys.argv[1], sys.argv[2]
    flags_dir = os.environ.get("QV_FLAGS_DIR", "/work/shared/flags")
    tmp = os.path.join(root, "bench", "results", "tmp")
    work = os.path.join(tmp, "prof")
    env = servers.Servers(quiver, tmp)
    md = ["# Where quiver spends its instructions (callgrind)", "",
          "Self instruction counts (Ir), `valgrind --tool=callgrind`, ReleaseFast build with symbols. "
          "Produced by `bench/run.sh --profile` (bench/lib/profile.py).", ""]
    try:
        site = env.quiver_serve(0.1)
        env.make_tree(os.path.join(flags_dir, "flags.zip"), 10000)
        env.make_certs()
        env.start_nginx(env.quiver_serve(1.0))
        files = env.files[:500]
        lst = os.path.join(tmp, "prof.list")
        with open(lst, "w") as f:
            f.write("".join(f"{env.http}/f/{n}\n" for n in files))
        tlst = os.path.join(tmp, "prof.tlist")
        with open(tlst, "w") as f:
            f.write("".join(f"{env.https_ec}/f/{n}\n" for n in files[:200]))
        codes = sorted(open(os.path.join(flags_dir, "country_codes.txt")).read().upper().split())
        runs = [
            ("quiver get, 500 files from nginx HTTP, -j 50",
             [quiver, "get", "-q", "-j", "50", "--per-host", "50", "-o", ".", "-i", lst]),
            ("curl -Z, the same 500 files, --parallel-max 50",
             ["curl", "-s", "-Z", "--parallel-max", "50", "--parallel-immediate", "--remote-name-all"]
             + [f"{env.http}/f/{n}" for n in files]),
            ("quiver get, 200 files from nginx HTTPS (EC P-256), -j 50",
             [quiver, "get", "-q", "-j", "50", "--per-host", "50", "--cacert", env.ca, "-o", ".", "-i", tlst]),
            ("curl -Z, the same 200 HTTPS files",
             ["curl", "-s", "-Z", "--parallel-max", "50", "--parallel-immediate", "--cacert", env.ca,
              "--remote-name-all"] + [f"{env.https_ec}/f/{n}" for n in files[:200]]),
            (f"quiver flags --engine poll -w {len(codes)}, all {len(codes)} flags, quiver serve --delay 0.1 (case 3)",
             [quiver, "flags", "--engine", "poll", "-w", str(len(codes)), "--site", site, "-o", "."] + codes),
            (f"quiver flags --engine threads -w {len(codes)}, the same (case 3)",
             [quiver, "flags", "--engine", "threads", "-w", str(len(codes)), "--site", site, "-o", "."] + codes),
        ]
        syms = symbols(quiver)
        for i, (title, argv) in enumerate(runs):
            print("profile:", title, flush=True)
            total, rows, rc = callgrind(tmp, str(i), argv, work, syms if argv[0] == quiver else None)
            md += [f"## {title}", ""]
            if rc != 0:
                md += [f"not run: the command exited {rc} (e.g. HTTPS not in this build yet)", ""]
                continue
            if not total:
                md += ["not run: callgrind produced no totals (feature missing in this build?)", ""]
                continue
            md += [f"Total: {total:,} instructions.", "", "| Ir (self) | % | function |", "|---|---|---|"]
            md += [f"| {ir:,} | {pc:.1f} | `{fn}` |" for ir, pc, fn in rows]
            md.append("")
    finally:
        env.close()
    with open(os.path.join(root, "bench", "results", "profile.md"), "w") as f:
        f.write("\n".join(md))
    print("wrote bench/results/profile.md", flush=True)


if __name__ == "__main__":
    main()
