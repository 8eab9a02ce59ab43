"""Product feedback by phase (seed 002, 售后服务质量反馈系统的建设 — 一、产品的信息反馈).

"对于出厂后的产品,分为开箱期、保修期内、保修期外三个阶段来进行相关的信息反馈" and "对于反馈的信息,售后服务部
进行相关的分类统计和分析": the problems found on units in a period, counted by the phase the unit was in
at the call — out of box (written report at once), in warranty, out of warranty (the repair record) —
with the feedback each phase owes: its fault records (故障描述→故障原因→处理措施), the written reports
an out-of-box problem or a design hazard (设计隐患, 按第一阶段的方式处理) needs, and those still missing.

The phase is the warranty policy's, judged at the ticket's received-at instant, as the charge decision
and the written-report rule judge it (:func:`phase_at_call`). Computed from the tickets; nothing is
copied. Read like the dealer archive: the office and auditors every dealer's (or one dealer's), dealer
staff their own dealer's only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import attrs

from aftersales.domain.classification import Category
from aftersales.domain.contact import zone
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.attachments import written_report_missing
from aftersales.policies.chargeability import design_hazard_causes
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.call_month import late_calls
from aftersales.service.context import DeskContext
from aftersales.service.permissions import ARCHIVE_ROLES, check_role
from aftersales.service.scope import party_visible, sees_every

__all__ = ["PHASES", "PhaseCount", "PhaseFeedback", "phase_at_call", "phase_feedback"]

PHASES = (*(p.value for p in WarrantyPhase), "unknown")
"""The phases counted, in the seed's order; ``unknown`` when no unit is named or its phase cannot be
judged (no warranty terms, no start date recorded)."""

_PAGE = 500


def phase_at_call(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    units: dict[str, tuple[Asset, Product] | None] | None = None,
) -> WarrantyPhase | None:
    """The phase of ``ticket``'s unit when the call came in, by the desk's warranty policy; ``None``
    when the ticket names no unit, the desk has no warranty policy or the phase cannot be judged.
    ``units`` keeps the units (and their products) read so far, for a read over many tickets."""
    warranty = context.policies.warranty
    if ticket.asset_id is None or warranty is None:
        return None
    if units is None or ticket.asset_id not in units:
        try:
            asset = uow.assets.get(ticket.asset_id)
            found: tuple[Asset, Product] | None = (asset, uow.products.get(asset.product_id))
        except NotFound:
            found = None
        if units is not None:
            units[ticket.asset_id] = found
    else:
        found = units[ticket.asset_id]
    if found is None:
        return None
    try:
        phase = warranty.decide(found[0], found[1], ticket.received_at).outcome.phase
    except PolicyError:
        return None
    return WarrantyPhase(phase)


@attrs.frozen
class PhaseCount:
    """The problems found on units of one phase (``phase`` one of :data:`PHASES`)."""

    phase: str
    problems: int = 0
    """Tickets on which a problem was found: repair calls, and any other ticket with a fault record."""
    fault_recorded: int = 0
    """Of those, the ones whose fault record (symptom, cause, action) is in."""
    design_hazards: int = 0
    """Of those, the ones a fault record traces to a design hazard (设计隐患)."""
    reports_due: int = 0
    """Of those, the ones that owe a written report (书面报告): out of box, or a design hazard."""
    reports_missing: int = 0
    """Of the reports due, the ones not attached yet (by the service side)."""
    symptoms: tuple[tuple[str, int], ...] = ()
    """Tickets per symptom (a ticket counts once per symptom), most frequent first."""


@attrs.frozen
class PhaseFeedback:
    """The problems of tickets received from ``start`` to ``end`` (exclusive, the desk's local days), by
    phase in :data:`PHASES` order; ``dealer_id`` is the one dealer read, ``None`` for every dealer."""

    start: date
    end: date
    dealer_id: str | None
    phases: tuple[PhaseCount, ...]

    def of(self, phase: WarrantyPhase | str) -> PhaseCount:
        """The count of ``phase`` (a :class:`WarrantyPhase` or ``unknown``)."""
        wanted = str(phase.value if isinstance(phase, WarrantyPhase) else phase)
        for count in self.phases:
            if count.phase == wanted:
                return count
        raise ValidationError(f"phase is one of {', '.join(PHASES)}, got {phase!r}", field="phase")


class _Tally:
    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.counts = dict.fromkeys(
            ("problems", "fault_recorded", "design_hazards", "reports_due", "reports_missing"), 0
        )
        self.symptoms: dict[str, int] = {}

    def add(self, ticket: Ticket, hazard: bool) -> None:
        c = self.counts
        c["problems"] += 1
        c["fault_recorded"] += any(r.symptom and r.cause and r.action for r in ticket.fault_records)
        c["design_hazards"] += hazard
        if hazard or self.phase == WarrantyPhase.OUT_OF_BOX.value:
            c["reports_due"] += 1
            c["reports_missing"] += written_report_missing(ticket.attachments)
        for symptom in {r.symptom for r in ticket.fault_records}:
            self.symptoms[symptom] = self.symptoms.get(symptom, 0) + 1

    def count(self) -> PhaseCount:
        symptoms = tuple(sorted(self.symptoms.items(), key=lambda kv: (-kv[1], kv[0])))
        return PhaseCount(self.phase, symptoms=symptoms, **self.counts)


def _problem_found(ticket: Ticket) -> bool:
    """A repair call reports a problem; any other ticket once a fault record says one was found (the
    written-report rule's reading of 在发现问题时). Complaints are counted as complaints, not here; a
    cancelled call (called off, registered in error, a duplicate, cancelled by an erasure) found no
    problem, as it is no fault evidence in the fault statistics (``ports.reporting.fault_evidence``)."""
    if ticket.category == Category.COMPLAINT or ticket.state == TicketState.CANCELLED:
        return False
    return ticket.category == Category.REPAIR or bool(ticket.fault_records)


def _tickets(uow: UnitOfWork, filters: TicketFilter) -> Iterator[Ticket]:
    cursor: str | None = None
    while True:
        page = uow.tickets.query(filters, PageRequest(_PAGE, cursor, Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _found(uow: UnitOfWork, ids: frozenset[str]) -> Iterator[Ticket]:
    for ticket_id in sorted(ids):
        try:
            yield uow.tickets.get(ticket_id)
        except NotFound:  # a note whose ticket is gone: nothing to count
            continue


def phase_feedback(
    context: DeskContext,
    actor: Actor,
    *,
    start: date,
    end: date,
    dealer_id: str | None = None,
    registered_in: str | None = None,
) -> PhaseFeedback:
    """The product feedback of ``[start, end)`` by phase; see :meth:`ArchiveDesk.phase_feedback`.

    ``registered_in``: the month ``[start, end)`` is, read for its feedback to the general manager (seed
    004 第五条 1(6)): a call received in it but entered after its feedback went out is left to the month
    it was registered in, and one received earlier and registered in it is counted
    (:mod:`aftersales.service.call_month`). Without it, calls count by their received date (seed 002's
    report over any period)."""
    allowed = ARCHIVE_ROLES["phase_feedback"]
    check_role(actor, "phase_feedback", dealer_id, allowed)
    if dealer_id is not None and (not isinstance(dealer_id, str) or not dealer_id):
        raise ValidationError("dealer_id is a dealer's id, or None for every dealer", field="dealer_id")
    if not sees_every(actor, allowed) and (
        dealer_id is None or not party_visible(actor, dealer_id=dealer_id, allowed=allowed)
    ):  # dealer staff read their own dealer's feedback, named
        raise PermissionDenied(str(actor), "phase_feedback", dealer_id or "every dealer")
    if not isinstance(start, date) or not isinstance(end, date) or isinstance(start, datetime):
        raise ValidationError("start and end are dates", field="start")
    if isinstance(end, datetime) or end <= start:
        raise ValidationError("end is a date after start", field="end")
    local = zone(context.timezone)
    window = TicketFilter(
        dealer_id=dealer_id,
        received_from=datetime.combine(start, time(), local),
        received_to=datetime.combine(end, time(), local),
    )
    tallies = {phase: _Tally(phase) for phase in PHASES}
    hazards = design_hazard_causes(context.policies.chargeability)
    units: dict[str, tuple[Asset, Product] | None] = {}
    with context.store() as uow:
        if dealer_id is not None:
            uow.dealers.get(dealer_id)
        into: frozenset[str] = frozenset()
        out: frozenset[str] = frozenset()
        if registered_in is not None:
            into, out = late_calls(uow, registered_in)
        late = [t for t in _found(uow, into) if dealer_id in (None, t.dealer_id)]
        for ticket in (*sorted(late, key=lambda t: (t.received_at, t.id)), *_tickets(uow, window)):
            if ticket.id in out or not _problem_found(ticket):
                continue
            phase = phase_at_call(context, uow, ticket, units)
            hazard = any(r.cause in hazards for r in ticket.fault_records)
            tallies[phase.value if phase is not None else "unknown"].add(ticket, hazard)
    return PhaseFeedback(start, end, dealer_id, tuple(tallies[p].count() for p in PHASES))
