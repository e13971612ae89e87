"""Text from a page reaches the terminal without control sequences (issue 11, item 8).

The briefing below is a real transcript body (the Department Press Briefing of August 2,
2021) with escape sequences BUILT into its first question and its title, as a hostile or
broken page could carry them: an OSC window title, a screen clear, an 8-bit CSI and a bidi
override.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.state_department import read_body

from scraper.cli import cli
from scraper.parsing import parse_transcript
from scraper.storage import open_storage
from scraper.terminal import terminal_json, terminal_text

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil\x7f\r"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x7f", "\r")

TEXT_CASES = [
    ("plain words", "plain words"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("\x1b]0;title\x07after", "]0;titleafter"),
    ("\x1b[2Jclear", "[2Jclear"),
    ("\x9b31mred", "31mred"),
    ("over\rwrite", "overwrite"),
    ("\u202eevil\u202c and \u2066iso\u2069", "evil and iso"),
    ("nul\x00 del\x7f", "nul del"),
    ("Pakistan’s “quotes” — é ü 中文 \u200d", "Pakistan’s “quotes” — é ü 中文 \u200d"),
]


@pytest.mark.parametrize(("text", "shown"), TEXT_CASES, ids=[repr(c[0])[:30] for c in TEXT_CASES])
def test_terminal_text(text, shown):
    assert terminal_text(text) == shown


@pytest.mark.parametrize(
    "text", [c[0] for c in TEXT_CASES], ids=[repr(c[0])[:30] for c in TEXT_CASES]
)
def test_terminal_json_escapes_without_losing_data(text):
    dumped = terminal_json({"t": text}, indent=2)
    assert not any(c in dumped for c in RAW)
    assert json.loads(dumped) == {"t": text}


@pytest.fixture(scope="module")
def hostile_database(tmp_path_factory) -> Path:
    """The hostile briefing stored once for the module (each test gets a copy)."""
    body = read_body("transcripts/department-press-briefing-august-2-2021.p264901.html")
    at = body.index("<strong>QUESTION:</strong>") + len("<strong>QUESTION:</strong>")
    body = body[:at] + f" {HOSTILE} Pakistan" + body[at:]
    briefing = parse_transcript(
        body,
        url="https://www.state.gov/briefings/department-press-briefing-august-2-2021/",
        meta={"title": f"Department Press Briefing {HOSTILE}"},
        source="state_department",
    )
    assert any("\x1b]0;pwned" in t.text for t in briefing.turns)  # the parser keeps them
    from scraper.alerts.plan import draft_alerts
    from scraper.watch.config import WatchConfig
    from scraper.watch.matcher import Matcher

    watch = WatchConfig(name="pw", terms=("pwned",))
    hits = Matcher([watch]).hits(briefing)
    path = tmp_path_factory.mktemp("hostile") / "h.db"
    storage = open_storage(f"sqlite:///{path}")
    storage.save_briefing(
        briefing, hits=hits, drafts=draft_alerts(briefing, hits, {"pw": watch}, ["log"])
    )
    storage.close()
    return path


@pytest.fixture
def hostile_archive(hostile_database, tmp_path) -> str:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    shutil.copyfile(hostile_database, tmp_path / "h.db")
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{db}"\n[[watch]]\nname = "pw"\nterms = ["pwned"]\n')
    return str(config)


COMMANDS = [
    ["search", "pwned"],
    ["search", "pwned", "--format", "json"],
    ["search", "pwned", "--format", "jsonl"],
    ["search", "pwned", "--format", "csv"],
    ["exchanges", "pwned"],
    ["exchanges", "pwned", "--format", "json"],
    ["show", "1"],
    ["show", "1", "--format", "json"],
    ["export"],
    ["watch", "test", "pw"],
    ["alerts", "list"],
    ["alerts", "list", "--format", "json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_control_sequence_reaches_the_terminal(hostile_archive, command):
    result = CliRunner().invoke(cli, ["--config", hostile_archive, *command])
    assert result.exit_code == 0, result.output
    assert "pwned" in result.stdout or "Department Press Briefing" in result.stdout  # shown...
    assert not [c for c in RAW if c in result.stdout]  # ...without its control characters
