"""What a quality incident is to a complaint: the facts the complaint desk reads of the incidents.

The desk's one detector (:mod:`aftersales.service.quality_incidents`) raises an incident from the fault
records; a complaint about a ticket that recorded the incident's problem on a unit of its batch is major
(seed 004 第七条 5(2): 批量质量事故). These functions answer whether an incident counts, which incident a
complaint's tickets are about, and the complaint's record of it; intake, classification and the
detector's hook (:mod:`aftersales.service.complaint_incidents`) share them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from aftersales.domain.complaints import BatchIncident, ComplaintFile
from aftersales.domain.ids import ProductId
from aftersales.domain.no_fault import NO_FAULT_FOUND
from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import BatchFaultTally, IncidentState, QualityIncident
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.read_ahead import ReadAhead, read_ahead
from aftersales.ports.reporting import is_fault_evidence, reported_in_service
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.batch_keys import chosen_key, key_ids, tally_exists
from aftersales.service.row_locks import document_for_update, for_update

__all__ = [
    "DETECTOR",
    "IncidentComplaints",
    "as_batch_incident",
    "counts",
    "in_service",
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


def in_service(uow: UnitOfWork, ticket: Ticket, *, lock: bool = False) -> bool:
    """Were ``ticket``'s faults reported after its unit's installation was completed (or is that not
    known)? Seed 004 第七条 5(2) counts 工程完工后出现的 problems: the detector, the recount and the desk's
    batch check leave the others out (:func:`~aftersales.ports.reporting.reported_in_service`).

    ``lock`` (a write counting the fault on what it reads): the unit is read locked until the
    transaction ends (:func:`~aftersales.service.row_locks.for_update`), so a completion date corrected
    on another desk meanwhile either commits first and is read here, or waits and then counts this
    fault itself (:func:`~aftersales.service.completion_recount.count_since_completion`)."""
    asset: Asset | None = None
    if ticket.asset_id is not None:
        with contextlib.suppress(NotFound):
            asset = for_update(uow.assets, ticket.asset_id) if lock else uow.assets.get(ticket.asset_id)
    return reported_in_service(ticket, asset)


def incident_about(uow: UnitOfWork, dimension: str, tickets: Iterable[Ticket]) -> QualityIncident | None:
    """The first incident (not dismissed) whose problem one of ``tickets`` recorded on a unit of the
    incident's batch, or ``None``. ``dimension`` is the pack's ``[complaint] batch_dimension``; one read
    by id per distinct problem recorded. A cancelled ticket's records are no fault evidence (the one rule
    of the reports and the detectors): a complaint about that call is not major by the incident; nor
    about a fault reported before the unit's installation was completed (:func:`in_service`)."""
    candidates: list[tuple[str, ...]] = []
    for ticket in tickets:
        if ticket.batch is None or ticket.asset_id is None or not is_fault_evidence(ticket):
            continue
        if not in_service(uow, ticket):
            continue  # reported before the installation was completed: not of the incident (第七条 5(2))
        found = (r for r in ticket.fault_records if r.cause != NO_FAULT_FOUND)  # 故障不属实: no fault
        for value in dict.fromkeys(str(getattr(r, dimension)) for r in found):
            candidates.append(key_ids(ticket.batch, dimension, value, ticket.product_id))
    if candidates:  # the product's tally or an older store's of the batch code (batch_keys): one read
        read_ahead(uow, ReadAhead(documents=tuple((BatchFaultTally, k) for ids in candidates for k in ids)))
    keys = [chosen_key(uow, ids) for ids in candidates]
    # Locked: a fault record raising the batch's incident on another desk commits first (the complaint
    # finds the incident) or waits for this one (its incident finds the complaint); read without a lock,
    # neither found the other on PostgreSQL. All of them, in key order, before the first is judged: two
    # complaints naming tickets of two problems in opposite orders deadlocked.
    tallies: dict[str, BatchFaultTally] = {}
    for key in sorted(set(keys)):
        if not tally_exists(uow, key):
            continue  # none stored when read ahead: a lock on no row waits for nobody (as before)
        with contextlib.suppress(NotFound):
            tallies[key] = document_for_update(uow.documents, BatchFaultTally, key)
    for key in dict.fromkeys(keys):
        tally = tallies.get(key)
        if tally is None or tally.incident_id is None:
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
