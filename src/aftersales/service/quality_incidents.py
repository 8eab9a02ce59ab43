"""Quality incidents across customers: the one detector (a ticket hook) and the quality desk.

The detector runs inside the transaction of the command that records a fault: the unit is counted
once per (batch, problem) — the problem is the fault record's cause or symptom, as the pack's
``[complaint] batch_dimension`` says — and the record that brings the batch to the pack's threshold
(≥ 5 % inclusive by default) raises the incident, links the tickets of every customer found so far
and escalates it to the general manager in that same instant. Later records of the batch join the
incident; a record on a unit already counted changes nothing (unless it was withdrawn: counted again).

A cancelled call is no fault evidence (:func:`~aftersales.ports.reporting.is_fault_evidence`): its
cancellation withdraws the units it counted (:mod:`aftersales.service.cancelled_faults`), and the
crossing judges only units whose call is not cancelled.

``desk.complaints.detect_batch_incidents`` and the reports use the same dimension and threshold.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import INCIDENT_REMEDY, GrantedExtension
from aftersales.domain.departments import ComplaintLink, Department, department_ids
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import AssetId, ProductId, TicketId
from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import (
    BatchFaultTally,
    BatchFaultUnit,
    FollowUpWatch,
    IncidentEvent,
    IncidentRemedyKind,
    IncidentState,
    QualityIncident,
    follow_up_key,
    split_key,
    unit_id,
)
from aftersales.domain.ticket import Ticket
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.domain.work import AssigneeKind
from aftersales.errors import DuplicateError, InvalidTransition, NotFound, ValidationError
from aftersales.policies.complaints import MIN_UNITS, ComplaintParams, batch_threshold_reached, judge_batch
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.read_ahead import ReadAhead, read_ahead
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.batch_keys import batch_size, found_tally, key_ids, tally_key, tickets_of_batch
from aftersales.service.complaint_incident_facts import IncidentComplaints, in_service
from aftersales.service.context import DeskContext
from aftersales.service.coordination import department_notices
from aftersales.service.escalation_reach import reach_up
from aftersales.service.hook_scope import reacting_to
from aftersales.service.notify import NOT_SET
from aftersales.service.numbering import new_id
from aftersales.service.permissions import PERMISSIONS, Workflow, check_role
from aftersales.service.runner import CommandRunner, TicketHook
from aftersales.service.scope import ticket_readable_as

__all__ = [
    "MIN_UNITS",
    "QualityIncidentDesk",
    "complaints_first",
    "count_unit",
    "detect_in_batch",
    "detect_on_fault",
    "engineer_of",
    "first_recorded",
    "tickets_of_batch",
]

_DETECTOR = ActorRef("quality-detector", Role.SYSTEM)
_SEE_ALL = frozenset(
    {Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR, Role.SYSTEM}
)


def _roles(command: str) -> frozenset[Role]:
    return PERMISSIONS[Workflow.DOCUMENTS][command]


def engineer_of(ticket: Ticket) -> str | None:
    """The engineer ``ticket`` is assigned to (``None``: a dealer, a team or nobody): an incident keeps it."""
    assignee = ticket.assignee
    return assignee.id if assignee is not None and assignee.kind is AssigneeKind.ENGINEER else None


def _join(incident: QualityIncident, ticket: Ticket, unit: BatchFaultUnit) -> bool:
    return incident.add_unit(unit, ticket.region, ticket.dealer_id, engineer_of(ticket))


def detect_on_fault(context: DeskContext, on_incident: IncidentComplaints | None = None) -> TicketHook:
    """The hook: count each fault record's unit; raise the batch's incident when it crosses the threshold.

    ``on_incident`` hears of the tickets of an incident raised now, and of a ticket joining one (seed 004
    第七条 5(2): the complaints about them are major), in the same transaction."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        params = context.policies.complaint.params
        dimension = params.batch_dimension
        messages: list[OutboxMessage] = []
        values: list[str] = []
        for event in events:
            if event.action != "record_fault":
                continue
            cause = event.payload.get("cause")
            if isinstance(cause, str) and not params.counts_cause(cause):
                continue  # the user's or an outside cause: no quality problem of the batch (第七条 5(2))
            value = event.payload.get(dimension)
            if isinstance(value, str) and value:
                values.append(value)
        if values:
            read_ahead(uow, _fault_reads(ticket, dimension, values))
        for value in values:
            _follow_up(uow, ticket, dimension, value, now)
            if ticket.asset_id is not None and ticket.batch is not None:
                messages += count_unit(context, uow, ticket, dimension, value, now, on_incident)
        return messages

    return reacting_to(hook, actions=("record_fault",))


def _fault_reads(ticket: Ticket, dimension: str, values: Sequence[str]) -> ReadAhead:
    """What counting ``ticket``'s fault records of ``values`` reads: the follow-up watches, the unit
    locked (:func:`in_service`), the batch's tallies and the unit's documents (found absent, a unit's
    insert may go with the commit). Named ahead they are one round trip (were four, issue 21)."""
    watches = tuple((FollowUpWatch, follow_up_key(ticket.product_id, dimension, v)) for v in values)
    if ticket.asset_id is None or ticket.batch is None:
        return ReadAhead(documents=watches)
    keys = [key for v in values for key in key_ids(ticket.batch, dimension, v, ticket.product_id)]
    counted = tuple(
        (cls, id)
        for key in keys
        for cls, id in ((BatchFaultTally, key), (BatchFaultUnit, unit_id(key, ticket.asset_id)))
    )
    return ReadAhead(documents=(*watches, *counted), locked=(("assets", ticket.asset_id),))


def _follow_up(uow: UnitOfWork, ticket: Ticket, dimension: str, value: str, now: datetime) -> None:
    """Record the fault against each closed incident of its kind on the ticket's product (any batch):
    the follow-up feedback of the PDCA loop (seed 002: 再跟踪相关项及目标, 对后续的反馈信息再进行…分析).
    One read by id when nothing was closed (the common case)."""
    try:
        watch = uow.documents.get(FollowUpWatch, follow_up_key(ticket.product_id, dimension, value))
    except NotFound:
        return
    payload = {"ticket_id": ticket.id, dimension: value}
    if ticket.asset_id is not None:
        payload["asset_id"] = ticket.asset_id
    if ticket.batch is not None:
        payload["batch"] = ticket.batch
    for incident_id in watch.incident_ids:
        incident = uow.documents.get(QualityIncident, incident_id)
        if incident.state is IncidentState.CLOSED:
            incident.record("recurred", _DETECTOR, now, payload=payload)
            uow.documents.save(incident)


def _watch(uow: UnitOfWork, incident: QualityIncident) -> None:
    """Watch for the closed ``incident``'s problem on its product from now on (:class:`FollowUpWatch`)."""
    key = follow_up_key(incident.product_id, incident.dimension, incident.value)
    try:
        watch = uow.documents.get(FollowUpWatch, key)
    except NotFound:
        uow.documents.add(FollowUpWatch(key, [incident.id]))
        return
    if incident.id not in watch.incident_ids:
        watch.incident_ids.append(incident.id)
        uow.documents.save(watch)


def count_unit(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    dimension: str,
    value: str,
    now: datetime,
    on_incident: IncidentComplaints | None = None,
    *,
    at: datetime | None = None,
) -> list[OutboxMessage]:
    """Count ``ticket``'s unit for the problem ``value``: the detector's one step (the hook's, and the
    back-fill's of an older store's faults, :mod:`aftersales.service.batch_tally_backfill`). ``at`` is
    when the fault was recorded (the unit's time; ``now`` by default); an incident raised is raised and
    escalated ``now``. A fault reported before the unit's installation was completed is not counted
    (:func:`~aftersales.service.complaint_incident_facts.in_service`). Returns the messages to put in
    the outbox."""
    if not in_service(uow, ticket, lock=True):  # locked: a completion date corrected meanwhile is seen
        return []  # reported before the unit's installation was completed (第七条 5(2): 工程完工后出现的)
    batch, asset_id = ticket.batch or "", ticket.asset_id or ""
    at = now if at is None else at
    # Three statements per record, each of a constant size: the tally (a count and the last unit,
    # not the list of units, so its size does not grow with the batch), the unit (linked to the one
    # counted before it: the units are found by id when the incident is raised), the tally again.
    # The tally is the product's batch's, or an older store's of the batch code (batch_keys).
    key, tally = found_tally(uow, batch, dimension, value, ticket.product_id)
    chained = tally is not None and tally.incident_id is None
    previous = tally.last if tally is not None and chained else None
    unit = BatchFaultUnit(unit_id(key, asset_id), key, asset_id, ticket.id, ticket.customer_id, at, previous)
    recounted = False
    try:
        uow.documents.add(unit)  # one statement: the unit is new, or it was counted already
    except DuplicateError:
        stored = uow.documents.get(BatchFaultUnit, unit.id)
        if not stored.withdrawn or tally is None:
            # Counted already: nothing changes but this ticket's complaints.
            if on_incident is None or tally is None or tally.incident_id is None:
                return []
            return on_incident(uow, uow.documents.get(QualityIncident, tally.incident_id), [ticket.id], now)
        # Withdrawn with its cancelled ticket: this call shows the problem, so the unit counts again, on
        # this ticket, where it stands in the chain.
        stored.ticket_id, stored.customer_id = ticket.id, ticket.customer_id
        stored.recorded_at, stored.withdrawn = at, False
        uow.documents.save(stored)
        unit, recounted = stored, True
    params = context.policies.complaint.params
    if tally is None:
        tally = BatchFaultTally(key, 1, last=asset_id)
        uow.documents.add(tally)
        if params.batch_min_units > 1:
            return []  # one unit cannot be an incident: the batch's size is read when one can be
        tally = uow.documents.get(BatchFaultTally, key)  # a pack counting single units judges it now
    elif tally.incident_id is not None:  # raised already: the incident counts its units from now on
        # The unit's own document records when and on which ticket it was counted
        # (``desk.quality_incidents.units``): the incident's history keeps the workflow's steps, so
        # its size does not grow with every unit's event.
        joined = uow.documents.get(QualityIncident, tally.incident_id)
        if _join(joined, ticket, unit):
            uow.documents.save(joined)
        return [] if on_incident is None else on_incident(uow, joined, [ticket.id], now)
    else:
        tally.units += 1
        if not recounted:  # a unit counted again is in the chain already
            tally.last = asset_id
    known = tally.batch_size >= tally.units
    if known and not batch_threshold_reached(tally.units, tally.batch_size, params):
        uow.documents.save(tally)
        return []  # the common case: three statements, no scan
    if tally.units < params.batch_min_units:
        uow.documents.save(tally)
        return []  # fewer units than the pack's minimum: their problem, whatever share of a small batch
    # Crossing (or units beyond the size first seen): judge again on the batch as registered now.
    tally.batch_size = batch_size(uow, key)
    found = _counted(uow, tally, unit)
    if len(_live(found)) < tally.units:  # a tally written before it linked its units: count again
        found = _all_units(uow, tally, batch, value, params, found)
        tally.members, tally.last, tally.units = list(found), None, len(_live(found))
    units = list(found.values())
    if on_incident is not None:
        complaints_first(uow, (u.ticket_id for u in units if not u.withdrawn))
    incident, messages = _judge(context, uow, tally, units, tally.batch_size, ticket, now)
    if incident is None:
        uow.documents.save(tally)
    elif on_incident is not None:
        messages += on_incident(uow, incident, incident.ticket_ids, now)
    return messages


def _judge(
    context: DeskContext,
    uow: UnitOfWork,
    tally: BatchFaultTally,
    units: Sequence[BatchFaultUnit],
    size: int,
    ticket: Ticket | None,
    now: datetime,
) -> tuple[QualityIncident | None, list[OutboxMessage]]:
    """Apply the one rule to ``units`` of ``size``; raise, link and escalate the incident if it holds."""
    batch, dimension, value, keyed_product = split_key(tally.id)
    # A cancelled call is no fault evidence (seed 002 分类统计; the reports' fault_evidence): a unit
    # withdrawn with its ticket, or counted on a ticket cancelled since (a store of an earlier release),
    # is not counted towards the incident. One read by id per unit, at the crossing only.
    evidence: dict[str, Ticket] = {}
    for counted in units:
        if counted.withdrawn:
            continue
        other = ticket if ticket is not None and counted.ticket_id == ticket.id else None
        other = other or uow.tickets.get(counted.ticket_id)
        if is_fault_evidence(other):
            evidence[counted.ticket_id] = other
    units = [u for u in units if u.ticket_id in evidence and not u.withdrawn]
    if size < len(units):
        return None, []  # units outside the registered batch: its size is unknown, nothing to decide on
    params = context.policies.complaint.params
    keyed = ProductId(keyed_product) if keyed_product is not None else None
    product_id = keyed or (ticket.product_id if ticket is not None else None)
    decision = judge_batch(batch, value, len(units), size, params, product_id)
    if decision.outcome is None:
        return None, []
    incident = QualityIncident(
        id=new_id(context.ids, uow, "quality_incident", now),
        key=tally.id,
        product_id=product_id,
        batch=batch,
        dimension=dimension,
        value=value,
        batch_size=size,
        threshold_percent=params.batch_threshold_percent,
        detected_at=now,
    )
    reason = decision.reasons[-1]
    incident.record("detect", _DETECTOR, now, payload={"affected": str(len(units)), "batch_size": str(size)})
    for counted in sorted(units, key=lambda u: (u.recorded_at, u.id)):
        other = evidence[counted.ticket_id]
        incident.product_id = incident.product_id or other.product_id
        _join(incident, other, counted)
    # Who hears of it at once is the pack's escalation table (seed 004: the centre and the general
    # manager; seed 001: the after-sales manager decides major issues).
    escalation = context.policies.escalation.decide(EscalationFacts(EscalationTrigger.BATCH_INCIDENT, reason))
    # A batch incident has no customer: its notice names the product, the batch and the units affected.
    values: dict[str, object] = {
        "incident_id": incident.id,
        "product": incident.product_id or NOT_SET,
        "batch": batch,
        "affected": len(units),
        "batch_size": size,
        "reason": reason,
        "escalated_at": now,
    }
    # Up a level when the roles named reach nobody; the roles reached are kept (escalation_reach).
    reach = reach_up(
        context.notifications,
        "batch_incident_escalated",
        escalation.outcome.to,
        values,
        f"{incident.id}:detected",
        now,
    )
    incident.escalated_to = [r.value for r in reach.to]
    incident.escalation_reached = [r.value for r in reach.reached]
    incident.record(
        "escalate",
        _DETECTOR,
        now,
        payload={"to": ",".join(incident.escalated_to), "reached": ",".join(incident.escalation_reached)},
    )
    uow.documents.add(incident)
    tally.incident_id = incident.id
    tally.members, tally.last = [], None  # the incident holds the units from now on
    uow.documents.save(tally)
    return incident, list(reach.messages)


def detect_in_batch(
    context: DeskContext,
    uow: UnitOfWork,
    batch: str,
    value: str,
    size: int | None,
    now: datetime,
    on_incident: IncidentComplaints | None = None,
    *,
    product_id: str | None = None,
) -> QualityIncident | None:
    """Run the detector over a batch's stored fault records (what a fault report found), in ``uow``.

    Units recorded before the hook counted them (imported history, an older store) are counted now;
    ``size`` is the batch's production figure when the maker knows it, else the registered units.
    ``product_id`` is the product whose batch it is (the fault report's row): only its units count
    (:mod:`~aftersales.service.batch_keys`). Returns the incident raised now, or ``None`` (already
    raised, or the rule does not hold).
    """
    dimension = context.policies.complaint.params.batch_dimension
    key = tally_key(uow, batch, dimension, value, product_id)
    try:
        tally = uow.documents.get(BatchFaultTally, key)
    except NotFound:
        tally = BatchFaultTally(key, 0)
        uow.documents.add(tally)
    if tally.incident_id is not None:
        return None
    counted = _all_units(uow, tally, batch, value, context.policies.complaint.params)
    registered = batch_size(uow, key)
    tally.units = len(_live(counted))
    tally.members, tally.last = list(counted), None
    tally.batch_size = size if size is not None else registered
    if on_incident is not None:
        complaints_first(uow, (u.ticket_id for u in counted.values() if not u.withdrawn))
    uow.documents.save(tally)
    incident, messages = _judge(context, uow, tally, list(counted.values()), tally.batch_size, None, now)
    if incident is not None and on_incident is not None:
        messages += on_incident(uow, incident, incident.ticket_ids, now)
    uow.outbox.put(messages)
    return incident


def complaints_first(uow: UnitOfWork, ticket_ids: Iterable[str]) -> None:
    """Lock the complaints about ``ticket_ids`` (those an incident raised on them classifies), in id
    order, before the batch's tally and the incident's number are written: the order a complaint's own
    command takes them (the complaint, then the tally: ``link_tickets``). Taken after the tally, a fault
    record raising the incident deadlocked on PostgreSQL with a complaint linking a ticket of the batch.
    A write counting several units (the back-fill's page) calls it once, before its first tally."""
    wanted = {
        link.complaint_id
        for ticket_id in dict.fromkeys(ticket_ids)
        for link in uow.documents.query(ComplaintLink, ticket_id=ticket_id)
    }
    for complaint_id in sorted(wanted):
        with contextlib.suppress(NotFound):  # erased with its customer: nothing to classify
            uow.tickets.get_for_update(complaint_id)


def _counted(
    uow: UnitOfWork, tally: BatchFaultTally, newest: BatchFaultUnit | None = None
) -> dict[str, BatchFaultUnit]:
    """The units the tally counted: its listed members, then the chain from its last unit back
    (``newest``, just written, saves a read), each read by id."""
    key = tally.id
    counted = {m: uow.documents.get(BatchFaultUnit, f"{key}|{m}") for m in tally.members}
    at = tally.last
    while at is not None and at not in counted:
        unit = newest if newest is not None and newest.asset_id == at else None
        unit = unit or uow.documents.get(BatchFaultUnit, f"{key}|{at}")
        counted[at] = unit
        at = unit.previous
    return counted


def first_recorded(params: ComplaintParams, ticket: Ticket) -> dict[str, datetime]:
    """Each problem of ``ticket``'s fault records the detector counts (its value of the pack's
    ``batch_dimension``, of a cause the pack does not exclude: 第七条 5(2) design or production faults),
    with when it was first recorded, in that order. The one reading of a call's faults that the recount,
    the back-fill of an older store and a cancellation's take-back share with the live hook."""
    dimension = params.batch_dimension
    first: dict[str, datetime] = {}
    for record in sorted(ticket.fault_records, key=lambda r: r.recorded_at):
        value = getattr(record, dimension, None)
        if isinstance(value, str) and value and params.counts_cause(record.cause):
            first.setdefault(value, record.recorded_at)
    return first


def _all_units(
    uow: UnitOfWork,
    tally: BatchFaultTally,
    batch: str,
    value: str,
    params: ComplaintParams,
    counted: dict[str, BatchFaultUnit] | None = None,
) -> dict[str, BatchFaultUnit]:
    """Every unit of the batch with the problem: those counted, and any unit of the batch's stored
    fault records not counted yet (imported history; a tally of a store that kept no list of units)."""
    key = tally.id
    counted = dict(counted) if counted is not None else _counted(uow, tally)
    for ticket in tickets_of_batch(uow, batch, split_key(key)[3]):
        if ticket.asset_id is None or ticket.asset_id in counted or not is_fault_evidence(ticket):
            continue  # counted already, or a cancelled call (no fault evidence)
        if not in_service(uow, ticket):
            continue  # reported before the unit's installation was completed (第七条 5(2))
        at = first_recorded(params, ticket).get(value)
        if at is not None:
            unit = BatchFaultUnit(
                f"{key}|{ticket.asset_id}", key, ticket.asset_id, ticket.id, ticket.customer_id, at
            )
            try:
                uow.documents.add(unit)
            except DuplicateError:  # counted before the tally listed its members (an older store)
                unit = uow.documents.get(BatchFaultUnit, unit.id)
            counted[unit.asset_id] = unit
    return counted


def _live(units: dict[str, BatchFaultUnit]) -> dict[str, BatchFaultUnit]:
    """``units`` without those withdrawn with their cancelled tickets."""
    return {asset: unit for asset, unit in units.items() if not unit.withdrawn}


def _units_of(uow: UnitOfWork, incident: QualityIncident) -> Sequence[Asset]:
    """The registered units a remedy of ``incident`` reaches: its product's units of the batch (第七条 5(2)
    同一批次的产品); every unit of the batch code for an older store's incident, keyed by the code alone."""
    product_id = split_key(incident.key)[3]
    if product_id is None:
        return uow.assets.list(batch=incident.batch)
    return uow.assets.list(batch=incident.batch, product_id=product_id)


@validated_commands
class QualityIncidentDesk:
    """The quality manager's desk: read incidents in scope, move them along, link tickets, apply remedies."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner
        self.on_incident: IncidentComplaints | None = None
        """The complaint desk's hook: told of a dismissal, it classifies again the complaints the incident
        made major (seed 004 第七条 5(2): a dismissed incident makes nothing major)."""

    # -- reads ----------------------------------------------------------------------------------------

    @staticmethod
    def visible(actor: Actor, incident: QualityIncident) -> bool:
        """Office roles see every incident; dealer staff those touching their region's or dealer's tickets;
        engineers those with a ticket of theirs as recorded when it was counted; customers never (they see
        only their ticket). A first cut without the store: the reads judge an engineer by the tickets it
        may read now (``_sees``), not by this record."""
        if _office_or_dealer(actor, incident):
            return True
        engineer = actor.engineer_id or actor.id
        return actor.has_role(Role.ENGINEER) and engineer in incident.engineer_ids

    def incident(self, actor: Actor, incident_id: str) -> QualityIncident:
        """One incident, or ``NotFound`` if it does not exist or ``actor`` may not see it.

        Dealer staff and engineers read it narrowed to their part (see :meth:`seen_by`)."""
        check_role(actor, "quality_incidents", incident_id, _roles("quality_incidents"))
        with self.context.store() as uow:
            return self.seen_by(uow, actor, self._visible(uow, actor, incident_id))

    @staticmethod
    def seen_by(uow: UnitOfWork, actor: Actor, incident: QualityIncident) -> QualityIncident:
        """``incident`` as ``actor`` may read it: whole for the office; for a dealer's staff or an
        engineer, whose tickets are a part of it, only the tickets they may read, their customers, their
        own dealer, engineer and regions, and the units of those tickets. The problem, the batch, the
        counts (units reached, share) and the workflow stay: what the batch is and how far it reached is
        theirs to know, which other dealers' customers and units it reached is not — the other units are
        counted (:attr:`QualityIncident.units_elsewhere`), not named, and a step naming another
        customer's ticket or unit (a ticket linked, a remedy reaching a unit) keeps its action without
        the id."""
        if actor.has_role(*_SEE_ALL):
            return incident
        readable: list[str] = []
        customers: list[str] = []
        assets: set[str] = set()
        for ticket in _readable(uow, actor, incident.ticket_ids):
            readable.append(ticket.id)
            if ticket.asset_id is not None:
                assets.add(ticket.asset_id)
            if ticket.customer_id not in customers:
                customers.append(ticket.customer_id)
        units = [u for u in incident.unit_ids if u in assets]
        engineer = (actor.engineer_id or actor.id) if actor.has_role(Role.ENGINEER) else None
        # The follow-up faults (``recurred``) name their ticket and unit to whoever may read that ticket.
        named, named_units = set(readable), set(assets)
        followed = {str(event.payload.get("ticket_id", "")) for event in incident.recurrences}
        for ticket in _readable(uow, actor, sorted(followed - set(incident.ticket_ids))):
            named.add(ticket.id)
            if ticket.asset_id is not None:
                named_units.add(ticket.asset_id)
        return attrs.evolve(
            incident,
            unit_ids=units,
            units_elsewhere=incident.affected - len(units),
            events=[_event_seen(e, named, named_units) for e in incident.events],
            ticket_ids=readable,
            customer_ids=customers,
            regions=[r for r in incident.regions if r in actor.regions],
            dealer_ids=[d for d in incident.dealer_ids if d == actor.dealer_id],
            engineer_ids=[e for e in incident.engineer_ids if e == engineer],
        )

    def incidents(
        self, actor: Actor, *, batch: str | None = None, state: IncidentState | str | None = None
    ) -> list[QualityIncident]:
        """The incidents ``actor`` may see (of ``batch``, in ``state``), newest first."""
        check_role(actor, "quality_incidents", batch, _roles("quality_incidents"))
        equals: dict[str, object] = {}
        if batch is not None:
            equals["batch"] = batch
        if state is not None:
            try:
                equals["state"] = IncidentState(state).value
            except ValueError:
                raise ValidationError(f"unknown incident state {state!r}", field="state") from None
        with self.context.store() as uow:
            found = uow.documents.query(QualityIncident, **equals)
            seen = [self.seen_by(uow, actor, i) for i in found if _sees(uow, actor, i)]
        return sorted(seen, key=lambda i: (i.detected_at, i.id), reverse=True)

    def units(self, actor: Actor, incident_id: str) -> list[BatchFaultUnit]:
        """The units the incident counts, in the order they were counted: asset, ticket, customer, when
        (for dealer staff and engineers, those of the tickets they may read; a unit's ``previous`` link
        to a unit they may not read is left out, as :meth:`seen_by` leaves the other units' ids out)."""
        check_role(actor, "quality_incidents", incident_id, _roles("quality_incidents"))
        with self.context.store() as uow:
            incident = self._visible(uow, actor, incident_id)
            units = [uow.documents.get(BatchFaultUnit, f"{incident.key}|{a}") for a in incident.unit_ids]
            if actor.has_role(*_SEE_ALL):
                return units
            mine = set(self.seen_by(uow, actor, incident).ticket_ids)
            theirs = [unit for unit in units if unit.ticket_id in mine]  # their units, not other customers'
            named = {unit.asset_id for unit in theirs}
            # The chain's link may name another dealer's customer's unit (session 36): not theirs to know.
            return [u if u.previous in named else attrs.evolve(u, previous=None) for u in theirs]

    def _visible(self, uow: UnitOfWork, actor: Actor, incident_id: str) -> QualityIncident:
        if not isinstance(incident_id, str) or not incident_id:
            raise ValidationError("an incident id is a non-empty string", field="incident_id")
        incident = uow.documents.get(QualityIncident, incident_id)
        if not _sees(uow, actor, incident):
            raise NotFound("quality_incident", incident_id)
        return incident

    # -- the workflow -----------------------------------------------------------------------------------

    def _step(self, actor: Actor, action: str, incident_id: str, note: str, **fields: str) -> QualityIncident:
        check_role(actor, "quality_incident_step", incident_id, _roles("quality_incident_step"))
        if not isinstance(note, str):
            raise ValidationError("a note is text", field="note")

        def apply(uow: UnitOfWork, now: datetime) -> QualityIncident:
            incident = self._visible(uow, actor, incident_id)
            if action == "close" and incident.target and not note.strip():
                raise ValidationError(
                    f"incident {incident.id} tracks the target {incident.target!r}: closing it needs the "
                    "evidence the target was met",
                    field="note",
                )
            incident.step(action, actor.ref, now, note)
            for name, value in fields.items():
                setattr(incident, name, value)
            uow.documents.save(incident)
            if incident.state is IncidentState.CLOSED:
                _watch(uow, incident)
            if incident.state is IncidentState.DISMISSED and self.on_incident is not None:
                uow.outbox.put(self.on_incident(uow, incident, incident.ticket_ids, now))
            return incident

        return self.runner.write(actor, f"quality_incident:{action}", None, [incident_id, note], apply)

    def confirm(self, actor: Actor, incident_id: str, *, note: str = "") -> QualityIncident:
        """The quality manager confirms the incident is real."""
        return self._step(actor, "confirm", incident_id, note)

    def dismiss(self, actor: Actor, incident_id: str, *, reason: str) -> QualityIncident:
        """Not a quality incident after all (misuse, a coding error…); the reason is required."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("dismissing an incident needs a reason", field="reason")
        return self._step(actor, "dismiss", incident_id, reason)

    def contain(self, actor: Actor, incident_id: str, *, note: str = "") -> QualityIncident:
        """Containment is in place (stock held, shipments stopped)."""
        return self._step(actor, "contain", incident_id, note)

    def record_root_cause(self, actor: Actor, incident_id: str, *, root_cause: str) -> QualityIncident:
        """The root cause found by engineering / quality supervision."""
        if not isinstance(root_cause, str) or not root_cause.strip():
            raise ValidationError("a root cause is required", field="root_cause")
        return self._step(actor, "record_root_cause", incident_id, root_cause, root_cause=root_cause)

    def record_corrective_action(self, actor: Actor, incident_id: str, *, action: str) -> QualityIncident:
        """The corrective action taken in design or production."""
        if not isinstance(action, str) or not action.strip():
            raise ValidationError("a corrective action is required", field="action")
        return self._step(actor, "record_corrective_action", incident_id, action, corrective_action=action)

    def send_to_departments(
        self,
        actor: Actor,
        incident_id: str,
        departments: Iterable[str] | str,
        *,
        target: str,
        note: str = "",
    ) -> QualityIncident:
        """Send the confirmed problem to the departments that rectify it, with the target to track.

        Seed 002 反馈信息的处理: the after-sales department classifies and analyses the feedback, 报送相关部门
        进行整改和完善, 再跟踪相关项及目标. Each department's contacts are notified; the departments and
        the target are kept on the incident, and closing it then needs the evidence the target was met
        (:meth:`close`). Sent again, the departments are added and the target replaced. Refused: an
        incident not confirmed yet, dismissed or closed (``InvalidTransition``); unknown departments
        (``NotFound``); a blank target (``ValidationError`` naming ``target``); nothing changes.
        """
        check_role(actor, "quality_incident_step", incident_id, _roles("quality_incident_step"))
        wanted = department_ids(departments)
        if not isinstance(target, str) or not target.strip() or len(target) > 500:
            raise ValidationError("a target is text of 1–500 characters (目标)", field="target")
        if not isinstance(note, str) or len(note) > 2000:
            raise ValidationError(
                "a note is text of at most 2000 characters",
                field="note",
                rule="too_long" if isinstance(note, str) else "text",
                rule_params={"most": 2000},
            )

        def apply(uow: UnitOfWork, now: datetime) -> QualityIncident:
            incident = self._visible(uow, actor, incident_id)
            if incident.state in (IncidentState.DETECTED, IncidentState.DISMISSED, IncidentState.CLOSED):
                raise InvalidTransition(
                    "quality_incident", incident.state.value, "send_to_departments", record_id=incident.id
                )
            found = [uow.documents.get(Department, d) for d in wanted]  # unknown: NotFound
            incident.record(
                "send_to_departments",
                actor.ref,
                now,
                note,
                {"departments": ",".join(d.id for d in found), "target": target},
            )
            incident.departments += [d.id for d in found if d.id not in incident.departments]
            incident.target = target
            uow.documents.save(incident)
            key = f"{incident.id}:{len(incident.events)}:departments"
            uow.outbox.put(department_notices(self.context, found, incident.id, target, key, now))
            return incident

        return self.runner.write(
            actor, "quality_incident:send_to_departments", None, [incident_id, wanted, target, note], apply
        )

    def close(self, actor: Actor, incident_id: str, *, note: str = "") -> QualityIncident:
        """Close the incident once the corrective action is in place. From then on a fault of the same
        problem on the product, in any batch, is recorded on it as a ``recurred`` event
        (:attr:`QualityIncident.recurrences`): the follow-up feedback that checks the corrective action.

        An incident sent to departments with a target (:meth:`send_to_departments`) closes with the
        evidence the target was met: ``note`` is required then (``ValidationError`` naming ``note``)."""
        return self._step(actor, "close", incident_id, note)

    def link_tickets(self, actor: Actor, incident_id: str, ticket_ids: Iterable[str]) -> QualityIncident:
        """Link tickets of any customers (the batch was sold across the market); unknown ids are not found.

        A ticket about a unit of another batch or product is a ``ValidationError`` naming ``ticket_ids``
        and nothing is linked: the incident is one batch's (seed 004 第七条 5(2): 同一批次的产品), and a
        ticket linked brings its customer, region and dealer into it (who may read it, who hears of it).
        A ticket naming no unit (a call before the unit is known) may be linked on the manager's word.
        A call naming no ticket, or only tickets already linked, links nothing and is refused
        (``ValidationError`` naming ``ticket_ids``, rule ``empty`` or ``already_linked``), nothing written,
        as the complaints' ``link_tickets`` refuses it: a host is told its call did nothing."""
        check_role(actor, "quality_incident_step", incident_id, _roles("quality_incident_step"))
        wanted = [ticket_ids] if isinstance(ticket_ids, str) else list(ticket_ids)
        if not wanted:
            raise ValidationError("link_tickets names at least one ticket", field="ticket_ids", rule="empty")

        def apply(uow: UnitOfWork, now: datetime) -> QualityIncident:
            incident = self._visible(uow, actor, incident_id)
            linked = False
            for ticket_id in wanted:
                ticket = self.runner.visible(uow, actor, ticket_id)
                _of_the_batch(incident, ticket)
                if incident.link(
                    ticket.id, ticket.customer_id, ticket.region, ticket.dealer_id, engineer_of(ticket)
                ):
                    incident.record("link_ticket", actor.ref, now, payload={"ticket_id": ticket.id})
                    linked = True
            if not linked:
                raise ValidationError(
                    "the incident is already linked to every ticket named",
                    field="ticket_ids",
                    rule="already_linked",
                )
            uow.documents.save(incident)
            return incident

        return self.runner.write(actor, "quality_incident:link_tickets", None, [incident_id, wanted], apply)

    def apply_remedy(
        self,
        actor: Actor,
        incident_id: str,
        *,
        kind: IncidentRemedyKind | str,
        extend_by: int | None = None,
        extend_unit: ExtensionUnit = ExtensionUnit.MONTHS,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> QualityIncident:
        """Apply a remedy to every unit of the batch, one event per unit (a warranty extension is also
        recorded on each unit, where warranty decisions find it).

        Applying it again grants it again (another twelve months); with ``idempotency_key`` a retried
        call (a timeout, a double click) returns the incident instead of extending every unit twice."""
        check_role(actor, "quality_incident_remedy", incident_id, _roles("quality_incident_remedy"))
        try:
            chosen = IncidentRemedyKind(kind)
        except ValueError:
            raise ValidationError(f"unknown incident remedy {kind!r}", field="kind") from None
        extension = chosen is IncidentRemedyKind.WARRANTY_EXTENSION
        if extension != (extend_by is not None):
            raise ValidationError(
                "extend_by is given for a warranty extension, and only then", field="extend_by"
            )

        def apply(uow: UnitOfWork, now: datetime) -> QualityIncident:
            incident = self._visible(uow, actor, incident_id)
            if incident.state in (IncidentState.DETECTED, IncidentState.DISMISSED, IncidentState.CLOSED):
                raise ValidationError(
                    f"incident {incident.id} is {incident.state.value}: confirm it before remedies",
                    field="kind",
                )
            seq = len(incident.events)
            for asset in sorted(_units_of(uow, incident), key=lambda a: a.id):
                incident.record(
                    "remedy_applied", actor.ref, now, note, {"kind": chosen.value, "asset_id": asset.id}
                )
                if extension:
                    granted = WarrantyExtension(
                        asset_id=AssetId(asset.id),
                        amount=extend_by,  # type: ignore[arg-type]
                        unit=extend_unit,
                        granted_by=actor.ref,
                        granted_at=now,
                        reason=INCIDENT_REMEDY,
                        source=ExtensionSource.QUALITY_INCIDENT,
                        note=note,
                        incident_id=incident.id,  # the free repairs it makes name the incident
                    )
                    uow.documents.add(
                        GrantedExtension(
                            f"{incident.id}:{seq}:{asset.id}",
                            granted.asset_id,
                            TicketId(incident.id),
                            granted,
                        )
                    )
            uow.documents.save(incident)
            return incident

        return self.runner.write(
            actor,
            "quality_incident:apply_remedy",
            idempotency_key,
            [incident_id, chosen.value, extend_by, extend_unit, note],
            apply,
            remember=lambda incident: incident.id,
            reload=lambda uow, kept: uow.documents.get(QualityIncident, kept),
        )


def _of_the_batch(incident: QualityIncident, ticket: Ticket) -> None:
    """Refuse ``ticket`` when its unit is known to be of another batch or product than ``incident``'s."""
    if not ticket.may_be_of(incident.batch, incident.product_id):
        raise ValidationError(
            f"ticket {ticket.id} is about a unit of {ticket.product_id} batch {ticket.batch}; incident "
            f"{incident.id} is of {incident.product_id} batch {incident.batch}",
            field="ticket_ids",
        )


def _event_seen(event: IncidentEvent, tickets: set[str], units: set[str]) -> IncidentEvent:
    """``event`` without the ticket or unit ids its payload names outside ``tickets`` and ``units``."""
    mine = {"ticket_id": tickets, "asset_id": units}
    kept = {k: v for k, v in event.payload.items() if k not in mine or v in mine[k]}
    return event if len(kept) == len(event.payload) else attrs.evolve(event, payload=kept)


def _readable(uow: UnitOfWork, actor: Actor, ticket_ids: Iterable[str]) -> Iterator[Ticket]:
    """The tickets of ``ticket_ids`` that exist and ``actor`` may read, in the order given."""
    for ticket_id in ticket_ids:
        try:
            ticket = uow.tickets.get(ticket_id)
        except NotFound:
            continue
        # The ticket read's rule, a team-mate's ticket included (scope.ticket_readable_as), in a role the
        # table's ``quality_incidents`` lists: a customer who is also dealer staff reads it as staff.
        if ticket_readable_as(uow, actor, ticket, _roles("quality_incidents")):
            yield ticket


def _office_or_dealer(actor: Actor, incident: QualityIncident) -> bool:
    if actor.has_role(*_SEE_ALL):
        return True
    return actor.has_role(Role.DEALER_STAFF) and (
        any(r in actor.regions for r in incident.regions)
        or (actor.dealer_id is not None and actor.dealer_id in incident.dealer_ids)
    )


def _sees(uow: UnitOfWork, actor: Actor, incident: QualityIncident) -> bool:
    """Whether ``actor`` sees ``incident``: the office and dealer staff as :meth:`QualityIncidentDesk.visible`
    says; an engineer when one of its tickets is readable to it now by the ticket read's rule — a
    team-mate's ticket included, as ``desk.ticket`` reads it (session 28 e). Not by the engineers the
    incident recorded when it counted their tickets (session 29 f): an engineer whose tickets went to
    another team, or who moved team, read the incident (without its tickets) long after it could read none."""
    if _office_or_dealer(actor, incident):
        return True
    if not actor.has_role(Role.ENGINEER):
        return False
    return next(_readable(uow, actor, incident.ticket_ids), None) is not None
