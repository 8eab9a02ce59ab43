"""How a review of surplus (盘盈) ends: parts a party sent back or was counted holding beyond its loans.

Seed 002 退料 3–5: the receiving location counts what came back (实物盘点), the office compares it with
what was lent (盘盈盘亏分析) and settles it with the party (与用户沟通,进行相关收费工作). A surplus charges no
one and lends nothing (:class:`~aftersales.domain.loan_ledger.SurplusItem`); the office closes its review
one way: taken into the maker's stock (入库, at cost on the books' list of surplus taken in), sent back
to the party, or written off (scrapped, worth nothing).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import required_text
from aftersales.domain.work import aware

__all__ = ["SurplusClosure", "SurplusOutcome"]


class SurplusOutcome(CodedEnum):
    """How the office closed a surplus review."""

    INTO_STOCK = "into_stock"
    """Taken into the maker's stock (入库): a ``surplus_into_stock`` movement at cost, not cost or income."""
    SENT_BACK = "sent_back"
    """Sent back to the party that returned it: it leaves the maker's hands, nothing booked."""
    WRITTEN_OFF = "written_off"
    """Scrapped (worn out, not worth keeping): nothing booked."""


@attrs.frozen
class SurplusClosure:
    """A surplus review closed: the surplus (``key``, ``part``, ``quantity``, its ``source`` and
    ``reference``), how (``outcome``), when, by whom, and the office's ``note``."""

    key: str
    part: str
    quantity: int
    source: str
    reference: str
    outcome: SurplusOutcome = attrs.field(converter=SurplusOutcome)
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    note: str = attrs.field(validator=required_text(500))
