"""The parser against the hand-annotated gold files: Q&A structure as a careful reader sees it.

Scored as the gold set's GUIDE.md says (``tests/gold.py``): turns aligned by label and opening
words, exchanges right when their question and answer turns are exactly the gold ones, roles
per gold speaker, dates and kinds per transcript. Targets hold for the whole set, and every
file keeps at least the figures recorded in FLOORS, so a regression on any one file fails
(raise a floor when the parser gets better; never lower one to make a change pass).
"""

from __future__ import annotations

import pytest
from gold import gold_files, score_source, total

TARGETS = {"f1": 0.95, "roles": 0.98, "dates": 0.97, "kinds": 0.95}

# Per gold file: (exchanges right, wrong exchanges at most, roles right, functions right).
FLOORS = {
    "briefing-on-the-united-states-updated-anti-personnel-landmine-policy.p353757": (8, 0, 5, 41),
    "briefing-with-deputy-secretary-for-management-and-resources-brian-p-mc.p261090": (8, 0, 7, 44),
    "briefing-with-senior-administration-officials-on-ongoing-efforts-to-su.p360573": (4, 0, 7, 35),
    "briefing-with-senior-state-department-official-on-the-secretarys-upcom.p245797": (
        10,
        0,
        4,
        51,
    ),
    "briefing-with-senior-state-department-officials.p254445": (23, 4, 6, 111),
    "department-press-briefing-july-1-2021.p256888": (36, 0, 3, 114),
    "department-press-briefing-july-26-2022.p363017": (51, 1, 2, 148),
    "department-press-briefing-july-28-2022.p363721": (42, 0, 2, 114),
    "department-press-briefing-june-10-2021.p251150": (49, 0, 4, 188),
    "department-press-briefing-june-17-2021.p252987": (8, 0, 3, 32),
    "department-press-briefing-june-2-2021.p248345": (12, 0, 3, 37),
    "department-press-briefing-june-22-2022.p354219": (9, 0, 3, 24),
    "department-press-briefing-june-29-2021.p256094": (5, 0, 3, 22),
    "key-outcomes-at-the-47th-session-of-the-un-human-rights-council.p259258": (0, 0, 0, 0),
    "remarks-at-a-diplomatic-corps-reception.p353173": (0, 0, 2, 2),
    "secretary-antony-j-blinken-and-costa-rican-president-carlos-alvarado-a.p248062": (4, 0, 6, 31),
    "secretary-antony-j-blinken-and-israeli-prime-minister-benjamin-netanya.p246008": (0, 0, 3, 4),
    "secretary-antony-j-blinken-and-italian-foreign-minister-luigi-di-maio-.p255772": (8, 0, 6, 28),
    "secretary-antony-j-blinken-and-kuwaiti-foreign-minister-sheikh-dr-ahme.p263575": (4, 0, 3, 16),
    "secretary-antony-j-blinken-at-a-press-availability-23.p364673": (5, 0, 3, 32),
    "secretary-antony-j-blinken-at-a-press-availability-5.p246281": (6, 0, 4, 24),
    "secretary-antony-j-blinken-greenlandic-premier-mute-egede-greenlandic-.p245386": (3, 0, 8, 31),
    "secretary-antony-j-blinken-remarks-to-mission-india-staff.p262765": (0, 0, 3, 4),
    "secretary-antony-j-blinken-with-daniela-barragan-and-alejandro-paez-of.p351556": (2, 0, 2, 12),
    "secretary-antony-j-blinken-with-executive-vice-president-and-head-of-i.p350742": (8, 0, 3, 36),
    "secretary-antony-j-blinken-with-indrani-bagchi-of-the-times-of-india.p263187": (9, 0, 3, 28),
    "secretary-antony-j-blinken-with-kiratikorn-naksompop-blauw-of-thai-pbs.p358500": (6, 0, 2, 14),
    "secretary-antony-j-blinken-with-mika-brzezinski-and-willie-geist-of-ms.p261601": (9, 0, 2, 21),
    "telephonic-press-briefing-with-juan-gonzalez-national-security-council.p349067": (8, 0, 4, 38),
    "the-covid-19-global-action-plan-senior-officials-meeting.p353131": (0, 0, 0, 0),
}

SCORES = {s.name: s for s in score_source("state_department")}


def test_every_gold_file_is_scored():
    assert len(gold_files("state_department")) == 30
    assert set(SCORES) == set(FLOORS)


def test_targets_on_the_whole_set():
    t = total(SCORES.values())
    assert t.gold_turns == t.matched_turns, "every gold turn is found"
    assert t.spurious_turns == 0, "no turn that is not in the gold"
    assert t.f1 >= TARGETS["f1"], t.line()
    assert t.roles >= TARGETS["roles"], t.line()
    assert t.dates >= TARGETS["dates"], t.line()
    assert t.kinds >= TARGETS["kinds"], t.line()


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
