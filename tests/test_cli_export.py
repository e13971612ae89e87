"""export: the same query and filters as search, Markdown for a memo, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from helpers.search_archive import FILES
from helpers.state_department import parse_fixture

from scraper.cli import cli
from scraper.cli.markdown import escape
from scraper.storage import open_storage


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("export")
    db = f"sqlite:///{tmp / 'a.db'}"
    storage = open_storage(db)
    for name in FILES:
        storage.save_briefing(parse_fixture(name))
    storage.close()
    path = tmp / "c.toml"
    path.write_text(f'[database]\nurl = "{db}"\n[[watch]]\nname = "iran"\nterms = ["Iran"]\n')
    assert run(str(path), "rematch").exit_code == 0  # the watch's matches, stored
    return str(path)


def run(config: str, *args: str):
    result = CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)
    return result


def _searched(config: str, *args: str) -> list[tuple[int, int]]:
    out = run(config, "search", *args, "--limit", "10000", "--format", "jsonl").stdout
    return sorted((r["briefing_id"], r["turn"]) for r in map(json.loads, out.splitlines()))


FILTERS = [
    ("pakistan",),
    ("pakistan", "--role", "reporter"),
    ("ukrainians", "--kind", "interview"),
    ("russia", "--source", "state_department", "--since", "2022-01-01"),
    ("--watch", "iran"),
    ('"nord stream"', "--function", "answer"),
]


@pytest.mark.parametrize("args", FILTERS, ids=[" ".join(a) for a in FILTERS])
def test_export_finds_what_search_finds(config, args):
    query = [] if args[0].startswith("--") else [args[0]]
    rows = run(config, "export", *args, "--format", "jsonl")
    assert rows.exit_code == 0, rows.stderr
    exported = [json.loads(line) for line in rows.stdout.splitlines()]
    expected = _searched(config, *(args if query else ("iran", *args)))
    assert sorted((r["briefing_id"], r["turn"]) for r in exported) == expected != []
    assert rows.stderr == f"exported {len(expected)} turn{'s' if len(expected) > 1 else ''}\n"
    found = {(r["briefing_id"], r["turn"]): r for r in exported}
    whole = {}
    for b in map(json.loads, run(config, "export").stdout.splitlines()):
        for t in b["turns"]:
            whole[(b["id"], t["ordinal"])] = (t["text"], b["source"])
    for key, row in found.items():
        assert (row["text"], row["source"]) == whole[key]  # the full turn, and its source


def test_csv_has_a_source_column_and_an_optional_bom(config):
    plain = run(config, "export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(plain)))
    assert len(rows) == sum(len(parse_fixture(f).turns) for f in FILES)
    assert {r["source"] for r in rows} == {"state_department"}
    with_bom = run(config, "export", "pakistan", "--format", "csv", "--bom").stdout
    assert with_bom.startswith("\ufeffbriefing_id,date,title,kind,url,source,")
    parsed = list(csv.DictReader(io.StringIO(with_bom.encode().decode("utf-8-sig"))))
    assert len(parsed) == len(_searched(config, "pakistan"))
    refused = run(config, "export", "--bom")
    assert refused.exit_code == 2 and "--bom is for --format csv" in refused.stderr


def test_markdown_of_one_transcript(config):
    b = parse_fixture(FILES[0])
    out = run(config, "export", "--briefing", b.url, "--format", "markdown").stdout
    assert out.startswith(f"# {b.title}\n\n{b.date} · U.S. Department of State · press briefing\n")
    assert f"<{b.url}>" in out
    blocks = out.rstrip("\n").split("\n\n")
    for t in b.turns:  # every turn, its speaker in bold, every paragraph a block of its own
        first, *rest = t.text.split("\n\n")
        assert f"**{escape(t.speaker)}** ({t.role}): {escape(first)}" in blocks
        assert all(escape(p) in blocks for p in rest)


def test_markdown_of_exchanges_for_a_memo(config):
    out = run(config, "export", '"nord stream"', "--format", "markdown")
    hits = json.loads(run(config, "search", '"nord stream"', "--format", "json").stdout)
    units = {(h["briefing_id"], h["exchange"] or -h["turn"]) for h in hits}
    assert out.stdout.count("\n## ") == len(units)
    assert out.stdout.count("\n---\n") == len({b for b, _ in units}) - 1
    assert (
        out.stderr
        == f"exported {len(units)} exchanges from {len({b for b, _ in units})} briefings\n"
    )
    for h in hits:
        assert f"# {h['title']}\n" in out.stdout


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("U.S. policy, *not* a_b", "U.S. policy, \\*not\\* a\\_b"),
        ("# 1 priority", "\\# 1 priority"),
        ("- and then", "\\- and then"),
        ("1. first", "\\1. first"),
        ("[link](x) <b>", "\\[link\\](x) \\<b\\>"),
        ("Plain – text’s fine.", "Plain – text’s fine."),
    ],
    ids=["emphasis", "heading", "list", "numbered", "link-html", "plain"],
)
def test_markdown_escapes_what_would_render(text, markdown):
    assert escape(text) == markdown
