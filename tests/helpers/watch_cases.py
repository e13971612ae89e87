"""Watches and the hits they must find in five real State Department transcripts, shared by
the matcher's tests (tests/test_watch.py) and the index-backed backtest (test_watch_backtest.py).
Counts checked against the transcripts with grep."""

from __future__ import annotations

from scraper.watch.config import WatchConfig

AUG_2 = "transcripts/department-press-briefing-august-2-2021.p264901.html"
AUG_4 = "transcripts/department-press-briefing-august-4-2021.p266043.html"
AUG_5 = "transcripts/department-press-briefing-august-5-2021.p268298.html"
JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
JUL_20_22 = "transcripts/department-press-briefing-july-20-2022.p361464.html"


def W(**kwargs) -> WatchConfig:  # noqa: N802 - reads like the config table it stands for
    return WatchConfig(name=kwargs.pop("name", "w"), **kwargs)


CASES = [
    # (fixture, watch, expected hits (units), expected matches)
    # Aug 5: "Iran" 35 times (7 of them "Iran’s"), "Iranian" 9, "Iranians" 4. A substring
    # search for "Iran" would report 48.
    ("iran whole word", AUG_5, W(terms=("Iran",)), 10, 35),
    ("iran with forms", AUG_5, W(terms=("Iran",), forms=True), 11, 48),
    ("iran inside words", AUG_5, W(terms=("Iran",), whole_word=False), 11, 48),
    ("iranian only", AUG_5, W(terms=("Iranian",)), 4, 9),
    # Aug 2: "Pakistan" 6 times (one "Pakistan’s"), "Pakistani" 4.
    ("pakistan", AUG_2, W(terms=("Pakistan",)), 2, 6),
    ("pakistan forms", AUG_2, W(terms=("Pakistan",), forms=True), 3, 10),
    ("case-insensitive", AUG_2, W(terms=("PAKISTAN",)), 2, 6),
    # Aug 4: "sanctions" 7 times, 4 in reporters' questions and 3 in Ned Price's answers.
    ("sanctions", AUG_4, W(terms=("sanctions",)), 4, 7),
    ("said by reporter", AUG_4, W(terms=("sanctions",), said_by="reporter"), 4, 4),
    ("said by official", AUG_4, W(terms=("sanctions",), said_by="official"), 1, 3),
    ("speaker filter", AUG_4, W(terms=("sanctions",), speakers=("price",)), 1, 3),
    ("speaker nobody", AUG_4, W(terms=("sanctions",), speakers=("blinken",)), 0, 0),
    ("pakistan and sanctions never meet", AUG_4, W(all_of=("Pakistan", "sanctions")), 0, 0),
    ("none_of", AUG_4, W(terms=("sanctions",), none_of=("Pakistan",)), 4, 7),
    ("regex", AUG_4, W(regex=(r"\bsanction(s|ed|ing|able)?\b",)), 4, 9),
    # Jul 21: the Nord Stream exchange says "sanctions" in turn 15 and "Ukraine" in turn 19:
    # together in one exchange (12-21, the answer carried on after "Okay."), never in one turn.
    ("exchange scope", JUL_21, W(all_of=("Ukraine", "sanctions")), 1, 6),
    ("turn scope", JUL_21, W(all_of=("Ukraine", "sanctions"), scope="turn"), 0, 0),
    ("phrase", JUL_20_22, W(terms=("Russian Federation",)), 2, 2),
]
