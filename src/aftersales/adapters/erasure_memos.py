"""Dropping an erased person from a store's in-process memos (PIPL erasure, after the commit).

A store keeps recently parsed entity texts (customers, dealers …) and recently written tickets in this
process. Once a customer is erased the stored rows no longer hold them, but a memo would keep the old
text and object alive until evicted: :func:`forget_parsed` drops them, for the stores' ``forget``
(:class:`~aftersales.ports.erasure.Forgetful`). Several stores may be open in one process (one per
worker desk, on one database): each registers with :func:`track`, and :func:`forget_everywhere` has every
live one drop the person, whichever desk erased them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, MutableMapping, Sequence
from typing import Any, Protocol

from aftersales.ports.erasure import quotes_any

__all__ = ["OwnMemos", "forget_everywhere", "forget_parsed", "track"]


class OwnMemos(Protocol):
    """A store whose own memos can drop an erased person (see ``Forgetful.forget``)."""

    def forget_own(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop the person from this store's memos; how many entries were dropped."""
        ...


_LIVE: weakref.WeakSet[OwnMemos] = weakref.WeakSet()
_LOCK = threading.Lock()


def track(store: OwnMemos) -> None:
    """Register ``store`` (weakly) for :func:`forget_everywhere`."""
    with _LOCK:
        _LIVE.add(store)


def forget_everywhere(customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
    """Every live store of this process drops the person from its memos; how many entries in all."""
    with _LOCK:
        stores = list(_LIVE)
    return sum(store.forget_own(customer_id, ticket_ids, needles) for store in stores)


def forget_parsed(
    memo: MutableMapping[Any, Any],
    entries: Iterable[tuple[Any, str, str, object]],
    customer_id: str,
    needles: Sequence[str],
) -> int:
    """Drop from ``memo`` each entry (key, kind, stored text, parsed value) that is ``customer_id``'s
    customer record or whose text quotes one of ``needles``; returns how many were dropped.

    ``entries`` is read before anything is dropped (a snapshot of the memo), so another thread's use of
    the memo meanwhile at worst keeps an entry this pass missed, never fails.
    """
    gone = [
        key
        for key, kind, text, value in list(entries)
        if (kind == "customer" and getattr(value, "id", None) == customer_id) or quotes_any(text, needles)
    ]
    dropped = 0
    for key in gone:
        if memo.pop(key, None) is not None:
            dropped += 1
    return dropped
