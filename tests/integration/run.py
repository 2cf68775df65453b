#!/usr/bin/env python3
"""run.py - quiver's integration-test runner (Python stdlib only).

Discovers tests/integration/test_*.py; every function named test_* in them is a
case taking one argument, a qvtest.Ctx (the quiver binary, temp dirs, servers
it starts on loopback and always stops).  A case passes when it returns without
raising and no quiver it started got a sanitizer report (qvtest docstring);
qvtest.Skip marks it skipped.  Ends with `N passed, N failed`.

    run.py --quiver PATH [--quiver-asan PATH] [--server PATH] [--commands LIST]
           [--cross TRIPLE=QEMU:PATH] [--cross-missing TRIPLE=WHY] [FILTER ...]
        run cases whose "module.case" contains a FILTER with the binary PATH;
        --quiver-asan (default env QV_ASAN_BIN) is ctx.asan.  The ASan pass of
        `zig build test` is --quiver zig-out/bin/quiver-asan --quiver-asan (same).
        --commands: the commands PATH was built with (-Dcommands; default all):
        a case that runs another one is skipped.  --server: the quiver that
        ctx.serve starts (default PATH; the lean pass serves with the full build).
        --cross: a big-endian quiver and the qemu-user that runs it
        (test_bigendian); --cross-missing: why one cannot run here.
        --modules / --exclude: only / not these modules (comma-separated).

A skipped case prints its reason; the end repeats each distinct reason once
with its count (`  skipped N: REASON`), so a pass that cannot run here is one
line saying what enables it.
"""
import argparse
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import qvtest  # noqa: E402


def discover(modules=None, exclude=()):
    cases = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        if (modules and name[:-3] not in modules) or name[:-3] in exclude:
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for attr in sorted(dir(mod)):
            fn = getattr(mod, attr)
            if attr.startswith("test_") and callable(fn):
                cases.append((f"{name[:-3]}.{attr}", fn))
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quiver", required=True)
    ap.add_argument("--quiver-asan", default=os.environ.get("QV_ASAN_BIN") or None)
    ap.add_argument("--server")
    ap.add_argument("--commands", default=",".join(qvtest.COMMANDS))
    ap.add_argument("--cross", action="append", default=[])
    ap.add_argument("--cross-missing", action="append", default=[])
    ap.add_argument("--modules", help="only these modules (comma-separated)")
    ap.add_argument("--exclude", default="", help="not these modules (comma-separated)")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    quiver = os.path.abspath(args.quiver)
    asan = os.path.abspath(args.quiver_asan) if args.quiver_asan else None
    server = os.path.abspath(args.server) if args.server else None
    commands = [c for c in args.commands.split(",") if c]
    cross = {}
    for spec in args.cross:
        triple, rest = spec.split("=", 1)
        qemu, path = rest.split(":", 1)
        cross[triple] = (qemu, os.path.abspath(path))
    cross_missing = dict(spec.split("=", 1) for spec in args.cross_missing)
    passed = failed = skipped = 0
    reasons = {}  # skip reason -> cases
    per_module = {}  # module -> [passed, failed, skipped]
    modules = set(args.modules.split(",")) if args.modules else None
    for name, fn in discover(modules, set(args.exclude.split(","))):
        if args.filters and not any(f in name for f in args.filters):
            continue
        ctx = qvtest.Ctx(quiver, name, asan, server, commands, (cross, cross_missing))
        t0 = time.monotonic()
        try:
            fn(ctx)
            status = "ok"
        except qvtest.Skip as e:
            status = f"SKIP ({e})"
            reasons[str(e)] = reasons.get(str(e), 0) + 1
        except Exception:  # a failing case must not stop the others
            status = "FAIL"
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)
        finally:
            ctx.close()
        if ctx.sanitizer_report:  # from a quiver the case did not check itself
            if status != "FAIL":
                print(f"FAIL {name}")
            status = "FAIL"
            print(f"sanitizer report:\n{ctx.sanitizer_report}")
        counts = per_module.setdefault(name.split(".")[0], [0, 0, 0])
        if status == "ok":
            passed += 1
            counts[0] += 1
        elif status == "FAIL":
            failed += 1
            counts[1] += 1
        else:
            skipped += 1
            counts[2] += 1
        if status != "FAIL":
            print(f"{status:4} {name} ({time.monotonic() - t0:.2f}s)")
        sys.stdout.flush()
    # per module, so a suite's own count (the hostile cases) is on record
    for mod, (p, f, s) in sorted(per_module.items()):
        print(f"  {mod}: {p} passed, {f} failed" + (f", {s} skipped" if s else ""))
    for why, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  skipped {n}: {why}")
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
