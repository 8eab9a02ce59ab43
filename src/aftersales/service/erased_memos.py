"""Drop an erased person from every copy this process keeps, once the erasure has committed.

Why one place: a customer's erasure and a departed staff member's both leave the stored rows scrubbed,
but the process keeps recently read and written values (parsed records and tickets, search words,
phone readings, shared values, kept JSON, notification addresses, SLA logs) until they are evicted;
PIPL erasure means gone, not merely unread. Other processes drop theirs as their memos check against
the store (or on restart).
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.contact import forget_phones
from aftersales.ports.erasure import forget_erased_everywhere
from aftersales.serialization import forget_encoded
from aftersales.service.shared_values import forget as forget_shared_values

__all__ = ["forget_in_process"]


def forget_in_process(customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> None:
    """Every desk, store and memo of this process drops ``customer_id`` (``""`` for a staff member),
    ``ticket_ids`` and whatever quotes one of ``needles``."""
    forget_erased_everywhere(customer_id, ticket_ids, needles)  # stores' memos, desks' addresses, SLA logs
    forget_shared_values(needles)
    forget_phones(needles)
    forget_encoded()
