"""Quality incidents (批量质量事故, seed 004 第七条 5(2)): one record per batch and quality problem.

A production batch is sold across the market, so an incident gathers the units, tickets, customers,
regions and dealers of many customers. Its workflow is the quality manager's: detected → confirmed
or dismissed → contained → root cause → corrective action → closed. Every step is an event on the
incident (who, in which role, when, from which state to which); remedies applied to the batch record
one event per unit reached. Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.work import aware
from aftersales.errors import InvalidTransition, ValidationError

__all__ = [
    "INCIDENT_TRANSITIONS",
    "RECURRENCE_WITHDRAWN",
    "BatchFaultTally",
    "BatchFaultUnit",
    "FollowUpWatch",
    "IncidentEvent",
    "IncidentRemedyKind",
    "IncidentState",
    "QualityIncident",
    "follow_up_key",
    "incident_key",
    "split_key",
    "unit_id",
]


class IncidentState(CodedEnum):
    """Where a quality incident stands."""

    DETECTED = "detected"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    CONTAINED = "contained"
    ROOT_CAUSE = "root_cause"
    CORRECTIVE_ACTION = "corrective_action"
    CLOSED = "closed"


S = IncidentState
INCIDENT_TRANSITIONS: dict[str, tuple[frozenset[IncidentState], IncidentState]] = {
    "confirm": (frozenset({S.DETECTED}), S.CONFIRMED),
    "dismiss": (frozenset({S.DETECTED, S.CONFIRMED}), S.DISMISSED),
    "contain": (frozenset({S.CONFIRMED}), S.CONTAINED),
    "record_root_cause": (frozenset({S.CONTAINED}), S.ROOT_CAUSE),
    "record_corrective_action": (frozenset({S.ROOT_CAUSE}), S.CORRECTIVE_ACTION),
    "close": (frozenset({S.CORRECTIVE_ACTION}), S.CLOSED),
}
"""Workflow step → (states it may start from, state it leads to)."""

_OPEN = frozenset(S) - {S.DISMISSED, S.CLOSED}


def incident_key(batch: str, dimension: str, value: str, product_id: str | None = None) -> str:
    """The identity of one quality problem in one batch of one product (``B-7|cause|seal_defect|CT-1``).

    Seed 004 第七条 5(2) 同一批次的产品: a batch is one product's, so two products sharing a batch code
    are two batches (as the fault report groups them). Without ``product_id``: the key an older store
    counted the batch code under, whatever the product (``B-7|cause|seal_defect``), still read where it
    exists."""
    if product_id is None:
        return f"{batch}|{dimension}|{value}"
    return f"{batch}|{dimension}|{value}|{product_id}"


def split_key(key: str) -> tuple[str, str, str, str | None]:
    """``(batch, dimension, value, product_id)`` of an :func:`incident_key` (``None``: an older store's key
    of the batch code alone). The problem's value is a code and holds no ``|``."""
    batch, dimension, rest = key.split("|", 2)
    value, _, product_id = rest.partition("|")
    return batch, dimension, value, product_id or None


def unit_id(key: str, asset_id: str) -> str:
    """The identity of one unit counted for the problem ``key`` (its :class:`BatchFaultUnit`)."""
    return f"{key}|{asset_id}"


RECURRENCE_WITHDRAWN = "recurrence_withdrawn"
"""The incident event saying a call whose fault recurred after the close was cancelled since."""


def follow_up_key(product_id: str | None, dimension: str, value: str) -> str:
    """The identity of one kind of problem on one product, whatever the batch (``P-1|cause|seal``)."""
    return f"{product_id or '*'}|{dimension}|{value}"


@attrs.frozen
class IncidentEvent:
    """One entry of an incident's history."""

    seq: int
    action: str
    actor: ActorRef
    at: datetime = attrs.field(validator=aware)
    from_state: str
    to_state: str
    note: str = ""
    payload: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class BatchFaultUnit:
    """A unit counted once for a batch's quality problem (the detector's index: one per unit and key)."""

    DOCUMENT_KIND: ClassVar[str] = "batch_fault_unit"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    """Found by id (``key|asset``) only: the tally links its units, so no index row is written per unit."""

    id: str
    key: str
    asset_id: str
    ticket_id: str
    customer_id: str
    recorded_at: datetime = attrs.field(validator=aware)
    previous: str | None = None
    """The unit (asset id) counted before this one for the same key: the chain the tally's ``last``
    starts, read when the incident is raised."""
    version: int = 0
    withdrawn: bool = False
    """The ticket it was counted on was cancelled and no other call shows the problem on the unit: it
    counts no more (a cancelled call is no fault evidence), and stays in the chain so that a later fault
    record on the unit counts it again."""


@attrs.define
class BatchFaultTally:
    """Distinct units counted for one key until its incident is raised, the batch size last seen, and
    the incident once raised (which counts the units from then on)."""

    DOCUMENT_KIND: ClassVar[str] = "batch_fault_tally"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    units: int = 0
    batch_size: int = 0
    incident_id: str | None = None
    members: list[str] = attrs.field(factory=list)
    """Units (asset ids) listed by a recount (``detect_in_batch``, an older store); the units the
    detector counts one by one are chained from ``last`` instead, so the tally stays small."""
    last: str | None = None
    """The unit counted last while no incident is raised (see :attr:`BatchFaultUnit.previous`)."""
    version: int = 0


@attrs.define
class QualityIncident:
    """A batch quality incident: the problem, the units it reached and what was done about it."""

    DOCUMENT_KIND: ClassVar[str] = "quality_incident"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("key", "batch", "state")

    id: str
    key: str
    product_id: str | None
    batch: str
    dimension: str
    value: str
    batch_size: int
    threshold_percent: Decimal
    detected_at: datetime = attrs.field(validator=aware)
    state: IncidentState = IncidentState.DETECTED
    unit_ids: list[str] = attrs.field(factory=list)
    ticket_ids: list[str] = attrs.field(factory=list)
    customer_ids: list[str] = attrs.field(factory=list)
    regions: list[str] = attrs.field(factory=list)
    dealer_ids: list[str] = attrs.field(factory=list)
    engineer_ids: list[str] = attrs.field(factory=list)
    escalated_to: list[str] = attrs.field(factory=list)
    escalation_reached: list[str] | None = None
    """The roles of ``escalated_to`` whose staff were told; ``[]`` when no one was (no contact for the
    roles named nor a level above: the office must see that nobody heard of it); ``None`` on an incident
    raised before this was kept."""
    root_cause: str = ""
    corrective_action: str = ""
    events: list[IncidentEvent] = attrs.field(factory=list)
    version: int = 0
    departments: list[str] = attrs.field(factory=list)
    """The departments the problem was sent to for rectification (seed 002: 报送相关部门进行整改和完善)."""
    target: str = ""
    """What the rectification must achieve, tracked until the incident closes (再跟踪相关项及目标); once
    set, closing needs the evidence it was met."""
    units_elsewhere: int = 0
    """Units counted that this copy does not name: 0 as stored; in the part a dealer's staff or an
    engineer reads, the other customers' units (how far the batch reached is theirs to know, whose
    units it reached is not)."""

    @property
    def affected(self) -> int:
        """Distinct units of the batch showing the problem (named or not in this copy)."""
        return len(self.unit_ids) + self.units_elsewhere

    @property
    def unreached(self) -> bool:
        """Its escalation reached nobody (seed 004: the centre and the general manager hear at once)."""
        return self.escalation_reached == []

    @property
    def recurrences(self) -> list[IncidentEvent]:
        """The faults of the same kind on the product recorded after the incident closed (``recurred``
        events: the ticket, unit and batch in the payload) — the follow-up feedback of the PDCA loop —
        but those of a call cancelled since (a ``recurrence_withdrawn`` event naming its ticket): a call
        logged by mistake or withdrawn is no evidence the problem came back."""
        withdrawn = {
            (e.payload.get("ticket_id"), e.seq) for e in self.events if e.action == RECURRENCE_WITHDRAWN
        }
        return [
            e
            for e in self.events
            if e.action == "recurred"
            and not any(t == e.payload.get("ticket_id") and seq > e.seq for t, seq in withdrawn)
        ]

    @property
    def is_open(self) -> bool:
        """Not yet closed or dismissed."""
        return self.state in _OPEN

    def record(
        self,
        action: str,
        actor: ActorRef,
        at: datetime,
        note: str = "",
        payload: dict[str, str] | None = None,
    ) -> IncidentEvent:
        """Append an event that does not move the state (a unit joined, a remedy reached a unit)."""
        event = IncidentEvent(
            len(self.events) + 1,
            action,
            actor,
            at,
            self.state.value,
            self.state.value,
            note,
            dict(payload or {}),
        )
        self.events.append(event)
        return event

    def step(self, action: str, actor: ActorRef, at: datetime, note: str = "") -> IncidentEvent:
        """Move along the workflow; a step not allowed from the current state is ``InvalidTransition``."""
        spec = INCIDENT_TRANSITIONS.get(action)
        if spec is None:
            raise ValidationError(f"unknown quality-incident step {action!r}", field="action")
        sources, target = spec
        if self.state not in sources:
            raise InvalidTransition("quality_incident", self.state.value, action, record_id=self.id)
        if len(note) > 2000:
            raise ValidationError(
                "a note has at most 2000 characters",
                field="note",
                rule="too_long",
                rule_params={"most": 2000},
            )
        before = self.state
        self.state = target
        event = IncidentEvent(len(self.events) + 1, action, actor, at, before.value, target.value, note)
        self.events.append(event)
        return event

    def add_unit(
        self, unit: BatchFaultUnit, region: str | None, dealer_id: str | None, engineer: str | None
    ) -> bool:
        """Count ``unit`` (its ticket, customer, region, dealer); ``False`` if it was counted already."""
        if unit.asset_id in self.unit_ids:
            return False
        self.unit_ids.append(unit.asset_id)
        self.link(unit.ticket_id, unit.customer_id, region, dealer_id, engineer)
        return True

    def link(
        self,
        ticket_id: str,
        customer_id: str,
        region: str | None,
        dealer_id: str | None,
        engineer: str | None,
    ) -> bool:
        """Link a ticket of any customer; ``False`` if it was linked already."""
        for values, value in (
            (self.customer_ids, customer_id),
            (self.regions, region),
            (self.dealer_ids, dealer_id),
            (self.engineer_ids, engineer),
        ):
            if value is not None and value not in values:
                values.append(value)
        if ticket_id in self.ticket_ids:
            return False
        self.ticket_ids.append(ticket_id)
        return True


@attrs.define
class FollowUpWatch:
    """The closed incidents of one kind of problem on one product (:func:`follow_up_key`): a later fault
    of that kind, in any batch, is recorded against each as follow-up feedback.

    Seed 002 反馈信息的处理: 报送相关部门进行整改和完善, 再跟踪相关项及目标,
    对后续的反馈信息再进行…分类统计和分析. Once the corrective action is in and the incident closed,
    the same problem coming back (in the batch, or in a batch made after the fix) is the check of the
    PDCA loop. One small document read by id per fault record, so the detector's cost does not grow
    with the incidents closed."""

    DOCUMENT_KIND: ClassVar[str] = "quality_follow_up"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    incident_ids: list[str] = attrs.field(factory=list)
    version: int = 0


class IncidentRemedyKind(CodedEnum):
    """What is done for every unit of an incident's batch (召回, 免费更换, 延长保修)."""

    RECALL = "recall"
    FREE_REPLACEMENT = "free_replacement"
    WARRANTY_EXTENSION = "warranty_extension"
