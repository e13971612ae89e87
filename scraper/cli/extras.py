"""Optional extras (``pip install 'briefwatch[web]'``, ``[plot]``): a command that needs one
that is not installed stops before doing anything, with one line naming the extra to install,
and exits 2, as for bad configuration: nothing will change until the installation does, so a
cron job or a script should not retry it as it would a failure at run time (exit 1)."""

from __future__ import annotations

import importlib

from scraper.cli.context import UsageFailure


class MissingExtra(UsageFailure):
    """``briefwatch: serve needs the web extra (uvicorn is not installed): pip install
    'briefwatch[web]' (in a clone: pip install -e '.[web]')``: exit 2."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the {extra} extra ({module} is not installed): "
            f"pip install 'briefwatch[{extra}]' (in a clone: pip install -e '.[{extra}]')"
        )


def require_extra(feature: str, extra: str, *modules: str) -> None:
    """Import ``modules`` (the extra's), or raise :class:`MissingExtra` naming the first
    that is missing."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise MissingExtra(feature, extra, exc.name or name) from None
