"""A run's own deadline, so that no run outlives ``run_timeout_seconds``.

The daemon passes each child the moment it must be done by (``BRIEFWATCH_RUN_DEADLINE``,
seconds since the epoch). The child enforces it itself, so the bound holds even when the
daemon is gone (SIGKILLed, or its machine's supervisor restarted it): at the deadline the run
stops as on SIGTERM (the transcript in hand is finished, the run is recorded ``failed``), and
if it is still alive ``grace`` seconds later it exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

logger = logging.getLogger(__name__)

DEADLINE_ENV = "BRIEFWATCH_RUN_DEADLINE"
TIMEOUT_ENV = "BRIEFWATCH_RUN_TIMEOUT"
#: Exit status of a run that had to be ended hard after its deadline (as timeout(1)).
EXIT_TIMED_OUT = 124


class _Stop:
    """Why the run is stopping early: None, or "timeout" once the deadline passed."""

    reason: str | None = None
    #: Called (with the error line) just before a hard exit, to record the run as failed.
    on_hard_exit = None


STOP = _Stop()


def arm_from_env(grace: float, on_hard_exit=None) -> float | None:
    """Start the watchdog if the daemon gave this process a deadline; return it (or None).

    ``on_hard_exit(error)`` runs before the process exits at once, ``grace`` seconds past
    the deadline (the graceful stop did not finish in time).
    """
    STOP.on_hard_exit = on_hard_exit
    value = os.environ.get(DEADLINE_ENV)
    if not value:
        return None
    try:
        deadline = float(value)
    except ValueError:
        logger.warning("ignoring %s=%r: not a number", DEADLINE_ENV, value)
        return None
    threading.Thread(
        target=_watch, args=(deadline, grace), name="run-deadline", daemon=True
    ).start()
    return deadline


def _watch(deadline: float, grace: float) -> None:
    time.sleep(max(0.0, deadline - time.time()))
    STOP.reason = "timeout"
    logger.error("run_timeout_seconds reached: stopping the run")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    logger.error("still running %.0f s after the run timeout: exiting now", grace)
    if STOP.on_hard_exit is not None:
        try:
            STOP.on_hard_exit(timeout_error())
        except Exception:  # exiting anyway: the next run will mark it interrupted
            logger.exception("could not record the run as failed")
    logging.shutdown()
    os._exit(EXIT_TIMED_OUT)


def stop_outcome(finish_reason: str) -> tuple[str | None, str]:
    """For a crawl that ended early: the run status it forces (or None) and its error line."""
    if finish_reason != "shutdown":
        return None, f"crawl ended early: {finish_reason}"
    if STOP.reason == "timeout":
        return "failed", timeout_error()
    return "interrupted", "stopped by a signal (SIGTERM or SIGINT) before it finished"


def timeout_error() -> str:
    limit = os.environ.get(TIMEOUT_ENV, "?")
    return f"stopped: the run took longer than run_timeout_seconds ({limit} s)"
