#!/usr/bin/env python3
"""run.py - quiver's integration-test runner (Python stdlib only).

Discovers tests/integration/test_*.py; every function named test_* in them is a
case taking one argument, a qvtest.Ctx (the quiver binary, temp dirs, servers
it starts on loopback and always stops).  A case passes when it returns without
raising and no quiver it started got a sanitizer report (qvtest docstring);
qvtest.Skip marks it skipped.  Ends with `N passed, N failed`.

    run.py --quiver PATH [--quiver-asan PATH] [FILTER ...]
        run cases whose "module.case" contains a FILTER with the binary PATH;
        --quiver-asan (default env QV_ASAN_BIN) is ctx.asan.  The ASan pass of
        `zig build test` is --quiver zig-out/bin/quiver-asan --quiver-asan (same).
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


def discover():
    cases = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
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
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args()
    quiver = os.path.abspath(args.quiver)
    asan = os.path.abspath(args.quiver_asan) if args.quiver_asan else None
    passed = failed = skipped = 0
    per_module = {}  # module -> [passed, failed, skipped]
    for name, fn in discover():
        if args.filters and not any(f in name for f in args.filters):
            continue
        ctx = qvtest.Ctx(quiver, name, asan)
        t0 = time.monotonic()
        try:
            fn(ctx)
            status = "ok"
        except qvtest.Skip as e:
            status = f"SKIP ({e})"
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
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
