"""The channels' documentation, derived from their declarations: the channel part of
``config.toml`` and the README's channel table (tests check both files carry exactly this).

Regenerate with ``python -m scraper.alerts.reference toml|readme``.
"""

from __future__ import annotations

import sys
import textwrap
from typing import Any

from scraper.alerts.channels import CHANNELS
from scraper.alerts.config import LEGACY

#: Example instance names in config.toml, one per kind.
EXAMPLES = {"webhook": "desk-hook", "apprise": "desk-slack", "atom": "feeds"}


def summary(kind: str) -> str:
    """The first paragraph of the channel class's docstring, on one line."""
    doc = (CHANNELS[kind].__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def comment(text: str, indent: str = "") -> list[str]:
    """``text`` as TOML comment lines of at most 96 characters."""
    return [f"# {indent}{line}" for line in textwrap.wrap(text, 94 - len(indent))]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_section() -> str:
    out = [
        "# Channels. Each kind declares its keys in scraper/alerts/channels/<kind>.py; this part",
        "# of the file is generated from those declarations (python -m scraper.alerts.reference",
        "# toml). The tables [alerts.log], [alerts.email] and [alerts.jsonl] are the channel",
        "# instances named log, email and jsonl.",
    ]
    for kind in LEGACY:
        out += ["", f"[alerts.{kind}]", *comment(summary(kind))]
        for key, default, doc in CHANNELS[kind].settings_class.declared_keys():
            out += [*comment(doc), f"{key} = {toml_value(default)}"]
    out += [
        "",
        "# More channels, any number of each kind, each under its own name:",
        '# [alerts.channels.NAME] with kind = "..." and the keys of that kind (a declared',
        "# channel is enabled unless it says enabled = false). A watch names the channels it",
        '# alerts through (channels = ["NAME", ...]); an unknown or disabled one is an error.',
        "[alerts.channels]",
    ]
    for kind in sorted(CHANNELS):
        if kind in LEGACY:
            continue
        out += ["", *comment(summary(kind)), f"# [alerts.channels.{EXAMPLES.get(kind, kind)}]"]
        out.append(f'# kind = "{kind}"')
        for key, default, doc in CHANNELS[kind].settings_class.declared_keys():
            if key == "enabled":
                default = True
            out += [f"# {key} = {toml_value(default)}", *comment(doc, "    ")]
    return "\n".join(out) + "\n"


def readme_table() -> str:
    out = ["| kind | what it does | keys |", "|---|---|---|"]
    for kind in [*LEGACY, *sorted(set(CHANNELS) - set(LEGACY))]:
        keys = ", ".join(
            f"`{key}`"
            for key, _, _ in CHANNELS[kind].settings_class.declared_keys()
            if key != "enabled"
        )
        out.append(f"| `{kind}` | {summary(kind)} | {keys} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(toml_section() if sys.argv[1:] == ["toml"] else readme_table())
