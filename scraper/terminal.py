"""Text from pages, made safe to show on a terminal.

A page can carry escape sequences (``ESC ] 0 ; title BEL`` retitles the window, ``ESC [ 2 J``
clears the screen, the single byte ``U+009B`` is a CSI on some terminals) and bidirectional
overrides that make text read other than it is. Every text output of the CLI passes through
:func:`terminal_text`; JSON output through :func:`terminal_json`, which escapes the same
characters instead of dropping them, so the data stays whole.

>>> terminal_text("Q: \\x1b]0;pwned\\x07\\x1b[2Jhello\\u202e!")
'Q: ]0;pwned[2Jhello!'
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` without control characters (tab and newline kept)."""
    return _UNSAFE.sub("", text)


def terminal_json(data: Any, **kwargs: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **kwargs)`` with every unsafe character written
    as a ``\\uXXXX`` escape (JSON already escapes C0 controls; this adds DEL, C1 and bidi)."""
    dumped = json.dumps(data, ensure_ascii=False, **kwargs)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def echo(line: str) -> None:
    """Print one line of page text (see :func:`terminal_text`)."""
    click.echo(terminal_text(line))
