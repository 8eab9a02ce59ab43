"""Dropping an erased person from a store's in-process memos (PIPL erasure, after the commit).

A store keeps recently parsed entity texts (customers, dealers …) and recently written tickets in this
process. Once a customer is erased the stored rows no longer hold them, but a memo would keep the old
text and object alive until evicted: :func:`forget_parsed` drops them, for the stores'
``forget_erased`` (each store registers with :func:`aftersales.ports.erasure.keeps_personal_copies`, so
an erasure through any desk of the process reaches it).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from typing import Any

from aftersales.ports.erasure import quotes_any

__all__ = ["forget_parsed"]


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
