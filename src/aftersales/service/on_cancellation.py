"""The hooks that settle what a cancelled call leaves: one trigger, shared by each of them.

A ticket's cancellation calls its job off (seed 002: nothing is owed, no part goes out, no fault is
evidence). Each capability that holds something of the job settles it in the cancelling command's own
transaction: the unpaid fee slips (:mod:`~aftersales.service.cancelled_money`), the parts requests not
yet shipped (:mod:`~aftersales.service.cancelled_materials`), the units counted towards a batch incident
(:mod:`~aftersales.service.cancelled_faults`). :func:`on_cancellation` makes a runner hook of such a
settlement: it runs once, when a command moves the ticket into ``cancelled``, with the reason given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.hook_scope import reacting_to
from aftersales.service.runner import TicketHook

__all__ = ["Settlement", "on_cancellation"]

_CANCELLED = TicketState.CANCELLED.value

Settlement = Callable[[UnitOfWork, Actor, Ticket, str, datetime], Sequence[OutboxMessage] | None]
"""What a capability does when a ticket is cancelled: the unit of work, who cancelled it, the ticket,
the cancellation's reason and the instant; the messages it sends, if any."""


def on_cancellation(settle: Settlement) -> TicketHook:
    """A runner hook running ``settle`` when a command moves a ticket into ``cancelled`` (not on later
    commands of the cancelled ticket), with the reason the cancellation gave."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if ticket.state != _CANCELLED or before == _CANCELLED:
            return None
        # The step requires a reason; its action names it should a host's own workflow not.
        reason = next((e.reason for e in reversed(events) if e.to_state == _CANCELLED and e.reason), "cancel")
        return settle(uow, actor, ticket, reason, now)

    return reacting_to(hook, states=(_CANCELLED,))
