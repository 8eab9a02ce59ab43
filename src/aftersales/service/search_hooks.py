"""The issue-23 reactions registered at the composition root: keep the search index in step, and the
written-report rule.

Both run in the command's transaction (see :class:`~aftersales.service.runner.CommandRunner`): a
note, a fault record, a tag or a field change re-indexes the ticket; a step the pack blocks on an
out-of-box ticket without its written report raises :class:`~aftersales.errors.AttachmentRequired`,
and the whole command rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.attachment_desk import AttachmentDesk
from aftersales.service.runner import CommandRunner
from aftersales.service.ticket_search import index_change

__all__ = ["install_search_hooks"]


def install_search_hooks(runner: CommandRunner, attachments: AttachmentDesk) -> None:
    """Register the report rule (first: it refuses) and the index upkeep on ``runner``."""
    words = runner.context.notifications.renderer.catalog  # the desk's words, as its views show them

    def reindex(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        index_change(uow, ticket, events, words)
        return None

    runner.on_ticket_change(attachments.report_rule)
    runner.on_ticket_change(reindex)
