"""The benchmark runner fails on a missed target, and the README's table states the targets
the code checks."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import run as runner  # noqa: E402
from benchmarks.targets import Target  # noqa: E402

FAKE = """
from benchmarks.targets import Target

FAST = Target("fake", "seconds", "<=", 1.0, "s")
BIG = Target("fake", "speed-up", ">=", 10)


def run(quick=False):
    if {broken}:
        raise RuntimeError("cannot measure")
    return [FAST.check({seconds}), BIG.check(12, "baseline 1 s")]
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    def make(seconds: float, broken: bool = False) -> str:
        name = f"bench_fake_{abs(hash((seconds, broken)))}"
        (tmp_path / f"{name}.py").write_text(FAKE.format(seconds=seconds, broken=broken))
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setitem(runner.BENCHMARKS, "fake", name)
        return name

    return make


def test_a_missed_target_fails_the_run(fake, capsys):
    fake(seconds=2.5)
    assert runner.main(["fake"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  fake: seconds = 2.5 s (target <= 1 s)" in out
    assert "PASS  fake: speed-up = 12x (target >= 10x); same run: baseline 1 s" in out
    assert "1 of 2 targets met" in out
    assert runner.main(["fake", "--report"]) == 0


def test_targets_met_pass_and_a_broken_benchmark_fails(fake, capsys):
    fake(seconds=0.5)
    assert runner.main(["fake"]) == 0
    fake(seconds=0.5, broken=True)
    assert runner.main(["fake"]) == 1
    assert "could not run: fake" in capsys.readouterr().out


def _targets() -> list[Target]:
    found = []
    for module in runner.BENCHMARKS.values():
        mod = importlib.import_module(module)
        found += [v for v in vars(mod).values() if isinstance(v, Target)]
        if hasattr(mod, "targets"):
            found += list(mod.targets("sqlite"))
    return found


def test_the_readme_table_states_every_target_in_code():
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\| `(\w+)` \(`bench_\w+\.py`\) \|.*\| (.+) \|$",
            (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8"),
            re.M,
        )
    }
    assert set(rows) == set(runner.BENCHMARKS)
    targets = _targets()
    assert len(targets) >= 15
    for t in targets:
        name = t.benchmark.split("[")[0]
        limit = f"{t.limit:g}"
        if t.op == "==":
            assert re.search(rf"(== |\b){limit}\b", rows[name]), (t, rows[name])
        else:
            assert f"{t.op} {limit}" in rows[name], (t, rows[name])
