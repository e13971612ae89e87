"""The parser against the White House's hand-annotated gold files (both eras).

The twelve files of ``fixtures/whitehouse/gold`` (see its INDEX.md: 8 feed items of 2021-22 and
4 archive pages of 2009-2016, 617 turns, 209 exchanges) are scored as the State Department's are
(``tests/gold.py``, GUIDE.md's "Scoring"). Targets hold for the whole set, and every file keeps at
least the figures recorded in FLOORS (raise a floor when the parser gets better; never lower one
to make a change pass).
"""

from __future__ import annotations

import pytest
from gold import gold_files, score_source, total

TARGETS = {"f1": 0.95, "roles": 0.97, "functions": 0.97, "dates": 1.0, "kinds": 1.0}
ERA_F1 = 0.90  # each era on its own (4 and 8 files: one exchange moves it by ~0.01)

# Per gold file: (exchanges right, wrong exchanges at most, roles right, functions right).
FLOORS = {
    "2009-08-11.gaggle-press-secretary-robert-gibbs-aboard-air-force-one-en-.n1522": (18, 0, 2, 41),
    "2012-06-13.press-briefing-press-secretary-jay-carney-61312.n901": (26, 2, 2, 71),
    "2016-02-10.press-call-us-asean-summit-1.n123": (7, 1, 4, 20),
    "2016-04-28.press-briefing-press-secretary-josh-earnest-college-reporter.n65": (12, 0, 2, 25),
    "background-press-call-by-senior-administration-officials-on-president-.p23585": (3, 0, 5, 16),
    "background-press-call-by-senior-administration-officials-on-u-s-counte.p46551": (5, 0, 4, 19),
    "corrected-remarks-by-vice-president-harris-and-president-andrzej-duda-.p48872": (5, 0, 5, 30),
    "press-briefing-by-press-secretary-jen-psaki-2.p46693": (20, 2, 2, 52),
    "press-briefing-by-press-secretary-jen-psaki-july-12-2021.p23627": (37, 0, 2, 95),
    "press-briefing-by-press-secretary-jen-psaki-july-6-2021.p23341": (58, 1, 2, 183),
    "press-briefing-by-white-house-covid-19-response-team-and-public-health.p22993": (5, 0, 5, 28),
    "press-gaggle-by-principal-deputy-press-secretary-karine-jean-pierre-ab.p19189": (11, 0, 3, 32),
}

SCORES = {s.name: s for s in score_source("whitehouse")}


def test_every_gold_file_is_scored():
    assert len(gold_files("whitehouse")) == 12
    assert set(SCORES) == set(FLOORS)
    t = total(SCORES.values())
    assert (t.gold_turns, t.gold_exchanges) == (617, 209), "the totals gold/INDEX.md states"


def test_targets_on_the_whole_set():
    t = total(SCORES.values())
    assert t.gold_turns == t.matched_turns, "every gold turn is found"
    assert t.spurious_turns == 0, "no turn that is not in the gold"
    assert t.f1 >= TARGETS["f1"], t.line()
    assert t.roles >= TARGETS["roles"], t.line()
    assert t.functions >= TARGETS["functions"], t.line()
    assert t.dates >= TARGETS["dates"], t.line()
    assert t.kinds >= TARGETS["kinds"], t.line()


@pytest.mark.parametrize("era", ["feed", "archive"])
def test_both_eras_reach_the_exchange_target(era):
    """The 2021-22 feed and the 2009-2016 archive each reach ERA_F1 on their own."""
    archive = {n for n in SCORES if n[:4].isdigit()}
    scores = [s for n, s in SCORES.items() if (n in archive) == (era == "archive")]
    assert len(scores) == (4 if era == "archive" else 8)
    t = total(scores)
    assert t.f1 >= ERA_F1, t.line()


@pytest.mark.parametrize("name", sorted(SCORES), ids=lambda n: n[:60])
def test_no_regression_on_any_gold_file(name):
    s = SCORES[name]
    right, wrong_max, roles, functions = FLOORS[name]
    assert s.missing == [] and s.spurious == []
    assert s.date_right, f"date {s.parsed_date}, gold {s.date}"
    assert s.kind_right, f"kind {s.parsed_kind}, gold {s.kind}"
    assert s.right_exchanges >= right, s.exchange_errors
    assert s.parser_exchanges - s.right_exchanges <= wrong_max, s.exchange_errors
    assert s.right_roles >= roles, s.role_errors
    assert s.functions_right >= functions, s.function_errors
