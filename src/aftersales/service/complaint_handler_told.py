"""Who is told that a complaint is to be handled again: one rule for every notice of it.

Seed 003 二 5 由指定人员负责跟进 with seed 004 第八条 2(6) 对于回访发现的问题应及时再处理: the complaint's
designated handler hears it (a callback finding the problem back, ``complaint_back``; a reopen by hand,
``complaint_reopened``); with no handler reachable in the staff directory, the centre's managers. The
person who acted is never told of his own step: not the handler, nor a manager when the notice would go
to the managers' entry (his own).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext

__all__ = ["handler_or_managers"]


def handler_or_managers(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    actor: Actor,
    notice: tuple[str, Mapping[str, object], str],
    now: datetime,
) -> list[OutboxMessage]:
    """The messages of ``notice`` (kind, values, idempotency key) about complaint ``ticket``, which
    ``actor`` has just sent back to work: to its handler, else the managers, never to ``actor``."""
    kind, values, key = notice
    try:
        handler = uow.documents.get(ComplaintFile, ticket.id).handler
    except NotFound:
        handler = None
    if handler is not None and actor.ref == handler:
        return []  # his own step: he knows
    notices = context.notifications
    if handler is not None:
        told = notices.person_messages(kind, handler, values, key, now)
        if told:
            return list(told)
    if actor.has_role(Role.MANAGER):
        return []  # a manager acted: the managers' entry is his own
    return list(notices.staff_messages(kind, (Role.MANAGER,), values, key, now))
