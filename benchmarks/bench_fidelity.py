"""Q&A fidelity: the parser's roles, turn functions, exchanges, dates and kinds held against the
hand-annotated gold files (``tests/fixtures/<source>/gold``, scored as their GUIDE.md says).

Every registered source with gold files is scored and held to its own targets (the State
Department's set was annotated first and is held higher). Figures per kind of transcript are
printed with a PASS/FAIL against the source's exchange-F1 target for information: a kind with
one or two files is too small a sample to fail the run on, so only the source totals are targets.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gold import by_kind, gold_files, score_source, total  # noqa: E402

from benchmarks.targets import Check, Target  # noqa: E402
from scraper.sources import SOURCES  # noqa: E402

#: Exchange F1, role, function, date and kind accuracy each source must reach.
LIMITS = {
    "state_department": {
        "f1": 0.95,
        "roles": 0.98,
        "functions": 0.95,
        "dates": 0.97,
        "kinds": 0.95,
    },
    "whitehouse": {"f1": 0.95, "roles": 0.97, "functions": 0.97, "dates": 1.0, "kinds": 1.0},
}
DEFAULT = {"f1": 0.90, "roles": 0.95, "functions": 0.90, "dates": 0.95, "kinds": 0.95}


def _targets(source: str) -> dict[str, Target]:
    limit = LIMITS.get(source, DEFAULT)
    return {
        "f1": Target("fidelity", f"{source} exchange F1", ">=", limit["f1"], ""),
        "roles": Target("fidelity", f"{source} role accuracy", ">=", limit["roles"], ""),
        "functions": Target(
            "fidelity", f"{source} turn-function accuracy", ">=", limit["functions"], ""
        ),
        "dates": Target("fidelity", f"{source} date accuracy", ">=", limit["dates"], ""),
        "kinds": Target("fidelity", f"{source} kind accuracy", ">=", limit["kinds"], ""),
        "missing": Target("fidelity", f"{source} gold turns not found", "==", 0, "turn(s)"),
        "spurious": Target("fidelity", f"{source} spurious turns", "==", 0, "turn(s)"),
    }


def run(quick: bool = False, verbose: bool = False) -> list[Check]:
    checks: list[Check] = []
    for source in SOURCES:
        if not gold_files(source):
            print(f"fidelity {source}: no gold files")
            continue
        scores = score_source(source)
        overall = total(scores)
        target = _targets(source)
        print(f"fidelity {source}: {len(scores)} gold files")
        print(f"  all: {overall.line()}")
        for kind, t in by_kind(scores).items():
            verdict = "PASS" if t.f1 >= target["f1"].limit else "FAIL"
            print(f"  {verdict} (per kind, not a target) {kind}: {t.line()}")
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
        where = f"{len(scores)} gold files"
        checks += [
            target["f1"].check(
                overall.f1, f"{where}; P {overall.precision:.3f} R {overall.recall:.3f}"
            ),
            target["roles"].check(overall.roles, where),
            target["functions"].check(overall.functions, where),
            target["dates"].check(overall.dates, where),
            target["kinds"].check(overall.kinds, where),
            target["missing"].check(overall.gold_turns - overall.matched_turns, where),
            target["spurious"].check(overall.spurious_turns, where),
        ]
    return checks


if __name__ == "__main__":
    run(verbose="-v" in sys.argv)
