"""How long a SQLite desk waits for another writer's lock: the ``?busy_timeout=SECONDS`` URL option.

Why: a write on a file another process holds the write lock of (a long import, an operator's open
transaction) waits for it, then fails with ``StoreBusy``. The wait was ten seconds, fixed, and the
command runner ran the command again after each one, eight times (sixteen with an idempotency key,
whose winner's result it looked up in a write transaction too): an operator's ``aftersales budget
draft`` on a locked file sat some ninety seconds before saying "busy". The store now waits at most
``busy_timeout`` seconds for its lock (10 by default), and the runner re-runs a command that met a busy
store only within that same time from the command's start (:mod:`aftersales.service.runner`): the whole
command waits one timeout, then ``StoreBusy``.
"""

from __future__ import annotations

import math

from aftersales.errors import InvalidStoreOption

__all__ = ["DEFAULT_BUSY_TIMEOUT", "MAX_BUSY_TIMEOUT", "busy_timeout"]

DEFAULT_BUSY_TIMEOUT = 10.0
"""Seconds a desk waits for another writer's lock when its URL says nothing."""
MAX_BUSY_TIMEOUT = 600.0
"""The longest wait the option takes: seconds, not SQLite's milliseconds (``busy_timeout=5000`` meant
as 5 s would hold an operator over an hour)."""


def busy_timeout(text: str | None, given: float | None = None) -> float:
    """The seconds to wait for the write lock: the URL's ``busy_timeout`` (``text``, a number of seconds,
    more than 0 and at most :data:`MAX_BUSY_TIMEOUT`), the ``timeout`` the caller gave the store
    (``given``), else :data:`DEFAULT_BUSY_TIMEOUT`. ``InvalidStoreOption`` naming ``busy_timeout`` for
    another value, or for both given and different (which one holds is not for us to guess)."""
    if given is not None and (
        isinstance(given, bool) or not isinstance(given, int | float) or not 0 < given <= MAX_BUSY_TIMEOUT
    ):
        raise InvalidStoreOption(
            f"timeout is the seconds to wait for another writer's lock, more than 0 and at most "
            f"{MAX_BUSY_TIMEOUT:g}, got {given!r:.40}",
            option="timeout",
        )
    if text is None:
        return DEFAULT_BUSY_TIMEOUT if given is None else float(given)
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds <= MAX_BUSY_TIMEOUT):  # NaN fails too
        raise InvalidStoreOption(
            f"busy_timeout is the seconds to wait for another writer's lock, more than 0 and at most "
            f"{MAX_BUSY_TIMEOUT:g}, got {text[:40]!r}",
            option="busy_timeout",
        )
    if given is not None and given != seconds:
        raise InvalidStoreOption(
            f"busy_timeout={text[:40]} in the URL and timeout={given:g} given to the store differ",
            option="busy_timeout",
        )
    return seconds
