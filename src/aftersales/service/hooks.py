"""Reactions across capabilities, registered once at the composition root.

A capability does not call another from inside its commands; the root connects them here, as hooks
the runner runs inside the command's transaction (so a reaction commits or rolls back with the
command). Today: the knowledge base learns from a ticket when it closes (and takes the ticket's
contribution back when it is reopened); a callback survey whose score the complaint policy finds too
low opens a complaint about the ticket (the callback desk's survey hook), unless a complaint about it
is still being handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.classification import Channel, TicketKind
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintSubject
from aftersales.domain.departments import ComplaintLink
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import TicketId
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.i18n.callback_complaint_words import worded_description
from aftersales.policies.decision import Decision
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.callback_desk import SurveyHook
from aftersales.service.complaint_desk import ComplaintDesk
from aftersales.service.hook_scope import reacting_to
from aftersales.service.knowledge_desk import KnowledgeDesk
from aftersales.service.runner import Applied, CommandRunner, TicketHook

__all__ = ["complaint_on_low_score", "install_hooks", "learn_on_close"]


def learn_on_close(knowledge: KnowledgeDesk) -> TicketHook:
    """The hook: fault statistics learn from closed tickets, in the same transaction as the close."""
    closed = TicketState.CLOSED.value  # read once: it runs after every ticket command

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if (before == closed) != (ticket.state == closed):
            knowledge.learn(uow, ticket, now)
        return None

    return reacting_to(hook, states=(closed,))


def complaint_on_low_score(complaints: ComplaintDesk) -> SurveyHook:
    """The survey hook: a score below the complaint policy's threshold, or a grievance the customer voices
    at the callback (reason ``callback_grievance``), opens a complaint (same command).

    At the callback of a complaint, the customer still dissatisfied does not open a complaint about the
    complaint: the same complaint goes back to investigating (seed 001: 如客户仍不满意, 应进一步沟通协商,
    直至客户满意为止), so it is not counted handled while the customer says it is not. At a service
    ticket's callback, a complaint about the ticket still being handled takes the new low score (its id
    is on the callback record) instead of a second complaint being opened.
    """
    return _ComplaintOnLowScore(complaints)


@validated_commands  # its public may_open refuses a wrong argument by name, as every desk method
class _ComplaintOnLowScore:
    """The hook :func:`complaint_on_low_score` makes, with :meth:`may_open`, asked before the callback's
    ticket is locked."""

    def __init__(self, complaints: ComplaintDesk) -> None:
        self.complaints = complaints

    def may_open(self, score: int | None, grievances: tuple[str, ...]) -> bool:
        """Whether a callback judged ``score``, voicing ``grievances``, can open a complaint: only such a
        callback holds its customer before its ticket (``CommandRunner.execute(customer_first=)``: the
        order an erasure locks them in), so a pleased customer's callback keeps its round trips."""
        if grievances:
            return True
        return score is not None and self.complaints.policy.opens_complaint(score).outcome

    def __call__(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        score: int | None,
        grievances: tuple[str, ...],
        description: str,
        now: datetime,
    ) -> tuple[TicketId | None, Applied]:
        verdicts: list[Decision[bool]] = []
        if score is not None:
            verdicts.append(self.complaints.policy.opens_complaint(score))
        if grievances:  # said at the callback: a complaint whatever the score (seed 004 第七条 3-4)
            reason = Reason("callback_grievance", {"grievances": ",".join(grievances)})
            verdicts.append(Decision(True, [reason], self.complaints.policy.name))
        if not any(v.outcome for v in verdicts):
            return None, Applied(decisions=tuple(verdicts))
        if ticket.kind is TicketKind.COMPLAINT:
            # A step's reason is written once, in the desk's locale, as the desk's other step words are.
            desk = self.complaints.context.notifications.renderer.catalog(
                self.complaints.context.policies.maintenance.locale
            )
            self.complaints.dissatisfied_in(uow, actor, ticket, now, worded_description(desk, description))
            return None, Applied(decisions=tuple(verdicts))
        handling = _complaint_in_hand(uow, ticket)
        if handling is not None:  # the callback record names the complaint that already handles it
            return handling, Applied(decisions=tuple(verdicts))
        complaint, opened = self.complaints.open_in(
            uow,
            actor,
            now,
            ticket.customer_id,
            description,
            [ticket.id],
            subject=ComplaintSubject.SERVICE_QUALITY,
            channel=Channel.PROACTIVE_CALLBACK,
        )
        return complaint.id, Applied(opened.messages, (*verdicts, *opened.decisions))


_IN_HAND = frozenset(
    {
        ComplaintState.RECEIVED,
        ComplaintState.INVESTIGATING,
        ComplaintState.AWAITING_DECISION,
        ComplaintState.SOLUTION_PROPOSED,
        ComplaintState.IMPLEMENTING,
    }
)


def _complaint_in_hand(uow: UnitOfWork, ticket: Ticket) -> TicketId | None:
    """A complaint about ``ticket`` still being handled (not yet answered), if any: the customer's
    dissatisfaction with this work is already a complaint. A second low score (a callback recorded
    twice, the customer called again) opening a second complaint would count one grievance twice
    (seed 001's 投诉处理成功率) and split its handling in two."""
    for link in sorted(uow.documents.query(ComplaintLink, ticket_id=ticket.id), key=lambda x: x.id):
        complaint = uow.tickets.get(link.complaint_id)
        if complaint.state in _IN_HAND:
            return complaint.id
    return None


def install_hooks(runner: CommandRunner, *, knowledge: KnowledgeDesk) -> None:
    """Connect the capabilities of one desk."""
    runner.on_ticket_change(learn_on_close(knowledge))
