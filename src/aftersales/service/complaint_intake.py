"""Registering a complaint (投诉登记) and linking it to the service tickets it is about.

A complaint is a ticket of kind complaint with its :class:`ComplaintFile`; crisis facts given at intake,
or a linked ticket of a batch quality incident, classify it at once (and escalate it) in the same command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.complaints import (
    ComplaintFile,
    ComplaintSubject,
    CrisisFacts,
)
from aftersales.domain.departments import ComplaintLink
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.complaints import ComplaintFacts
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_classification import ComplaintClassification
from aftersales.service.complaint_crisis_notice import stated_crisis_notice
from aftersales.service.complaint_incident_facts import (
    DETECTOR,
    as_batch_incident,
    incident_about,
    of_an_incident,
)
from aftersales.service.complaint_month import registration_month
from aftersales.service.intake import check_stated_receipt, open_ticket_in, received_time
from aftersales.service.intake_channel import intake_channel
from aftersales.service.permissions import COMPLAINT_ROLES, Workflow, permit
from aftersales.service.runner import Applied
from aftersales.service.views import CommandResult

__all__ = ["ComplaintIntake"]

_CLASSIFIERS = COMPLAINT_ROLES["classify"] | COMPLAINT_ROLES["report_crisis"]
"""Who may classify a complaint from crisis facts: the handlers, the system, and the field reporting one."""


@validated_commands
class ComplaintIntake(ComplaintClassification):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: intake and linking."""

    def open_complaint(
        self,
        actor: Actor,
        customer_id: str,
        description: str,
        about: Sequence[str] = (),
        *,
        subject: ComplaintSubject = ComplaintSubject.PRODUCT_QUALITY,
        channel: Channel | None = None,
        asset_id: str | None = None,
        crisis: CrisisFacts | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Register a complaint (投诉登记) about ``about`` (service tickets of the same customer).

        Crisis facts given at intake by the centre (or the field) are classified at once; a crisis event
        is escalated in this same command (escalation record, notifications to the service-centre head
        and the general manager), and is urgent (its first contact on the urgent contact clock, seed
        004 第八条 2(4) 首先要对客户进行安抚). ``channel`` not given is ``phone`` for staff taking the
        complaint and ``portal`` for a customer filing its own (seed 004 第八条 2(1)
        来信、来电、传真或其它方式). A customer's crisis facts are recorded as its statement
        (``ComplaintFile.stated_crisis``) and the complaint is left for the centre to classify.
        ``received_at`` is when a letter or call entered later came; a customer filing its own gives none
        (``ValidationError`` naming ``received_at``, rule ``received_by_staff``).
        """
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")
        permit(actor, Workflow.COMPLAINT, "open_complaint", customer_id)
        check_stated_receipt(actor, received_at)
        channel = intake_channel(actor, channel)
        request = [
            customer_id,
            description,
            tuple(about),
            subject,
            channel,
            asset_id,
            crisis,
            urgent,
            received_at,
        ]
        stated: CrisisFacts | None = None
        if crisis is not None and not any(role in _CLASSIFIERS for role in actor.roles):
            # Crisis facts given at intake classify the complaint and escalate it to the general
            # manager: the centre's call (seed 004 第八条 2(4)-(5)), or a crisis report from the field.
            # A customer's are its statement: recorded in full (第八条 2(2)), classified by the centre.
            stated, crisis = crisis, None
        about = tuple(about)
        # 第八条 2(4) 首先要对客户进行安抚 with 2(5) 立即: a crisis registered is one whose customer is
        # contacted first, on the urgent contact clock (as ``mark_urgent`` puts a complaint), whatever
        # the day — not by the working hours of its grade, after a holiday (session 37).
        urgent = urgent or (
            crisis is not None and self.policy.classify(ComplaintFacts(crisis)).outcome.crisis_event
        )

        def run(uow: UnitOfWork, now: datetime) -> tuple[Ticket, Applied]:
            return self.open_in(
                uow, actor, now, customer_id, description, about, subject=subject, channel=channel,
                asset_id=asset_id, crisis=crisis, urgent=urgent, received_at=received_time(now, received_at),
                stated_crisis=stated,
            )  # fmt: skip

        return self.runner.intake(actor, "open_complaint", idempotency_key, request, run)

    def open_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        customer_id: str,
        description: str,
        about: Sequence[str] = (),
        *,
        subject: ComplaintSubject = ComplaintSubject.PRODUCT_QUALITY,
        channel: Channel = Channel.PHONE,
        asset_id: str | None = None,
        crisis: CrisisFacts | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        then: Callable[[Ticket, ComplaintFile], Applied] | None = None,
        stated_crisis: CrisisFacts | None = None,
        expected_by: datetime | None = None,
        continues: str | None = None,
    ) -> tuple[Ticket, Applied]:
        """Open a complaint inside a running unit of work (used by the callback desk on a low score).

        Writes the ticket, its file and their outbox messages; the caller commits. ``then`` takes
        further steps on the new complaint before it is written (a crisis report flags it).
        ``expected_by`` is the resolution time the customer asked for (a request handed over keeps it:
        seed 003 二 2 期望解决时间). ``continues`` is the request handed over as this complaint: the
        customer's registration notice names the number they already hold.
        """
        linked = self._linked(uow, actor, customer_id, about)
        timezone = self.context.timezone  # the month registered in is the desk's, as its feedback's
        if asset_id is None and linked:
            asset_id = uow.tickets.get(linked[0]).asset_id

        def attach(ticket: Ticket) -> Applied:
            file = ComplaintFile(
                id=ticket.id, customer_id=ticket.customer_id, subject=subject, about=linked,
                stated_crisis=stated_crisis, registered_month=registration_month(uow, now, timezone),
            )  # fmt: skip
            applied = Applied()
            incident = incident_about(uow, self._dimension, (uow.tickets.get(t) for t in linked))
            if incident is not None:  # about a ticket of a batch quality incident: major (第七条 5(2))
                file.batch_incident = as_batch_incident(incident)
            if crisis is not None:
                file.crisis = crisis
            if crisis is not None or incident is not None:
                # Crisis facts are the centre's (or the field's) to give; the incident is the desk's own
                # finding, classified as the detector would whoever opens the complaint.
                applied = self._classify(uow, actor if crisis is not None else DETECTOR, ticket, file, now)
            if stated_crisis is not None and crisis is None:
                notice = stated_crisis_notice(self.context, ticket, stated_crisis, now)
                applied = Applied((*applied.messages, *notice), applied.decisions)
            if then is not None:
                more = then(ticket, file)
                applied = Applied((*applied.messages, *more.messages), (*applied.decisions, *more.decisions))
            uow.documents.add(file)
            for linked_id in dict.fromkeys(linked):
                uow.documents.add(ComplaintLink.of(linked_id, ticket.id))
            return applied

        return open_ticket_in(
            self.context, uow, actor, now, customer_id=customer_id, description=description,
            category=Category.COMPLAINT, channel=channel, asset_id=asset_id, received_at=received_at or now,
            kind=TicketKind.COMPLAINT, urgent=urgent, attach=attach, expected_by=expected_by,
            continues=continues,
        )  # fmt: skip

    def link_tickets(
        self, actor: Actor, complaint_id: str, about: Sequence[str], *, idempotency_key: str | None = None
    ) -> CommandResult:
        """Link the complaint to more service tickets of the same customer (at least one).

        A ticket named twice is linked once. The link event lists the tickets it linked; a call naming
        only tickets already linked links nothing and is refused (``ValidationError`` naming ``about``,
        rule ``already_linked``), nothing written: an event that changes nothing would read in the
        history as a new link, and a host retrying a call it lost the answer of passes its idempotency key.
        """
        if not about:
            raise ValidationError("link_tickets names at least one service ticket", field="about")

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied | None:
            linked = self._linked(uow, actor, ticket.customer_id, about)
            added = [t for t in dict.fromkeys(linked) if t not in file.about]
            if not added and ticket.can("link_tickets"):  # a closed complaint answers its state first
                raise ValidationError(
                    "the complaint is already linked to every ticket named",
                    field="about",
                    rule="already_linked",
                )
            ticket.step("link_tickets", actor.ref, now, payload={"about": list(added)})
            for linked_id in added:
                uow.documents.add(ComplaintLink.of(linked_id, ticket.id))
            file.about = (*file.about, *added)
            incident = incident_about(uow, self._dimension, (uow.tickets.get(t) for t in added))
            if incident is not None and not of_an_incident(file):
                file.batch_incident = as_batch_incident(incident)
                return self._classify(uow, DETECTOR, ticket, file, now)
            return None

        return self._run(actor, "link_tickets", complaint_id, body, idempotency_key)
