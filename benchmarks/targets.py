"""Targets a benchmark states in code, and the PASS/FAIL line each prints.

A benchmark module declares its targets once, at the top, as :class:`Target` constants; after
measuring it calls ``TARGET.check(measured, baseline)`` for each, which prints one line with the
figure, the limit, PASS or FAIL and the baseline measured in the same run, and returns a
:class:`Check`. ``python -m benchmarks.run`` collects the checks and fails when one fails.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

_OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass(frozen=True)
class Target:
    """``measured <op> limit``, e.g. ``Target("flag", "1,000 terms / 1 term", "<=", 3, "x")``."""

    benchmark: str
    what: str
    op: str
    limit: float
    unit: str = "x"

    def check(self, measured: float, baseline: str = "") -> Check:
        result = Check(self, measured, baseline)
        print(result.line(), flush=True)
        return result

    def describe(self) -> str:
        return f"{self.what} {self.op} {_number(self.limit)}{_unit(self.unit)}"


@dataclass(frozen=True)
class Check:
    target: Target
    measured: float
    baseline: str = ""

    @property
    def passed(self) -> bool:
        return _OPS[self.target.op](self.measured, self.target.limit)

    def line(self) -> str:
        t = self.target
        verdict = "PASS" if self.passed else "FAIL"
        figure = f"{_number(self.measured)}{_unit(t.unit)}"
        text = f"  {verdict}  {t.benchmark}: {t.what} = {figure} (target {t.op} "
        text += f"{_number(t.limit)}{_unit(t.unit)})"
        return text + (f"; same run: {self.baseline}" if self.baseline else "")


def _number(value: float) -> str:
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"


def _unit(unit: str) -> str:
    return unit if unit in ("x", "%", "") else f" {unit}"
