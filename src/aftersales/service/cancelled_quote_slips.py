"""Accepted quotes on which nothing is owed any more: their fee slips were all cancelled, nothing paid.

Seed 002 (分工 4: 保修期外…款到发货; 材料收费 1 c: 保修期内…免费). A customer accepts an out-of-warranty quote
and, before paying, shows the invoice that puts the unit in warranty (or a complaint's remedy extends the
free period). The sheet is assessed again and says free; the office cancels the quote's fee slip (an
unpaid slip may be cancelled). The accepted quote stays in the ticket's history, but it owes nothing: it no
longer holds the parts until paid, and a free request of the same parts is lent (owed back) and issued
free, not counted as sold on that quote. Without this the parts could ship only once the customer paid for
a repair that is free, to be refunded after.
"""

from __future__ import annotations

from aftersales.domain.charges import QuoteState
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["quotes_owing_nothing"]


def quotes_owing_nothing(uow: UnitOfWork, ticket: Ticket) -> frozenset[str]:
    """Ids of ``ticket``'s accepted quotes that had fee slips, all of them cancelled, and nothing paid."""
    sheet = ticket.charges
    if sheet is None or not any(q.state is QuoteState.ACCEPTED for q in sheet.quotes):
        return frozenset()
    slips: dict[str, list[FeeSlip]] = {}
    for slip in uow.documents.query(FeeSlip, ticket_id=ticket.id):
        if slip.quote_id is not None:
            slips.setdefault(slip.quote_id, []).append(slip)
    return frozenset(
        q.id
        for q in sheet.quotes
        if q.state is QuoteState.ACCEPTED
        and slips.get(q.id)
        and not any(s.is_active for s in slips[q.id])
        and not sheet.paid_on(q.id).amount
    )
