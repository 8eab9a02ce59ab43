"""Complaints about a batch quality incident are major complaints (seed 004 第七条 5(2)).

Seed 004 counts a batch quality incident (批量质量事故: the same quality problem on 5 % or more of one
production batch) among the major complaints (重大投诉). The desk's one detector raises the incident
from the fault records (:mod:`aftersales.service.quality_incidents`); a complaint is about service
tickets (:class:`~aftersales.domain.departments.ComplaintLink`). A complaint about a ticket that
recorded the incident's problem on a unit of its batch is therefore major, whichever comes first:

* the complaint opened, or linked to such a ticket, after the incident was raised — found here from the
  ticket's fault records through the batch's tally (:func:`incident_about`);
* the incident raised, or a ticket joining it, after the complaint — the detector calls the desk's
  :data:`IncidentComplaints` hook with the incident's tickets.

A dismissed incident (not a batch problem after all) makes nothing major. The complaint's
:class:`~aftersales.domain.complaints.BatchIncident` names the incident: it was escalated to the
centre and the general manager when it was raised, and the complaint does not alarm them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import BatchIncident, ComplaintFile
from aftersales.domain.departments import ComplaintLink
from aftersales.domain.ids import ProductId
from aftersales.domain.quality_incidents import (
    BatchFaultTally,
    IncidentState,
    QualityIncident,
    incident_key,
)
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.policies.complaints import UnitFault, detect_batch_incidents
from aftersales.policies.decision import Decision
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.clock_skew import stamp_for
from aftersales.service.complaint_base import all_tickets
from aftersales.service.permissions import COMPLAINT_ROLES, check_role

if TYPE_CHECKING:
    from aftersales.policies.protocols import ComplaintPolicy
    from aftersales.service.context import DeskContext
    from aftersales.service.runner import Applied

__all__ = [
    "DETECTOR",
    "ComplaintIncidents",
    "IncidentComplaints",
    "as_batch_incident",
    "counts",
    "incident_about",
    "named_incident",
    "of_an_incident",
]

IncidentComplaints = Callable[[UnitOfWork, QualityIncident, Sequence[str], datetime], list[OutboxMessage]]
"""What the detector calls, in its transaction, when it raises an incident (with all its tickets) or a
ticket joins one (with that ticket): the complaints about those tickets are classified major."""


def counts(incident: QualityIncident) -> bool:
    """Does ``incident`` make a complaint about its problem major? Not once dismissed."""
    return incident.state is not IncidentState.DISMISSED


def incident_about(uow: UnitOfWork, dimension: str, tickets: Iterable[Ticket]) -> QualityIncident | None:
    """The first incident (not dismissed) whose problem one of ``tickets`` recorded on a unit of the
    incident's batch, or ``None``. ``dimension`` is the pack's ``[complaint] batch_dimension``; one read
    by id per distinct problem recorded."""
    for ticket in tickets:
        if ticket.batch is None or ticket.asset_id is None:
            continue
        for value in dict.fromkeys(str(getattr(r, dimension)) for r in ticket.fault_records):
            try:
                tally = uow.documents.get(BatchFaultTally, incident_key(ticket.batch, dimension, value))
            except NotFound:
                continue
            if tally.incident_id is None:
                continue
            incident = uow.documents.get(QualityIncident, tally.incident_id)
            if counts(incident):
                return incident
    return None


def as_batch_incident(incident: QualityIncident) -> BatchIncident:
    """The complaint's record of ``incident``: its batch, problem and figures, and its id. Units that
    joined beyond the batch's size as registered when it was raised count the batch as that many."""
    affected = incident.affected
    return BatchIncident(
        ProductId(incident.product_id) if incident.product_id is not None else None,
        incident.batch,
        incident.value,
        affected,
        max(incident.batch_size, affected),
        incident_id=incident.id,
    )


DETECTOR = Actor.system("quality-detector")
"""Who classifies a complaint major by a batch incident the desk found: the detector, as on the incident."""


def named_incident(uow: UnitOfWork, given: BatchIncident) -> BatchIncident:
    """``given``, or — when it names an incident of the desk — that incident's own figures. Naming one
    spares the general manager a second alarm, so the name must be true: an unknown or dismissed incident
    is a ``ValidationError`` naming ``batch_incident``."""
    if given.incident_id is None:
        return given
    try:
        incident = uow.documents.get(QualityIncident, given.incident_id)
    except NotFound:
        raise ValidationError(
            f"there is no quality incident {given.incident_id}", field="batch_incident"
        ) from None
    if not counts(incident):
        raise ValidationError(
            f"quality incident {incident.id} was dismissed: it makes no complaint major",
            field="batch_incident",
        )
    return as_batch_incident(incident)


def of_an_incident(file: ComplaintFile) -> bool:
    """Is the complaint major by an incident the desk raised already (its figures name the incident)?"""
    return file.batch_incident is not None and file.batch_incident.incident_id is not None


@validated_commands
class ComplaintIncidents:
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the detector's hook, and
    batch incidents found from the fault records."""

    if TYPE_CHECKING:
        context: DeskContext
        policy: ComplaintPolicy

        @property
        def _dimension(self) -> str: ...

        @staticmethod
        def _file(uow: UnitOfWork, ticket: Ticket) -> ComplaintFile: ...

        def _classify(
            self, uow: UnitOfWork, actor: Actor, ticket: Ticket, file: ComplaintFile, now: datetime
        ) -> Applied: ...

    def on_incident(
        self, uow: UnitOfWork, incident: QualityIncident, ticket_ids: Sequence[str], now: datetime
    ) -> list[OutboxMessage]:
        """The detector's hook (:data:`IncidentComplaints`), in its transaction: each open complaint about
        one of ``ticket_ids`` — tickets of ``incident``, raised or joined now — is classified major with
        the incident's figures, unless an incident already made it so."""
        if not counts(incident):
            return []
        messages: list[OutboxMessage] = []
        for ticket_id in dict.fromkeys(ticket_ids):
            links = sorted(uow.documents.query(ComplaintLink, ticket_id=ticket_id), key=lambda x: x.id)
            for link in links:
                complaint = uow.tickets.get_for_update(link.complaint_id)
                if not complaint.can("classify"):
                    continue  # closed or cancelled: nothing left to handle
                file = self._file(uow, complaint)
                if of_an_incident(file):
                    continue
                file.batch_incident = as_batch_incident(incident)
                applied = self._classify(uow, DETECTOR, complaint, file, stamp_for(complaint, now))
                messages += applied.messages
                uow.documents.save(file)
                uow.tickets.save(complaint)
        return messages

    def detect_batch_incidents(
        self,
        actor: Actor,
        *,
        batch: str,
        batch_size: int,
        product_id: str | None = None,
        quality_causes: Iterable[str] | None = None,
    ) -> list[Decision[BatchIncident | None]]:
        """Batch incidents of ``batch`` from the fault records of its units' service tickets.

        Counts distinct units with the same cause against ``batch_size`` (the production quantity);
        ``quality_causes`` keeps only design/production causes. One decision per cause, with reasons.
        A cancelled call's faults are no evidence (:func:`~aftersales.ports.reporting.is_fault_evidence`),
        as in the reports and the desk's detector.
        """
        check_role(actor, "detect_batch_incidents", roles=COMPLAINT_ROLES["detect_batch_incidents"])
        query = TicketFilter(kind=TicketKind.SERVICE, batch=batch, product_id=product_id)
        faults: list[UnitFault] = []
        with self.context.store() as uow:
            for ticket in all_tickets(uow, query):
                if ticket.asset_id is None or not is_fault_evidence(ticket):
                    continue  # no unit, or a cancelled call: no fault evidence (as in the reports)
                # The pack's dimension (cause by default) says what "the same problem" is, as in the hook.
                dimension = self.policy.params.batch_dimension
                faults += [
                    UnitFault(ticket.asset_id, batch, getattr(r, dimension), ticket.product_id)
                    for r in ticket.fault_records
                    if self.policy.params.counts_cause(r.cause)  # design or production faults only
                ]
        return detect_batch_incidents(faults, {batch: batch_size}, self.policy.params, quality_causes)
