"""Q&A fidelity: the parser's roles, turn functions, exchanges, dates and kinds held against the
hand-annotated gold files (``tests/fixtures/<source>/gold``, scored as their GUIDE.md says)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gold import by_kind, gold_files, score_source, total  # noqa: E402

SOURCES = ("state_department",)


def run(verbose: bool = False) -> dict[str, float]:
    figures: dict[str, float] = {}
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
        figures.update(
            {
                f"{source}_exchange_precision": overall.precision,
                f"{source}_exchange_recall": overall.recall,
                f"{source}_exchange_f1": overall.f1,
                f"{source}_roles": overall.roles,
                f"{source}_functions": overall.functions,
                f"{source}_date": overall.dates,
                f"{source}_kind": overall.kinds,
                f"{source}_turns_missing": overall.gold_turns - overall.matched_turns,
                f"{source}_turns_spurious": overall.spurious_turns,
            }
        )
    return figures


if __name__ == "__main__":
    run(verbose="-v" in sys.argv)
