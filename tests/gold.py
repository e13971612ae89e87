"""Scoring the parser against hand-annotated gold files (GUIDE.md, "Scoring").

Shared by ``tests/test_fidelity*.py`` and ``benchmarks/bench_fidelity.py``; generic over a source
slug and a gold folder, so every publisher's gold set is scored the same way. A body is parsed with
the metadata a crawl would have had, read from the JSON index beside the bodies (a source with an
odd layout registers its own loader in ``LOADERS``).

- Turns are matched in order by label (as printed, white space collapsed) and opening words.
- A parser exchange is right when it has exactly the gold exchange's question and answer turns.
- Role accuracy is the share of gold speakers (labels) whose role the parser gives.
- Date and kind: the share of transcripts right.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.model import Briefing
from scraper.parsing import parse_transcript

FIXTURES = Path(__file__).parent / "fixtures"


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("—", "-").replace("–", "-")
    return " ".join(text.split())


@dataclass
class FileScore:
    """One gold file held against one parse."""

    name: str
    kind: str
    gold_turns: int = 0
    matched_turns: int = 0
    spurious_turns: int = 0
    missing: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    gold_exchanges: int = 0
    parser_exchanges: int = 0
    right_exchanges: int = 0
    speakers: int = 0
    right_roles: int = 0
    role_errors: list[str] = field(default_factory=list)
    functions_right: int = 0
    function_errors: list[str] = field(default_factory=list)
    date_right: bool = False
    kind_right: bool = False
    date: str = ""
    parsed_date: str = ""
    parsed_kind: str = ""
    exchange_errors: list[str] = field(default_factory=list)


def align(gold_turns: list[dict], briefing: Briefing) -> dict[int, int]:
    """Gold turn number -> parser turn ordinal, matched in order by label and opening words."""
    parsed = [(t.ordinal, _norm(t.label), _norm(t.text)) for t in briefing.turns]
    result: dict[int, int] = {}
    start = 0
    for gold in gold_turns:
        label, opening = _norm(gold["label"]), _norm(gold["starts"])
        for k in range(start, len(parsed)):
            ordinal, plabel, ptext = parsed[k]
            if plabel == label and (ptext.startswith(opening) or (ptext and opening == ptext)):
                result[gold["n"]] = ordinal
                start = k + 1
                break
    return result


def score(name: str, gold: dict[str, Any], briefing: Briefing) -> FileScore:
    """Hold one parse against one gold file."""
    s = FileScore(name=name, kind=gold["kind"])
    turns = gold["turns"]
    matched = align(turns, briefing)
    back = {o: n for n, o in matched.items()}
    s.gold_turns, s.matched_turns = len(turns), len(matched)
    s.missing = [f"{t['n']} {t['label']}: {t['starts']}" for t in turns if t["n"] not in matched]
    s.spurious = [
        f"{t.ordinal} {t.label}: {t.text[:40]}" for t in briefing.turns if t.ordinal not in back
    ]
    s.spurious_turns = len(s.spurious)

    # Exchanges as (question turns, answer turns) in gold numbering.
    gold_ex: dict[int, tuple[set[int], set[int]]] = {}
    for t in turns:
        if t.get("exchange"):
            q, a = gold_ex.setdefault(t["exchange"], (set(), set()))
            (q if t["function"] == "question" else a).add(t["n"])
    want = {(frozenset(q), frozenset(a)) for q, a in gold_ex.values()}
    got = []
    for e in briefing.exchanges:
        q = frozenset(back.get(o, -o) for o in e.question_turns)
        a = frozenset(back.get(o, -o) for o in e.answer_turns)
        got.append((q, a))
    s.gold_exchanges, s.parser_exchanges = len(want), len(got)
    s.right_exchanges = sum(1 for e in got if e in want)
    for q, a in got:
        if (q, a) not in want:
            s.exchange_errors.append(f"parser Q{sorted(q)} A{sorted(a)}")
    for q, a in sorted(want, key=lambda e: min(e[0])):
        if (q, a) not in got:
            s.exchange_errors.append(f"gold   Q{sorted(q)} A{sorted(a)}")

    # Roles: per gold speaker (label), the parser's majority role over its matched turns
    # (turns the gold marks as spoken by someone else are left out).
    by_ordinal = {t.ordinal: t for t in briefing.turns}
    for label, who in gold["speakers"].items():
        s.speakers += 1
        roles = Counter(
            by_ordinal[matched[t["n"]]].role
            for t in turns
            if _norm(t["label"]) == _norm(label) and t["n"] in matched and "role" not in t
        )
        got_role = roles.most_common(1)[0][0] if roles else None
        if got_role == who["role"]:
            s.right_roles += 1
        else:
            s.role_errors.append(f"{label}: {got_role} (gold {who['role']})")

    for t in turns:
        ordinal = matched.get(t["n"])
        function = getattr(by_ordinal[ordinal], "function", None) if ordinal else None
        if function == t["function"]:
            s.functions_right += 1
        else:
            s.function_errors.append(f"{t['n']} {function} (gold {t['function']}): {t['starts']}")

    s.date = gold["date"]
    s.parsed_date = briefing.date.isoformat() if briefing.date else ""
    s.date_right = s.date == s.parsed_date
    s.parsed_kind = briefing.kind
    s.kind_right = briefing.kind == gold["kind"]
    return s


@dataclass
class Totals:
    files: int = 0
    gold_turns: int = 0
    matched_turns: int = 0
    spurious_turns: int = 0
    gold_exchanges: int = 0
    parser_exchanges: int = 0
    right_exchanges: int = 0
    speakers: int = 0
    right_roles: int = 0
    functions_right: int = 0
    dates_right: int = 0
    kinds_right: int = 0

    @property
    def precision(self) -> float:
        return self.right_exchanges / self.parser_exchanges if self.parser_exchanges else 1.0

    @property
    def recall(self) -> float:
        return self.right_exchanges / self.gold_exchanges if self.gold_exchanges else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def roles(self) -> float:
        return self.right_roles / self.speakers if self.speakers else 1.0

    @property
    def functions(self) -> float:
        return self.functions_right / self.gold_turns if self.gold_turns else 1.0

    @property
    def dates(self) -> float:
        return self.dates_right / self.files if self.files else 1.0

    @property
    def kinds(self) -> float:
        return self.kinds_right / self.files if self.files else 1.0

    def line(self) -> str:
        return (
            f"exchanges P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} "
            f"({self.right_exchanges} right of {self.parser_exchanges} parsed, "
            f"{self.gold_exchanges} gold); roles {self.right_roles}/{self.speakers} "
            f"({self.roles:.3f}); functions {self.functions_right}/{self.gold_turns} "
            f"({self.functions:.3f}); date {self.dates_right}/{self.files}; "
            f"kind {self.kinds_right}/{self.files}; turns {self.matched_turns}/"
            f"{self.gold_turns} matched, {self.spurious_turns} spurious"
        )


def total(scores: Iterable[FileScore]) -> Totals:
    t = Totals()
    for s in scores:
        t.files += 1
        t.gold_turns += s.gold_turns
        t.matched_turns += s.matched_turns
        t.spurious_turns += s.spurious_turns
        t.gold_exchanges += s.gold_exchanges
        t.parser_exchanges += s.parser_exchanges
        t.right_exchanges += s.right_exchanges
        t.speakers += s.speakers
        t.right_roles += s.right_roles
        t.functions_right += s.functions_right
        t.dates_right += s.date_right
        t.kinds_right += s.kind_right
    return t


# How each source's gold "body" becomes a parse: the feed metadata a crawl would have.
def _state_department(fixtures: Path, gold: dict[str, Any]) -> Briefing:
    items = json.loads((fixtures / "transcripts.json").read_text(encoding="utf-8"))
    for item in items:
        if any(v["file"] == gold["body"] for v in item["versions"]):
            meta = {
                "title": html.unescape(item["title"]),
                "guid": html.unescape(item["guid"]),
                "creator": item["creator"],
                "published_at": email.utils.parsedate_to_datetime(item["pubDate"]),
            }
            body = (fixtures / gold["body"]).read_text(encoding="utf-8")
            return parse_transcript(body, url=item["link"], meta=meta, source="state_department")
    if gold["body"].endswith(".json"):  # a 2026 item as stored by the feed repository
        data = json.loads((fixtures / gold["body"]).read_text(encoding="utf-8"))
        meta = {"title": data["title"], "guid": data["guid"], "creator": data["author"]}
        return parse_transcript(data["content"], url=data["link"], meta=meta)
    raise LookupError(f"{gold['body']}: not in transcripts.json")


@functools.cache
def _index(fixtures: Path) -> dict[str, dict[str, Any]]:
    """Body path (relative to ``fixtures``) -> its entry in a JSON index beside the bodies
    (entries with a ``title`` and a ``file`` or ``versions`` of files), as a crawl knew it."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(fixtures.rglob("*.json")):
        if {"gold", "feed-replay"} & set(path.relative_to(fixtures).parts):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, dict) and "title" in entry:
                files = [entry["file"]] if "file" in entry else []
                files += [v["file"] for v in entry.get("versions", [])]
                for file in files:
                    found[str((path.parent / file).relative_to(fixtures))] = entry
    return found


def _from_index(source: str) -> Callable[[Path, dict[str, Any]], Briefing]:
    """A body parsed with what its index says a crawl knew: a feed item's title, guid,
    creator and pubDate, or a listing row's title and date (``gold/INDEX.md`` of the White
    House dates its archive pages by the listing). Any source whose fixtures keep such an
    index is scored without a loader of its own."""

    def load(fixtures: Path, gold: dict[str, Any]) -> Briefing:
        entry = _index(fixtures).get(gold["body"])
        if entry is None:
            raise LookupError(f"{gold['body']}: in no index beside the bodies")
        meta: dict[str, Any] = {"title": html.unescape(entry["title"])}
        if entry.get("guid"):
            meta["guid"] = html.unescape(entry["guid"])
        if entry.get("creator"):
            meta["creator"] = entry["creator"]
        if entry.get("pubDate"):
            meta["published_at"] = email.utils.parsedate_to_datetime(entry["pubDate"])
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(entry.get("date", ""))):
            meta["date"] = dt.date.fromisoformat(entry["date"])
        url = entry.get("link") or entry.get("url_archive") or gold["url"]
        body = (fixtures / gold["body"]).read_text(encoding="utf-8")
        return parse_transcript(body, url=url, meta=meta, source=source)

    return load


LOADERS: dict[str, Callable[[Path, dict[str, Any]], Briefing]] = {
    "state_department": _state_department,
}


def gold_files(source: str) -> list[Path]:
    return sorted((FIXTURES / source / "gold").glob("*.gold.json"))


def score_source(source: str) -> list[FileScore]:
    """Parse every gold file's body of ``source`` and score it."""
    fixtures = FIXTURES / source
    scores = []
    for path in gold_files(source):
        gold = json.loads(path.read_text(encoding="utf-8"))
        briefing = LOADERS.get(source, _from_index(source))(fixtures, gold)
        scores.append(score(path.name.removesuffix(".gold.json"), gold, briefing))
    return scores


def by_kind(scores: list[FileScore]) -> dict[str, Totals]:
    kinds: dict[str, list[FileScore]] = {}
    for s in scores:
        kinds.setdefault(s.kind, []).append(s)
    return {k: total(v) for k, v in sorted(kinds.items())}


def _slug(name: str) -> str:
    return re.sub(r"\.p\d+$", "", name)[:60]
