"""The desks' own memos in this process, so that an erasure reaches every desk, not only its own.

A host may run several desks (workers) in one process on one store. Each keeps memos of what it read
(notification addresses, SLA logs); an erasure committed through one of them must drop the person from
all of them (PIPL: gone from the process). Memos register here when made and are held weakly: a desk
closed and collected takes its memos with it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Protocol

__all__ = ["ErasedForgetting", "forget_erased", "track"]


class ErasedForgetting(Protocol):
    """A memo that can drop what it keeps of erased tickets and of text quoting a person."""

    def forget_erased(self, ticket_ids: Sequence[str], needles: Sequence[str]) -> None:
        """Drop what is kept of ``ticket_ids`` and any kept text quoting one of ``needles``."""
        ...


_LIVE: weakref.WeakSet[ErasedForgetting] = weakref.WeakSet()
_LOCK = threading.Lock()


def track(memo: ErasedForgetting) -> None:
    """Register ``memo`` (weakly) for :func:`forget_erased`."""
    with _LOCK:
        _LIVE.add(memo)


def forget_erased(ticket_ids: Sequence[str], needles: Sequence[str]) -> None:
    """Every live memo in this process drops the erased tickets and the person's text."""
    with _LOCK:
        memos = list(_LIVE)
    for memo in memos:
        memo.forget_erased(ticket_ids, needles)
