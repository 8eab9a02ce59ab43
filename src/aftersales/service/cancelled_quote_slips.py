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

from collections.abc import Iterable

from aftersales.domain.charges import Payment, QuoteState
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.money import Money
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.charge_refunds import credits_of, net_owed

__all__ = ["quotes_owing_nothing"]


def quotes_owing_nothing(uow: UnitOfWork, ticket: Ticket) -> frozenset[str]:
    """Ids of ``ticket``'s accepted quotes that had fee slips, each cancelled or wholly credited, and
    nothing kept of what was paid: a part payment paid back with the whole slip credited (session 36)
    owes nothing either, so 款到发货 holds its parts no more."""
    sheet = ticket.charges
    if sheet is None or not any(q.state is QuoteState.ACCEPTED for q in sheet.quotes):
        return frozenset()
    every = list(uow.documents.query(FeeSlip, ticket_id=ticket.id))
    slips: dict[str, list[FeeSlip]] = {}
    for slip in every:
        if slip.quote_id is not None:
            slips.setdefault(slip.quote_id, []).append(slip)

    def owes_nothing(slip: FeeSlip) -> bool:
        if not slip.is_active:
            return True
        credited = Money.total((c.total for c in credits_of(every, slip)), slip.currency)
        return credited >= slip.total and net_owed(every, slip).amount <= 0

    return frozenset(
        q.id
        for q in sheet.quotes
        if q.state is QuoteState.ACCEPTED
        and slips.get(q.id)
        and all(owes_nothing(s) for s in slips[q.id])
        and not (sheet.paid_on(q.id) - _refunded_on(sheet.refunds, q.id, sheet.currency)).amount
    )


def _refunded_on(refunds: Iterable[Payment], quote_id: str, currency: str) -> Money:
    """What the sheet paid back on ``quote_id``."""
    return Money.total((r.amount for r in refunds if r.quote_id == quote_id), currency)
