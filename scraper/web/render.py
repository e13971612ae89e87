"""Templates and the filters that make untrusted transcript text safe to show.

Autoescaping is on for every template; ``finalize`` also strips control characters (a
terminal escape in a transcript shows as inert text), and links are only ever http(s).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.templating import Jinja2Templates

from scraper.storage.search import MARK_END, MARK_START

HERE = Path(__file__).parent
# C0 controls but tab and newlines, DEL, and the C1 controls (ESC, CSI ... start escapes).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKED = re.compile(
    re.escape(MARK_START) + r"([^" + re.escape(MARK_START + MARK_END) + r"]*)" + re.escape(MARK_END)
)


def clean(value: str) -> str:
    """``value`` without control characters (kept a :class:`Markup` if it was one)."""
    if not _CONTROLS.search(value):
        return value
    out = _CONTROLS.sub("", value)
    return Markup(out) if isinstance(value, Markup) else out


def _finalize(value):
    return clean(value) if isinstance(value, str) else value


def marks(snippet: str | None) -> Markup:
    """A search snippet (matches between ``[`` and ``]``) as HTML with ``<mark>``."""
    escaped = str(escape(clean(snippet or "")))
    return Markup(_MARKED.sub(r"<mark>\1</mark>", escaped))


def highlight(text: str | None, words: list[str] | tuple[str, ...] = ()) -> Markup:
    """``text`` escaped, with every word starting like one of ``words`` in ``<mark>``."""
    text = clean(text or "")
    patterns = [r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in words if phrase]
    if not patterns:
        return escape(text)
    found = re.compile(r"\b(?:" + "|".join(patterns) + r")\w*", re.IGNORECASE)
    out, pos = [], 0
    for m in found.finditer(text):
        out += [str(escape(text[pos : m.start()])), f"<mark>{escape(m.group())}</mark>"]
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def spans(text: str | None, ranges, tag: str = "mark") -> Markup:
    """``text`` with each ``(start, end)`` character range in ``<mark>`` (watch matches)."""
    text = text or ""
    out, pos = [], 0
    for start, end in sorted(ranges):
        start, end = max(pos, min(start, len(text))), max(pos, min(end, len(text)))
        out += [
            str(escape(clean(text[pos:start]))),
            f"<{tag}>{escape(clean(text[start:end]))}</{tag}>",
        ]
        pos = end
    out.append(str(escape(clean(text[pos:]))))
    return Markup("".join(out))


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None (never a ``javascript:`` link)."""
    if not url:
        return None
    url = clean(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def query_string(params, **changes) -> str:
    """The current parameters with ``changes`` (None removes one), as ``?a=b``."""
    items = [(k, v) for k, v in params.multi_items() if k not in changes and v != ""]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    return "?" + urlencode(items)


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(marks=marks, highlight=highlight, spans=spans, safe_url=safe_url)
    env.globals.update(query_string=query_string)
    return Jinja2Templates(env=env)
