"""Run the benchmarks and check their targets: ``python -m benchmarks.run [--quick] [--report]
[NAME ...]``.

Each benchmark is a module with ``run(quick: bool) -> list[Check]`` (see
:mod:`benchmarks.targets`); register a new one with one line in ``BENCHMARKS``. Exits 1 when a
target is missed (or a benchmark fails to run), unless ``--report`` is given.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

BENCHMARKS = {
    "startup": "benchmarks.bench_startup",
    "parser": "benchmarks.bench_parser",
    "flag": "benchmarks.bench_flag",
    "search": "benchmarks.bench_search",
    "crawl": "benchmarks.bench_crawl",
    "reliability": "benchmarks.bench_reliability",
    "fidelity": "benchmarks.bench_fidelity",
    "web": "benchmarks.bench_web",
    "write": "benchmarks.bench_write",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for development")
    parser.add_argument("--report", action="store_true", help="print only; never exit 1")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r} (known: {', '.join(BENCHMARKS)})")
    checks, broken = [], []
    for name in args.names or list(BENCHMARKS):
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        start = time.perf_counter()
        try:
            checks += importlib.import_module(BENCHMARKS[name]).run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            broken.append(name)
        print(f"   ({name} took {time.perf_counter() - start:.0f} s)", flush=True)
    failed = [c for c in checks if not c.passed]
    print(f"\n{len(checks) - len(failed)} of {len(checks)} targets met", end="")
    print(f"; could not run: {', '.join(broken)}" if broken else "")
    for check in failed:
        print(check.line())
    return 0 if args.report or not (failed or broken) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
