"""Correspondence guidance to end users (函授, seed 002 售后服务质量改善的措施 1⑵c).

``desk.guidance`` records a letter or materials sent to a customer about a problem they met
(:class:`~aftersales.domain.correspondence.CorrespondenceGuidance`) and lists what a customer was sent.
The service side records it (``send_guidance``): the office for anyone, a dealer's staff for its own
dealer's customers, an engineer only about a ticket it works on. Guidance about a ticket is judged on
that ticket (unseen: ``NotFound``; out of the writer's hands: ``PermissionDenied``) and is read with it;
the rest with the customer. The customer's archive lists it (``CustomerArchive.guidance``, and among
the communications as ``guidance`` by its medium), and a customer's erasure blanks its free text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import attrs

from aftersales.domain.correspondence import CorrespondenceGuidance, GuidanceMedium
from aftersales.domain.knowledge import Article
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.numbering import next_number
from aftersales.service.permissions import (
    PERMISSIONS,
    Workflow,
    authorize,
    can_write_party,
    check_role,
)
from aftersales.service.replay_scope import guidance_visible
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import party_visible

__all__ = ["CorrespondenceGuidance", "GuidanceDesk", "GuidanceMedium", "guidance_readable"]

_DOCS = PERMISSIONS[Workflow.DOCUMENTS]


def guidance_readable(uow: UnitOfWork, actor: Actor, customer_id: str) -> list[CorrespondenceGuidance]:
    """The guidance sent to ``customer_id`` that ``actor`` may read (:func:`guidance_visible`), oldest
    first; the caller checked that the actor's role may read guidance at all."""
    found = uow.documents.query(CorrespondenceGuidance, customer_id=customer_id)
    return sorted((r for r in found if guidance_visible(uow, actor, r)), key=lambda r: (r.sent_on, r.id))


@validated_commands
class GuidanceDesk:
    """``desk.guidance``: correspondence guidance (函授) sent to customers."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def send(
        self,
        actor: Actor,
        customer_id: str,
        *,
        medium: GuidanceMedium | str,
        topic: str,
        sent_on: date,
        ticket_id: str | None = None,
        description: str = "",
        text: str = "",
        materials: Iterable[str] = (),
        article_ids: Iterable[str] = (),
        case_study: bool = False,
        address: str | None = None,
        idempotency_key: str | None = None,
    ) -> CorrespondenceGuidance:
        """Record guidance sent to ``customer_id`` by ``medium`` (a letter: its ``text``; materials: their
        names) on ``topic``, about the problem they met: ``ticket_id`` (the customer's ticket), or
        ``description`` (replayable by key).

        Recorded once sent: ``sent_on`` after today on the desk's calendar, or before the ticket behind it
        came in, is refused (``sent_on``).
        ``article_ids`` name approved knowledge-base articles it drew on (unknown: ``NotFound``; not
        approved, or withdrawn: ``ValidationError`` naming ``article_ids``). ``case_study`` marks teaching
        by a typical case (案例教学). ``address`` defaults to the customer's address on file. Nothing is
        recorded on a refusal.
        """
        roles = _DOCS["send_guidance"]
        check_role(actor, "send_guidance", customer_id, roles)
        draft = CorrespondenceGuidance(
            "draft", customer_id, medium, topic, sent_on, ticket_id, description, text, materials,
            article_ids, case_study, address or "",
        )  # fmt: skip
        if address is not None and not isinstance(address, str):
            raise ValidationError("address is text", field="address")
        request = [attrs.evolve(draft, sent_by=None), address]

        def apply(uow: UnitOfWork, now: datetime) -> CorrespondenceGuidance:
            customer = uow.customers.get(customer_id)
            if draft.ticket_id is not None:
                ticket = self.runner.load(uow, draft.ticket_id)
                team = self.runner.team_of_assignee(uow, ticket)
                authorize(actor, "send_guidance", ticket, team, roles)
                if ticket.customer_id != customer.id:
                    raise ValidationError(f"{ticket.id} is not {customer.id}'s ticket", field="ticket_id")
                if sent_on < self.context.today(ticket.received_at):
                    raise ValidationError(
                        f"guidance about {ticket.id} is not sent before the problem came in", field="sent_on"
                    )
            else:
                scope = {
                    "customer_id": customer.id,
                    "region": customer.region,
                    "dealer_id": customer.dealer_id,
                }
                if not party_visible(actor, allowed=roles, **scope):
                    raise NotFound("customer", customer_id)
                if not can_write_party(actor, "send_guidance", roles, **scope):
                    raise PermissionDenied(str(actor), "send_guidance", customer_id)
            if sent_on > self.context.today(now):
                raise ValidationError(f"guidance sent on {sent_on} is not sent yet", field="sent_on")
            for article_id in draft.article_ids:
                if uow.documents.get(Article, article_id).current is None:
                    raise ValidationError(
                        f"article {article_id} has no approved version to guide a customer by",
                        field="article_ids",
                    )
            record = attrs.evolve(
                draft,
                id=next_number(uow, "guidance", now),
                address=draft.address or (customer.contact.address or ""),
                sent_by=actor.ref,
            )
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "send_guidance",
            idempotency_key,
            request,
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(CorrespondenceGuidance, id),
        )

    def sent(
        self, actor: Actor, customer_id: str, *, ticket_id: str | None = None
    ) -> Sequence[CorrespondenceGuidance]:
        """The guidance sent to ``customer_id`` that ``actor`` may read, oldest first (``ticket_id``: the
        guidance about that ticket only). A customer reads their own, dealer staff their customers';
        a customer out of reach is ``NotFound``, as an unknown one."""
        allowed = _DOCS["read_guidance"]
        check_role(actor, "read_guidance", customer_id, allowed)
        with self.context.store() as uow:
            customer = uow.customers.get(customer_id)
            found = guidance_readable(uow, actor, customer.id)
            scope = {"customer_id": customer.id, "region": customer.region, "dealer_id": customer.dealer_id}
            if not found and not party_visible(actor, allowed=allowed, **scope):
                raise NotFound("customer", customer_id)
        if ticket_id is not None:
            found = [r for r in found if r.ticket_id == ticket_id]
        record_access(self.runner, actor, "guidance", [customer_id])
        return found
