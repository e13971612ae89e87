"""The errors the layers raise to each other, in one leaf module (it imports nothing of ours).

Each is phrased as one line for the operator; the CLI shows it as ``briefwatch: <line>``.
"""

from __future__ import annotations


class BriefwatchError(Exception):
    """Base of the errors below."""


class ConfigError(BriefwatchError):
    """A configuration problem, phrased as one line for the operator."""


class LockBusy(BriefwatchError):
    """Another run holds the lock."""


class ArchiveUnavailable(BriefwatchError):
    """The archive cannot be served (missing, empty, or at another schema); one line."""


class QuerySyntaxError(BriefwatchError, ValueError):
    """The search query cannot be understood; the message says why, in one line."""
