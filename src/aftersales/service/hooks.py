"""Reactions across capabilities, registered once at the composition root.

A capability does not call another from inside its commands; the root connects them here, as hooks
the runner runs inside the command's transaction (so a reaction commits or rolls back with the
command). Today: the knowledge base learns from a ticket when it closes, and takes the ticket's
contribution back when it is reopened. (A complaint opened from a low callback score is part of the
callback command itself: the callback desk is built with the complaint desk.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.knowledge_desk import KnowledgeDesk
from aftersales.service.runner import CommandRunner

__all__ = ["install_hooks", "learn_on_close"]


def learn_on_close(knowledge: KnowledgeDesk) -> object:
    """The hook: fault statistics learn from closed tickets, in the same transaction as the close."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        closed = TicketState.CLOSED.value
        if (before == closed) != (ticket.state == closed):
            knowledge.learn(uow, ticket, now)
        return None

    return hook


def install_hooks(runner: CommandRunner, *, knowledge: KnowledgeDesk) -> None:
    """Connect the capabilities of one desk."""
    runner.on_ticket_change(learn_on_close(knowledge))  # type: ignore[arg-type]
