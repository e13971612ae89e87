"""Trend series: zero-filled periods, and the chart as inline SVG drawn here (no JavaScript).

Periods are the backends' own labels: ``YYYY-MM`` by month; by week ``YYYY-Www`` with ISO weeks
on PostgreSQL and SQLite's ``%W`` (Monday-based) weeks on SQLite.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

Point = tuple[str, int, int]  # (period, questions, answers)
COLOURS = ("#1f5fa8", "#b8472a", "#2f7d32", "#7b3fa0", "#8a6d00")


def _start(period: str, by: str, iso: bool) -> dt.date:
    year, _, rest = period.partition("-")
    if by == "month":
        return dt.date(int(year), int(rest), 1)
    week = int(rest.lstrip("W"))
    if iso:
        return dt.date.fromisocalendar(int(year), week, 1)
    return dt.datetime.strptime(f"{year}-W{week:02d}-1", "%Y-W%W-%w").date()


def _label(day: dt.date, by: str, iso: bool) -> str:
    if by == "month":
        return day.strftime("%Y-%m")
    if iso:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-W%W")


def periods(first: str, last: str, by: str, iso: bool) -> list[str]:
    """Every period label from ``first`` to ``last``, both included."""
    day, end = _start(first, by, iso), _start(last, by, iso)
    out: list[str] = []
    while day <= end:
        label = _label(day, by, iso)
        if not out or out[-1] != label:
            out.append(label)
        if by == "month":
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            day += dt.timedelta(days=7)
    return out


def zero_fill(series: dict[str, list[Point]], by: str, iso: bool) -> dict[str, list[Point]]:
    """Every series over the same run of periods, with 0 where a period had no mention."""
    found = sorted({p for points in series.values() for p, _, _ in points})
    if not found:
        return {term: [] for term in series}
    # SQLite's %W splits a week at New Year ("2021-W52", "2022-W00"): keep every found label.
    run = sorted(set(periods(found[0], found[-1], by, iso)) | set(found))
    out = {}
    for term, points in series.items():
        known = {p: (q, a) for p, q, a in points}
        out[term] = [(p, *known.get(p, (0, 0))) for p in run]
    return out


def _count(point: Point, index: int) -> int:
    """Questions (``index`` 0) or answers (1) of a point."""
    return point[2] if index else point[1]


def svg(series: dict[str, list[Point]], width: int = 820, height: int = 300) -> Markup:
    """A line chart: one colour per term, questions solid, answers dashed."""
    left, right, top, bottom = 44, 36, 12, 46
    run = next((points for points in series.values() if points), [])
    if not run:
        return Markup("")
    peak = max(max(q, a) for points in series.values() for _, q, a in points) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(run) - 1)

    def x(i: int) -> float:
        return left + (i * step if len(run) > 1 else plot_w / 2)

    def y(v: int) -> float:
        return top + plot_h - v / peak * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Turns mentioning each term, per period</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
    ]
    for value in sorted({0, peak // 2, peak}):
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{value}</text>'
        )
    every = max(1, len(run) // 10)
    for i, (period, _, _) in enumerate(run):
        if i % every == 0 or i == len(run) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'font-size="11">{escape(period)}</text>'
            )
    for n, (term, points) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        for index, (kind, dash) in enumerate((("questions", ""), ("answers", "6 4"))):
            coords = " ".join(
                f"{x(i):.1f},{y(_count(pt, index)):.1f}" for i, pt in enumerate(points)
            )
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashed} '
                f'points="{coords}"><title>{escape(term)}: {kind}</title></polyline>'
            )
            for i, pt in enumerate(points):
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(_count(pt, index)):.1f}" r="2.5" '
                    f'fill="{colour}"><title>{escape(term)} {escape(pt[0])}: '
                    f"{pt[1 + index]} {kind}</title></circle>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))
