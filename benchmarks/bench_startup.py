"""Start-up cost of the ``briefwatch`` process: what a user waits on for a quick question.

Wall time (median of several runs; CPU time printed too) of ``briefwatch --help``,
``briefwatch search pakistan`` on an empty database, and on an archive of 100,000 turns (20,000
with ``--quick``; :mod:`benchmarks.archive`) ``search``, ``exchanges``, ``trend``, ``show`` and
``status``, each against the same-run baseline ``python -c pass``; the floor of that search is
the same query through the ``sqlite3`` command-line shell (Python's ``sqlite3`` module if the
shell is not installed).

Targets: ``--help`` within 0.15 s of ``python -c pass``; ``search`` within 0.3 s of it, on the
empty database and on the archive, and so ``exchanges`` and ``trend`` on the archive (``show``
and ``status`` are printed).

``BRIEFWATCH_BENCH_CHECKOUT=/path/to/other/checkout`` times that checkout's code instead
(``python -m scraper`` run in it): a before/after on the same machine.

The project is byte-compiled first, as an installed package is: where PYTHONDONTWRITEBYTECODE
is set, every process would otherwise compile its ~100 modules again (~0.15 s of CPU),
a cost no user pays.
"""

from __future__ import annotations

import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.archive import build
from benchmarks.targets import Check, Target

HELP = Target("startup", "`briefwatch --help` minus `python -c pass`", "<=", 0.15, "s")
EMPTY = Target(
    "startup", "`briefwatch search` on an empty database minus `python -c pass`", "<=", 0.3, "s"
)
ARCHIVE = Target(
    "startup", "`briefwatch search` on the archive minus `python -c pass`", "<=", 0.3, "s"
)
EXCHANGES = Target(
    "startup", "`briefwatch exchanges` on the archive minus `python -c pass`", "<=", 0.3, "s"
)
TREND = Target(
    "startup", "`briefwatch trend` on the archive minus `python -c pass`", "<=", 0.3, "s"
)

FLOOR_SQL = (
    "SELECT b.id, b.date, b.title, t.ordinal, t.speaker, "
    "snippet(turns_fts, 0, '[', ']', '…', 24) FROM turns_fts "
    "JOIN turns t ON t.id = turns_fts.rowid JOIN briefings b ON b.id = t.briefing_id "
    "WHERE turns_fts MATCH 'pakistan' ORDER BY turns_fts.rowid DESC LIMIT 20"
)


ROOT = Path(__file__).resolve().parents[1]


def byte_compile(checkout: Path = ROOT) -> None:
    """Write the ``.pyc`` files of ``checkout``'s packages (up-to-date ones are skipped)."""
    for package in ("scraper", "scheduler"):
        compileall.compile_dir(checkout / package, quiet=2)


def briefwatch() -> list[str]:
    """The installed console script (what a user runs), else ``python -m scraper``."""
    if os.environ.get("BRIEFWATCH_BENCH_CHECKOUT"):
        return [sys.executable, "-m", "scraper"]
    script = Path(sys.executable).with_name("briefwatch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scraper"]


def timed(command: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``command`` run ``runs`` times."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        cwd = os.environ.get("BRIEFWATCH_BENCH_CHECKOUT") if env else None
        done = subprocess.run(command, capture_output=True, env=env, cwd=cwd)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-300:]}")
    return statistics.median(walls), statistics.median(cpus)


def run(quick: bool = False) -> list[Check]:
    runs = 5 if quick else 11
    turns = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        empty, full = tmp / "empty.toml", tmp / "archive.toml"
        empty.write_text(f'[database]\nurl = "sqlite:///{tmp / "empty.db"}"\n')
        full.write_text(f'[database]\nurl = "sqlite:///{tmp / "archive.db"}"\n')
        seconds, stored = build(f"sqlite:///{tmp / 'archive.db'}", turns)
        print(f"startup: archive of {stored:,} turns built in {seconds:.0f} s", flush=True)
        env = {**os.environ, "BRIEFWATCH_CONFIG": ""}
        checkout = os.environ.get("BRIEFWATCH_BENCH_CHECKOUT")
        byte_compile(Path(checkout) if checkout else ROOT)
        if checkout:
            env["PYTHONPATH"] = checkout
            print(f"startup: timing the code of {checkout}", flush=True)
        cli = briefwatch()
        subprocess.run(
            [*cli, "--config", str(empty), "status"], capture_output=True, env=env, cwd=checkout
        )
        bare = timed([sys.executable, "-c", "pass"], runs)
        helped = timed([*cli, "--help"], runs, env)
        on_empty = timed([*cli, "--config", str(empty), "search", "pakistan"], runs, env)
        on_full = timed([*cli, "--config", str(full), "search", "pakistan"], runs, env)
        others = {
            name: timed([*cli, "--config", str(full), *argv], runs, env)
            for name, argv in [
                ("exchanges", ["exchanges", "pakistan"]),
                ("trend", ["trend", "pakistan"]),
                ("show", ["show", "1"]),
                ("status", ["status"]),
            ]
        }
        shell = shutil.which("sqlite3")
        floor_cmd = (
            [shell, str(tmp / "archive.db"), FLOOR_SQL]
            if shell
            else [sys.executable, "-c", _python_floor(tmp / "archive.db")]
        )
        floor = timed(floor_cmd, runs)
    floor_name = "sqlite3 shell" if shell else "python sqlite3 module"
    for label, (wall, cpu) in [
        ("python -c pass", bare),
        ("briefwatch --help", helped),
        ("briefwatch search, empty database", on_empty),
        (f"briefwatch search, {stored:,} turns", on_full),
        *((f"briefwatch {name}, {stored:,} turns", t) for name, t in others.items()),
        (f"same query, {floor_name}", floor),
    ]:
        over = wall - bare[0]
        print(
            f"  {label:<40} wall {wall * 1000:6.0f} ms (+{over * 1000:4.0f} ms over python)"
            f"   CPU {cpu * 1000:6.0f} ms"
        )
    base = f"`python -c pass` {bare[0] * 1000:.0f} ms"
    return [
        HELP.check(helped[0] - bare[0], f"{base}, --help {helped[0] * 1000:.0f} ms"),
        EMPTY.check(on_empty[0] - bare[0], f"{base}, search {on_empty[0] * 1000:.0f} ms"),
        ARCHIVE.check(
            on_full[0] - bare[0],
            f"{base}, search {on_full[0] * 1000:.0f} ms (CPU {on_full[1] * 1000:.0f} ms), "
            f"{floor_name} {floor[0] * 1000:.0f} ms",
        ),
        *(
            target.check(
                others[name][0] - bare[0], f"{base}, {name} {others[name][0] * 1000:.0f} ms"
            )
            for target, name in ((EXCHANGES, "exchanges"), (TREND, "trend"))
        ),
    ]


def _python_floor(path: Path) -> str:
    return (
        f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
        f"print(c.execute({FLOOR_SQL!r}).fetchall())"
    )


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
