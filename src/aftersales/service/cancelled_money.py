"""Money left on a cancelled ticket: its unpaid fee slips are cancelled with it.

Seed 002 counts 售后服务销售收入 from the fee slips (《售后服务材料收费暨报销单》). A customer who accepted
a quote and then called the job off (fixed it themselves, bought elsewhere) owes nothing for work never
done, yet the slip the acceptance wrote stayed issued and counted as the month's income. The ticket's
cancellation now cancels, in its own transaction, every slip of the job that nothing was received on,
that no invoice holds and whose parts did not ship: the slip stays on file, cancelled by whoever
cancelled the ticket, with the ticket's reason. A slip paid in part or in full is left for the office —
money came in, and it goes back through a refund (``desk.charges.refund``), never silently; so is one
whose parts went out (the customer holds them: 事实占有) and one on an invoice (finance reverses it with
a credit note).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.fee_slips import FeeSlip, SlipOrigin
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.fee_desk import cancel_stored_slip
from aftersales.service.on_cancellation import on_cancellation
from aftersales.service.runner import TicketHook

__all__ = ["cancel_unpaid_slips"]


def cancel_unpaid_slips() -> TicketHook:
    """The hook: a ticket's cancellation cancels its unpaid, uninvoiced job slips whose parts did not
    ship, in the same transaction (see the module's docstring)."""
    return on_cancellation(_cancel_unpaid)


def _cancel_unpaid(uow: UnitOfWork, actor: Actor, ticket: Ticket, reason: str, now: datetime) -> None:
    slips = [
        s for s in uow.documents.query(FeeSlip, ticket_id=ticket.id)
        if s.is_active and s.origin is SlipOrigin.JOB and not s.payments and s.invoice_id is None
    ]  # fmt: skip
    if not slips:
        return
    shipped = {
        r.quote_id for r in uow.documents.query(MaterialsRequest, ticket_id=ticket.id) if r.shipping_note
    }
    for slip in slips:
        if slip.quote_id is None or slip.quote_id not in shipped:
            cancel_stored_slip(uow, slip, actor, now, reason)
