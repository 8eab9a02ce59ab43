"""The record of one erasure of a customer's personal data (PIPL art. 47): who, when, why, how much.

Why a module of its own: an erasure is replayable by its idempotency key, and the replay's read rule
(:mod:`aftersales.service.replay_scope`) names the record's kind, which the privacy capability (built on
the runner) cannot give it without a cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.text import required_text
from aftersales.domain.work import aware

__all__ = ["ErasureRecord"]


@attrs.frozen
class ErasureRecord:
    """That a customer's personal data was erased: who, when, why, and how much — never the data."""

    DOCUMENT_KIND: ClassVar[str] = "personal_data_erasure"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id",)

    id: str
    customer_id: str
    erased_at: datetime = attrs.field(validator=aware)
    erased_by: ActorRef
    reason: str = attrs.field(validator=required_text(500))
    tickets: int = 0
    documents: int = 0
    messages: int = 0
    idempotency_rows: int = 0
    attachments: int = 0
    cancelled: int = 0
    """The person's tickets still being worked that the erasure cancelled (``cancel_open_tickets``)."""
    closed: int = 0
    """The person's tickets waiting for an acceptance or a callback nobody may ask for any more, which the
    erasure closed (reason ``customer_erased``: resolved ones unaccepted, accepted ones without the
    callback)."""
    version: int = 0
