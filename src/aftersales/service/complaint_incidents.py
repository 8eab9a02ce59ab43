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

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import BatchIncident
from aftersales.domain.departments import ComplaintLink
from aftersales.domain.quality_incidents import (
    QualityIncident,
)
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
from aftersales.service.complaint_classification import ComplaintClassification
from aftersales.service.complaint_incident_facts import (
    DETECTOR,
    as_batch_incident,
    counts,
    in_service,
    of_an_incident,
)
from aftersales.service.permissions import COMPLAINT_ROLES, check_role

if TYPE_CHECKING:
    pass

__all__ = ["ComplaintIncidents"]


@validated_commands
class ComplaintIncidents(ComplaintClassification):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the detector's hook, and
    batch incidents found from the fault records."""

    def on_incident(
        self, uow: UnitOfWork, incident: QualityIncident, ticket_ids: Sequence[str], now: datetime
    ) -> list[OutboxMessage]:
        """The detector's hook (:data:`IncidentComplaints`), in its transaction: each open complaint about
        one of ``ticket_ids`` — tickets of ``incident``, raised or joined now — is classified major with
        the incident's figures, unless an incident already made it so.

        Called with a dismissed incident (the office's ``dismiss``, in its transaction), the open complaints
        it had made major are classified again without it: no batch incident made them major after all
        (第七条 5(2)); a crisis or the handler's judgement still may. Before session 30 they stayed major.
        """
        dismissed = not counts(incident)
        messages: list[OutboxMessage] = []
        for ticket_id in dict.fromkeys(ticket_ids):
            links = sorted(uow.documents.query(ComplaintLink, ticket_id=ticket_id), key=lambda x: x.id)
            for link in links:
                complaint = uow.tickets.get_for_update(link.complaint_id)
                if not complaint.can("classify"):
                    continue  # closed or cancelled: nothing left to handle
                file = self._file(uow, complaint)
                if dismissed:
                    if file.batch_incident is None or file.batch_incident.incident_id != incident.id:
                        continue
                    file.batch_incident = None
                elif of_an_incident(file):
                    continue
                else:
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
                if not in_service(uow, ticket):
                    continue  # reported before the installation was completed (第七条 5(2), as the hook)
                # The pack's dimension (cause by default) says what "the same problem" is, as in the hook.
                dimension = self.policy.params.batch_dimension
                faults += [
                    UnitFault(ticket.asset_id, batch, getattr(r, dimension), ticket.product_id)
                    for r in ticket.fault_records
                    if self.policy.params.counts_cause(r.cause)  # design or production faults only
                ]
        return detect_batch_incidents(faults, {batch: batch_size}, self.policy.params, quality_causes)
