"""Q&A fidelity: the parser's roles, turn functions, exchanges, dates and kinds held against the
hand-annotated gold files (``tests/fixtures/<source>/gold``, scored as their GUIDE.md says)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gold import LOADERS, by_kind, gold_files, score_source, total  # noqa: E402

from benchmarks.targets import Check, Target  # noqa: E402

SOURCES = tuple(LOADERS)  # the sources whose gold files can be scored
EXCHANGE_F1 = Target("fidelity", "exchange F1", ">=", 0.95, "")
ROLES = Target("fidelity", "role accuracy", ">=", 0.98, "")
DATES = Target("fidelity", "date accuracy", ">=", 0.97, "")
KINDS = Target("fidelity", "kind accuracy", ">=", 0.95, "")
MISSING = Target("fidelity", "gold turns not found", "==", 0, "turn(s)")
SPURIOUS = Target("fidelity", "spurious turns", "==", 0, "turn(s)")


def run(quick: bool = False, verbose: bool = False) -> list[Check]:
    checks: list[Check] = []
    for source in SOURCES:
        if not gold_files(source):
            continue
        scores = score_source(source)
        overall = total(scores)
        print(f"fidelity {source}: {len(scores)} gold files")
        print(f"  all: {overall.line()}")
        for kind, t in by_kind(scores).items():
            print(f"  {kind}: {t.line()}")
        if verbose:
            for s in scores:
                for what in (s.missing, s.spurious, s.role_errors, s.exchange_errors):
                    for line in what:
                        print(f"    {s.name[:50]}: {line}")
                if not s.date_right or not s.kind_right:
                    print(
                        f"    {s.name[:50]}: date {s.parsed_date} (gold {s.date}), "
                        f"kind {s.parsed_kind} (gold {s.kind})"
                    )
        where = f"{source}, {len(scores)} gold files"
        checks += [
            EXCHANGE_F1.check(
                overall.f1, f"{where}; P {overall.precision:.3f} R {overall.recall:.3f}"
            ),
            ROLES.check(overall.roles, where),
            DATES.check(overall.dates, where),
            KINDS.check(overall.kinds, where),
            MISSING.check(overall.gold_turns - overall.matched_turns, where),
            SPURIOUS.check(overall.spurious_turns, where),
        ]
    return checks


if __name__ == "__main__":
    run(verbose="-v" in sys.argv)
