"""Run every benchmark and print its figures: ``python -m benchmarks.run``."""

from __future__ import annotations

import sys

from benchmarks import (
    bench_crawl,
    bench_flag,
    bench_parser,
    bench_reliability,
    bench_search,
    bench_web,
)

BENCHMARKS = {
    "parser": bench_parser.run,
    "flag": bench_flag.run,
    "crawl": bench_crawl.run,
    "search": bench_search.run,
    "reliability": bench_reliability.run,
    "web": bench_web.run,
}


def main(argv: list[str]) -> None:
    chosen = argv or list(BENCHMARKS)
    for name in chosen:
        if name not in BENCHMARKS:
            sys.exit(f"unknown benchmark {name!r} (known: {', '.join(BENCHMARKS)})")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
