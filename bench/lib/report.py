"""report.py - turns latest.json into latest.md (one table per case) and latest.png
(wall time over the fastest tool of each case, log scale) with gnuplot."""
import os
import shutil
import subprocess

COLORS = {"quiver poll": "#1b5e20", "quiver threads": "#43a047", "quiver get": "#81c784",
          "curl --parallel": "#e69f00", "curl": "#f0c040", "wget2": "#0072b2", "aria2c": "#d55e00",
          "py asyncio": "#555555", "py threadpool": "#aaaaaa"}
PLOT_TOOLS = ["quiver poll", "quiver threads", "quiver get", "curl --parallel", "curl", "wget2", "aria2c",
              "py asyncio", "py threadpool"]


def f2(x, fmt="%.2f"):
    return fmt % x if x is not None else "–"


def mib(kb):
    return "%.1f" % (kb / 1024) if kb is not None else "–"


def table(case):
    rows = case["rows"]
    extra = []
    if any("rss_per_conn_kb" in r for r in rows):
        extra.append(("KiB RSS / conn", lambda r: f2(r.get("rss_per_conn_kb"), "%.0f")))
    if any("handshakes" in r for r in rows):
        extra += [("TLS handshakes (nginx)", lambda r: f2(r.get("handshakes"), "%.0f")),
                  ("resumed", lambda r: f2(r.get("resumed"), "%.0f")),
                  ("curves", lambda r: ", ".join(f"{k} {v}" for k, v in sorted(r.get("curves", {}).items())))]
    if any("mb_s" in r for r in rows):
        extra += [("MB/s", lambda r: f2(r.get("mb_s"), "%.0f")),
                  ("CPU s / GB", lambda r: f2(r.get("cpu_per_gb")))]
    if any("rate_bps" in r for r in rows):
        extra += [("average rate MiB/s", lambda r: f2(r["rate_bps"] / 1048576 if r.get("rate_bps") else None)),
                  ("vs limit", lambda r: (("%+.1f %%" % r["rate_err_pct"]) if r.get("rate_err_pct") is not None
                                          else "–"))]
    head = ["tool", "wall s (median)", "min–max", "× fastest"]
    if case.get("limit"):
        head.append(f"× limit ({case['limit']:.1f} s)")
    head += ["CPU s", "peak RSS MiB"] + [e[0] for e in extra] + ["status"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["tool"]]
        if r.get("wall") is None:
            cells += ["–", "–", "–"] + (["–"] if case.get("limit") else []) + ["–", "–"] + ["–"] * len(extra)
        else:
            cells += [f2(r["wall"], "%.3f"), f2(r["wall_min"], "%.3f") + "–" + f2(r["wall_max"], "%.3f"),
                      f2(r.get("x_best"))]
            if case.get("limit"):
                cells.append(f2(r.get("x_limit")))
            cells += [f2(r.get("cpu")), mib(r.get("rss_kb"))] + [e[1](r) for e in extra]
        st = r["status"] + ((" — " + r["note"]) if r.get("note") else "")
        cells.append(st.replace("|", "/"))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def bundle_table(case):
    out = ["| build | --cacert alone, ms CPU | bundle + CA, ms CPU | bundle load, ms (median) | "
           "load per batch, ms | status |", "|---|---|---|---|---|---|"]
    for r in case["rows"]:
        if r.get("load_ms") is None:
            out.append(f"| {r['tool']} | – | – | – | – | {r['status']} |")
            continue
        out.append(f"| {r['tool']} | {f2(r['cacert_ms'])} | {f2(r['bundle_ms'])} | {f2(r['load_ms'])} | "
                   f"{', '.join(f2(x) for x in r['load_runs'])} | {r['status']} |")
    return "\n".join(out)


def size_table(case):
    q = case.get("quiver") or {}
    out = ["| binary | bytes | KiB | × quiver x86_64 |", "|---|---|---|---|"]
    base = q.get("x86_64-linux-musl")
    for t, b in q.items():
        out.append(f"| quiver {t} (static, stripped, ReleaseSmall) | {b} | {b / 1024:.1f} | "
                   f"{f2(b / base if base else None)} |")
    if not q:
        out.append(f"| quiver | not run: `zig build size` failed: {case.get('quiver_error', '')[:80]} | | |")
    cb, ct = case["curl_binary"], case["curl_total"]
    out.append(f"| curl (Debian, dynamic, binary only) | {cb} | {cb / 1024:.1f} | {f2(cb / base if base else None)} |")
    out.append(f"| curl + its {len(case['curl_libs'])} shared libraries (ldd) | {ct} | {ct / 1024:.1f} | "
               f"{f2(ct / base if base else None)} |")
    return "\n".join(out)


def write(res, d):
    m = res["machine"]
    md = [f"# quiver benchmarks — {res['date']}", "",
          f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_mib']} MiB RAM, Linux {m['kernel']}.  "
          f"{m['quiver']} (git {m['git']}), built with {m['quiver_build']}.  ",
          f"Peers: {m['curl'].split(' (')[0]}, {m['wget2'].split(' - ')[0]}, {m['aria2c'].replace(' version', '')}, {m['nginx'].replace(' version:', '')}, "
          f"{m['openssl'].split(' (')[0]}, {m['venv_python']} with httpx {m['httpx']}.  ",
          f"{res['reps']} run(s) per row, median shown; whole run {res['seconds']} s.  "
          "Wall from the driver, CPU (user+sys) and peak RSS from `/usr/bin/time` (the whole "
          "process tree; peak RSS is of the largest process).", ""]
    for r in res.get("reruns", []):
        md += [f"Rerun on {r}; those cases show their own date below.", ""]
    for c in res["cases"]:
        md += [f"## {c['id']}. {c['title']}", ""]
        if res.get("reruns") and c.get("date") and c["date"] != res["date"]:
            md += [f"(rerun {c['date']}, git {c.get('git')})", ""]
        md.append(size_table(c) if c["id"] == "9" else bundle_table(c) if c["id"] == "11c" else table(c))
        md.append("")
    with open(os.path.join(d, "latest.md"), "w") as f:
        f.write("\n".join(md))
    plot(res, d)


def plot(res, d):
    gp = shutil.which("gnuplot")
    # a case with quiver alone (plot False) has no one to compare with
    cases = [c for c in res["cases"] if c.get("rows") and c.get("plot", True)]
    tools = [t for t in PLOT_TOOLS if any(r["tool"] == t and r.get("x_best") for c in cases for r in c["rows"])]
    if not gp or not tools:
        return
    dat = os.path.join(d, "tmp", "plot.dat")
    with open(dat, "w") as f:
        f.write("case " + " ".join('"%s"' % t for t in tools) + "\n")
        for c in cases:
            vals = {r["tool"]: r.get("x_best") for r in c["rows"]}
            f.write(f'"{c["id"]}" ' + " ".join("%.3f" % vals[t] if vals.get(t) else "-" for t in tools) + "\n")
    script = f"""
set terminal pngcairo size 1200,520 font ',10'
set output '{os.path.join(d, 'latest.png')}'
set title 'quiver vs peers: wall time / fastest tool of the case (1 = fastest, lower is better)'
set style data histogram; set style histogram clustered gap 1; set style fill solid 0.85 border -1
set logscale y; set yrange [0.8:*]; set grid ytics; set key outside right top
set xlabel 'case (see bench/results/latest.md)'; set ylabel 'x fastest (log)'
set datafile missing '-'
C = "{' '.join(COLORS[t] for t in tools)}"
plot for [i=2:{len(tools) + 1}] '{dat}' using i:xtic(1) title columnheader(i) lc rgb word(C, i-1)
"""
    r = subprocess.run([gp], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        script = script.replace("pngcairo", "png")
        subprocess.run([gp], input=script, text=True)
