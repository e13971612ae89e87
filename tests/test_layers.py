"""The layering holds: storage takes model types and never imports the layers above it, and
the errors module is a leaf. Checked in a fresh interpreter, so no earlier import hides a cycle."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("scraper", "scheduler"))))
"""


def ours_loaded_by(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("scraper.storage", ("scraper.alerts", "scraper.watch", "scraper.cli", "scraper.config")),
        ("scraper.model", ("scraper.storage", "scraper.alerts", "scraper.watch")),
        ("scraper.search.query", ("scraper.storage", "scraper.alerts", "scraper.watch")),
    ],
    ids=["storage", "model", "query"],
)
def test_a_layer_does_not_import_the_layers_above_it(module: str, forbidden: tuple[str, ...]):
    loaded = ours_loaded_by(module)
    assert module in loaded
    assert [m for m in loaded if m.startswith(forbidden)] == []


def test_the_errors_module_is_a_leaf():
    assert ours_loaded_by("scraper.errors") == ["scraper", "scraper.errors"]


def test_old_error_names_are_the_same_classes():
    from scraper import errors
    from scraper.config import ConfigError
    from scraper.search.query import QuerySyntaxError
    from scraper.storage import LockBusy
    from scraper.storage.readonly import ArchiveUnavailable

    assert ConfigError is errors.ConfigError
    assert LockBusy is errors.LockBusy
    assert ArchiveUnavailable is errors.ArchiveUnavailable
    assert QuerySyntaxError is errors.QuerySyntaxError
    assert issubclass(QuerySyntaxError, ValueError)
