"""Run pyfilter's benchmarks: ``python -m benchmarks.run [-k SUBSTR] [--repeat N]``.

Discovers ``benchmarks/bench_*.py`` modules, times every case against the
peers in this one process, prints the ratio table, and writes
``bench_out/results.json``, ``results.md`` and ``results.png``.
"""
import argparse
import importlib
import os
import pkgutil
import sys

from . import _harness


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-k", dest="filter", default="", help="only cases whose name or group contains this")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--out", default="bench_out")
    p.add_argument("--module", action="append", default=[], help="only these bench modules (e.g. correlate)")
    args = p.parse_args(argv)
    info = _harness.machine_info()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()))
    here = os.path.dirname(__file__)
    cases = []
    for m in sorted(pkgutil.iter_modules([here])):
        if not m.name.startswith("bench_"):
            continue
        if args.module and m.name[len("bench_"):] not in args.module:
            continue
        mod = importlib.import_module(f"benchmarks.{m.name}")
        for case in mod.cases():
            if args.filter in case.name or args.filter in case.group:
                cases.append(case)
    print(f"{len(cases)} cases; outputs preallocated where the API allows "
          "(marked per case in results.json)\n")
    results = _harness.run_cases(cases, repeat=args.repeat)
    _harness.save(results, info, args.out)
    print()
    print(_harness.markdown_table(results))
    missed = [(r["name"], peer) for r in results for peer, e in r["peers"].items()
              if e.get("met") is False]
    if missed:
        print(f"\n{len(missed)} target(s) missed: {missed}")
    print(f"\nwritten: {args.out}/results.json, results.md, results.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
