"""What a log line says of a failure: where it happened, not what its message quotes (issue 25, PIPL).

A host's notifier, transport or store raises text of its own making, and that text can quote personal
data: a gateway answering "13800000000 is not reachable", an SMTP server echoing the address. A log
line leaves the store's reach: erasing the person (PIPL art. 47) cannot take it back from a log file
or an aggregator. So a logged failure carries codes, not messages: the exception's class, the class of
each exception it was raised from, and each frame (file, line, function) — what an operator needs to
find the fault in the code. The message itself stays where it is read and scrubbed with the rest: the
jobs report a caller gets, the lease's ``last_error``.
"""

from __future__ import annotations

import traceback

__all__ = ["failure_trace"]

_MOST_CHAINED = 8
"""Exceptions followed down a ``__cause__``/``__context__`` chain (a cycle or a long chain stops)."""


def failure_trace(exc: BaseException) -> str:
    """``exc`` as a log line may carry it: its qualified class and frames, then each exception it was
    raised from or while handling, the same way; no message."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MOST_CHAINED:
        seen.add(id(current))
        kind = type(current)
        frames = traceback.extract_tb(current.__traceback__)
        where = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames) or "no frames"
        parts.append(f"{kind.__module__}.{kind.__qualname__} at {where}")
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)
