"""A source is one module: outside ``scraper/sources/`` and each source's own spider module, no
code of the application names a source, by slug or by class; spiders, configuration defaults
and CLI choices are derived from the registry. (Docstrings and comments may cite an example.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scraper.sources import SOURCES, source_for
from scraper.spiders import SPIDERS

ROOT = Path(__file__).resolve().parents[1]
#: The application's shared code: every package but the sources themselves.
PACKAGES = ("scraper", "scheduler")
OWN = {ROOT / "scraper" / "sources"} | {ROOT / "scraper" / "spiders" / f"{s}.py" for s in SOURCES}


def shared_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not any(path == own or own in path.parents for own in OWN)
    )


def source_names() -> re.Pattern[str]:
    """Every way code could name a source: its slug, its class, its spider's class."""
    names = {*SOURCES}
    names |= {cls.__name__ for cls in SOURCES.values()}
    names |= {cls.__name__ for cls in SPIDERS.values()}
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(names, key=len, reverse=True)) + ")")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def named_sources(path: Path) -> list[str]:
    """(line: what) for each string, name, attribute or import in ``path`` naming a source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pattern = source_names()
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            words = [node.value]
        elif isinstance(node, ast.Name):
            words = [node.id]
        elif isinstance(node, ast.Attribute):
            words = [node.attr]
        elif isinstance(node, ast.ImportFrom):
            words = [node.module or "", *(a.name for a in node.names)]
        elif isinstance(node, ast.Import):
            words = [a.name for a in node.names]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            words = [node.name]
        else:
            continue
        found += [f"{node.lineno}: {w!r}" for w in words if pattern.search(w)]
    return found


def test_the_scan_sees_the_shared_code_and_would_catch_a_slug(tmp_path):
    modules = shared_modules()
    assert ROOT / "scraper" / "crawl.py" in modules and ROOT / "scheduler" / "daemon.py" in modules
    assert not any("sources" in p.parts for p in modules)
    bad = tmp_path / "bad.py"
    slug = next(iter(SOURCES))
    bad.write_text(f'"""Docstrings may cite {slug}."""\nDEFAULT = {slug!r}\n')
    assert named_sources(bad) == [f"2: {slug!r}"]


@pytest.mark.parametrize("path", shared_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_code_never_names_a_source(path):
    assert named_sources(path) == []


def test_every_source_has_its_spider_and_its_configuration_by_slug():
    from scraper.config import Config, config_from_dict

    assert list(SPIDERS) == list(SOURCES)
    for slug, spider in SPIDERS.items():
        assert spider.name == slug and spider.source is SOURCES[slug]
    assert list(config_from_dict({}).sources) == list(SOURCES)
    assert dict(Config().sources) == {}  # the defaults come from the registry, not from code


def test_a_url_on_a_sources_site_is_read_by_that_source():
    for slug, source in SOURCES.items():
        for domain in source.domains:
            assert source_for(f"https://{domain}/some/briefing/") == slug
