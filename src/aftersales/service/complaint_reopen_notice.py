"""Who hears that a complaint was reopened by hand (seed 004 第八条 2(6); seed 003 二 5).

对于回访发现的问题应及时再处理, and 由指定人员负责跟进: a complaint whose problem is back is handled again by
the person who follows it up. A callback that finds it back tells that person (``complaint_back``,
session 35); a head (or an agent) reopening it by hand — the customer called again, the problem is back —
told nobody, and the complaint waited in investigating until its new resolution clock warned. Now its
handler is told, with who reopened it and why; with no handler listed, the managers, unless a manager
reopened it. Whoever reopened it is not told of his own step (one rule with ``complaint_back``:
:mod:`.complaint_handler_told`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.complaint_handler_told import handler_or_managers
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name
from aftersales.service.hook_scope import reacting_to
from aftersales.service.notify import NOT_SET
from aftersales.service.runner import TicketHook
from aftersales.service.stored_reasons import worded_reason

__all__ = ["KIND", "tell_reopened_complaint"]

KIND = "complaint_reopened"
"""The notification's kind (i18n ``notification.complaint_reopened``)."""

_REOPEN = "reopen"
_CALLBACK = "record_callback"
"""A callback that reopens the complaint tells its own notice (``complaint_back``)."""


def tell_reopened_complaint(context: DeskContext) -> TicketHook:
    """The hook: a complaint reopened by any command but a callback tells its handler (else the
    managers) to handle it again."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if ticket.kind is not TicketKind.COMPLAINT:
            return None
        reopened = next((e for e in events if e.action == _REOPEN), None)
        if reopened is None or any(e.action == _CALLBACK for e in events):
            return None
        values = {
            "complaint_id": ticket.id,
            "customer_name": customer_name(uow, ticket.customer_id),
            "reopened_by": actor.name or str(actor.ref),
            "reason": worded_reason(reopened.reason) or NOT_SET,
        }
        key = f"{ticket.id}:{reopened.seq}:{KIND}"
        return handler_or_managers(context, uow, ticket, actor, (KIND, values, key), now)

    return reacting_to(hook, actions=(_REOPEN,))
