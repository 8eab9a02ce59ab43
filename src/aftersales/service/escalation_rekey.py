"""A reopened complaint's escalations go back into the SLA sweep's range, whichever command reopened it.

The sweep drops the ``escalation_due`` key of a complaint it finds closed (nothing is left to take up,
seed 004 第八条 2(5)), so that later runs do not read it again. A reopen (第八条 2(6) 回访发现的问题应及时
再处理) makes its escalations not taken up live again: the complaint desk's own steps derive the key
again on the file they hold, but ``desk.reopen`` — the ticket desk's step, open to a complaint — never
touched the file, and its overdue escalation was listed (``overdue_escalations``) yet never reminded.
This hook sees every reopen, by any command, and derives the key again where it moved (session 39).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.hook_scope import reacting_to
from aftersales.service.runner import TicketHook

__all__ = ["rekey_reopened_complaint"]

_REOPEN = "reopen"


def rekey_reopened_complaint() -> TicketHook:
    """The hook: a complaint reopened has its file's ``escalation_due`` derived again (saved only when it
    moved: the complaint desk's reopen has already done so on the file it saved)."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if ticket.kind is not TicketKind.COMPLAINT or not any(e.action == _REOPEN for e in events):
            return None
        try:
            file = uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            return None  # a complaint stored without its file has no escalations
        key = file.escalation_due
        file.rekey()
        if file.escalation_due != key:
            uow.documents.save(file)
        return None

    return reacting_to(hook, actions=(_REOPEN,))
