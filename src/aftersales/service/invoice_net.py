"""What an invoice over a fee slip covers: its charged lines less what credit slips already paid back.

Seed 002 工作程序 c) ② keeps a slip archived un-torn until the customer wants one collective
invoice (等用户需集中开发票时,再转至财务部开具发票). A refund written in between (a complaint's warranty
extension made the work free, a part came back unused) means the payer no longer pays that part:
invoicing the whole slip would invoice money paid back, and a credit slip is never invoiced itself. So
an invoice covers what is left; a slip whose credits took back every line is invoiced no more (session
36: it was, in full).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.charges import ChargeLine
from aftersales.domain.fee_slips import FeeSlip, lines_left
from aftersales.domain.money import Money
from aftersales.ports.documents import DocumentStore

__all__ = ["invoiced_lines", "invoiced_total"]


def invoiced_lines(
    documents: DocumentStore, slip: FeeSlip, *, by: datetime | None = None
) -> tuple[ChargeLine, ...]:
    """``slip``'s charged lines less what its active credit slips (written by ``by``, when given) took
    back, by kind and item, at most each line's quantity. Empty: the slip was paid back in full."""
    lines = slip.charged_lines()
    if slip.is_credit:
        return lines
    credits = [
        credit
        for credit in documents.query(FeeSlip, ticket_id=slip.ticket_id)
        if credit.credits_slip == slip.id
        and credit.is_active
        # one written after the invoice was asked: finance reverses that invoice (invoice_to_reverse)
        and (by is None or credit.issued_at <= by)
    ]
    return tuple(lines_left(lines, credits)) if credits else lines


def invoiced_total(lines: tuple[ChargeLine, ...], currency: str) -> Money:
    """What ``lines`` (from :func:`invoiced_lines`) come to."""
    return Money.total((line.amount for line in lines), currency)
