"""A complaint's own record (《客户投诉登记及处理跟踪表》): class, crisis facts, remedies, escalations.

The complaint itself is a :class:`~aftersales.domain.ticket.Ticket` of kind complaint (its workflow, its
event log, its SLA). What only complaints have lives here, in one document keyed by the ticket id:
severity and its reasons (seed 004 第七条 4–5), the crisis facts the severity was decided from, the batch
quality incident it belongs to, the service tickets it is about, the remedies granted with their cost
(seed 002: 延长免费售后服务期, 无偿更换附件, 增加维护保养), the escalations with their own due time, the
general manager's referral and decision, and the review (root cause and improvement, seed 000 总结改进).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import AssetId, CustomerId, ProductId, TicketId
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.money import Money
from aftersales.domain.part_numbers import part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.text import bounded, code, optional_bounded, required_text
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.warranty_records import ExtensionSource, WarrantyExtension
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import ValidationError

__all__ = [
    "INCIDENT_REMEDY",
    "BatchIncident",
    "ComplaintFile",
    "ComplaintSeverity",
    "ComplaintSubject",
    "CrisisFacts",
    "CrisisProblem",
    "EscalationRecord",
    "GeneralManagerReferral",
    "GrantedExtension",
    "HandlerJudgement",
    "Recourse",
    "Remedy",
    "RemedyKind",
    "Review",
    "escalation_key",
    "overdue_key",
]


class ComplaintSubject(CodedEnum):
    """What the customer is unhappy with (seed 004 第七条 3): the product, the repair, or the service."""

    PRODUCT_QUALITY = "product_quality"
    REPAIR_QUALITY = "repair_quality"
    SERVICE_QUALITY = "service_quality"


class ComplaintSeverity(CodedEnum):
    """一般投诉 (general) or 重大投诉 (major: a crisis event or a batch quality incident)."""

    GENERAL = "general"
    MAJOR = "major"


class CrisisProblem(CodedEnum):
    """The problems seed 004 第七条 5(1) names: quality problems and service problems."""

    PROPERTY_LOSS = "property_loss"
    """Quality problem: the product caused loss of the customer's property (财产损失)."""
    PERSONAL_INJURY = "personal_injury"
    """Quality problem: someone was hurt (人员受伤)."""
    PRODUCT_QUALITY = "product_quality"
    """Quality problem of another kind (产品质量问题, 包括…等问题: the two above are examples, not the
    list): e.g. a defect that stopped the customer's work and cost it money."""
    UNSAFE_REPAIR = "unsafe_repair"
    """Service problem: the repair left something unsafe (维修存在不安全因素)."""
    DECEPTION = "deception"
    """Service problem: the customer was deceived (欺骗用户)."""
    RUDE_ATTITUDE = "rude_attitude"
    """Service problem: a rude attitude (态度恶劣)."""

    @property
    def group(self) -> str:
        """``quality`` or ``service``."""
        return (
            "quality"
            if self
            in (CrisisProblem.PROPERTY_LOSS, CrisisProblem.PERSONAL_INJURY, CrisisProblem.PRODUCT_QUALITY)
            else "service"
        )


class Recourse(CodedEnum):
    """What the customer did about the loss: demanded compensation, or went to an outside body."""

    COMPENSATION_DEMANDED = "compensation_demanded"
    CONSUMER_ASSOCIATION = "consumer_association"
    QUALITY_SUPERVISION = "quality_supervision"
    PRESS = "press"


def _problems(value: Iterable[CrisisProblem | str]) -> frozenset[CrisisProblem]:
    try:
        return frozenset(CrisisProblem(v) for v in value)
    except ValueError as exc:
        raise ValidationError(str(exc), field="problems") from None


def _recourse(value: Iterable[Recourse | str]) -> frozenset[Recourse]:
    try:
        return frozenset(Recourse(v) for v in value)
    except ValueError as exc:
        raise ValidationError(str(exc), field="recourse") from None


def _optional_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError(f"{attribute.name} must be Money", field=attribute.name, rule="money")


@refused_typed
@attrs.frozen
class CrisisFacts:
    """The facts a crisis event is decided from, as the handler recorded them.

    ``economic_loss`` says the customer lost money because of the problems; ``loss`` is its amount
    when known (recorded, not needed for the rule).
    """

    problems: frozenset[CrisisProblem] = attrs.field(factory=frozenset, converter=_problems)
    economic_loss: bool = False
    recourse: frozenset[Recourse] = attrs.field(factory=frozenset, converter=_recourse)
    loss: Money | None = attrs.field(default=None, validator=_optional_money)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.economic_loss, bool):
            raise ValidationError("economic_loss is yes or no", field="economic_loss")
        if self.loss is not None and (self.loss.amount <= 0 or not self.economic_loss):
            raise ValidationError("a loss amount is positive and means economic_loss", field="loss")


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            f"{attribute.name} must be a non-negative integer", field=attribute.name, rule="non_negative"
        )


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive integer", field=attribute.name, rule="positive"
        )


@attrs.frozen
class BatchIncident:
    """批量质量事故: ``affected`` distinct units of ``batch`` (of ``batch_size``) show ``cause``.

    ``incident_id`` names the desk's :class:`~aftersales.domain.quality_incidents.QualityIncident` when
    the figures are that incident's (the complaint is about one of its tickets): it was escalated when it
    was raised, so the complaint made major by it does not alarm the same people again. ``None``: figures
    the handler gave."""

    product_id: ProductId | None
    batch: str = attrs.field(validator=required_text(64))
    cause: str = attrs.field(validator=code)
    affected: int = attrs.field(validator=_non_negative)
    batch_size: int = attrs.field(validator=_positive)
    incident_id: str | None = attrs.field(default=None, validator=optional_bounded(64))

    def __attrs_post_init__(self) -> None:
        if self.affected > self.batch_size:
            raise ValidationError("more affected units than the batch holds", field="affected")


@attrs.frozen
class HandlerJudgement:
    """The handler marks a complaint major by judgement (有重要影响的投诉), with the reason."""

    by: ActorRef
    at: datetime = attrs.field(validator=aware)
    reason: str = attrs.field(validator=required_text(2000))


class RemedyKind(CodedEnum):
    """Seed 002's remedies (延长免费售后服务期, 无偿更换附件, 增加维护保养), plus compensation and gifts."""

    WARRANTY_EXTENSION = "warranty_extension"
    FREE_ACCESSORY = "free_accessory"
    EXTRA_MAINTENANCE_VISIT = "extra_maintenance_visit"
    COMPENSATION = "compensation"
    GIFT = "gift"


def _work_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _remedy_kind(value: RemedyKind | str) -> RemedyKind:
    try:
        return RemedyKind(value)
    except ValueError:
        raise ValidationError(f"unknown remedy {value!r}", field="kind") from None


def _money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError(f"{attribute.name} must be Money", field=attribute.name, rule="money")
    if value.amount < 0:
        raise ValidationError(
            f"{attribute.name} cannot be negative", field=attribute.name, rule="non_negative"
        )


@attrs.frozen
class Remedy:
    """One remedy granted, with what it costs the company. A warranty extension carries its record."""

    kind: RemedyKind = attrs.field(converter=_remedy_kind)
    cost: Money = attrs.field(validator=_money)
    granted_by: ActorRef
    granted_at: datetime = attrs.field(validator=aware)
    quantity: int = attrs.field(default=1, validator=_positive)
    item: str | None = attrs.field(default=None, validator=attrs.validators.optional(part_number))
    """What was given: the accessory replaced free (无偿更换…附件) by the maker's part number as the
    《零部件价格表》 prints it (``WN-SEAT-9``), or a code of the host's (``seat_cover``, ``gift_card``)."""
    note: str = attrs.field(default="", validator=bounded(2000))
    extension: WarrantyExtension | None = None
    work: tuple[str, ...] = attrs.field(default=(), converter=_work_ids)
    """The work the remedy set going, so that it is done and not only promised: the maintenance tickets
    opened for an extra maintenance visit (one per visit), or the materials request whose free pick slip
    issues a free accessory. Empty for the other remedies."""

    def __attrs_post_init__(self) -> None:
        if (self.kind is RemedyKind.WARRANTY_EXTENSION) != (self.extension is not None):
            raise ValidationError(
                "a warranty-extension remedy, and only it, carries an extension", field="extension"
            )
        if self.extension is not None and self.extension.source is not ExtensionSource.COMPLAINT_REMEDY:
            raise ValidationError("a remedy's extension has the source complaint_remedy", field="extension")
        if self.kind is RemedyKind.FREE_ACCESSORY and self.item is None:
            raise ValidationError("a free accessory names the item", field="item")


def _roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    try:
        return tuple(Role(r) for r in value)
    except ValueError as exc:
        raise ValidationError(str(exc), field="to") from None


def _reached(value: Iterable[Role | str] | None) -> tuple[Role, ...] | None:
    if value is None:
        return None
    try:
        return tuple(Role(r) for r in value)
    except ValueError as exc:
        raise ValidationError(str(exc), field="reached") from None


@attrs.frozen
class EscalationRecord:
    """An escalation: to whom, why, when, and by when it must be taken up (its own SLA)."""

    to: tuple[Role, ...] = attrs.field(converter=_roles)
    reason: Reason
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    due_at: datetime = attrs.field(validator=aware)
    immediate: bool = True
    acknowledged_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    acknowledged_by: ActorRef | None = None
    reached: tuple[Role, ...] | None = attrs.field(default=None, converter=_reached)
    """The roles of ``to`` whose staff its notice was written to; ``()`` when it reached nobody (no contact
    for any of them, nor a level above); ``None`` on an escalation recorded before this was kept."""
    reminded_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    """When the SLA sweep reminded its addressees and their superior that it was overdue (session 38); it
    leaves the file's :attr:`ComplaintFile.escalation_due` key. ``None``: not reminded (or reminded by a
    release before session 38, whose job mark the sweep finds and records here on its first read)."""

    def __attrs_post_init__(self) -> None:
        if not self.to:
            raise ValidationError("an escalation goes to at least one role", field="to")
        if self.due_at < self.at:
            raise ValidationError("an escalation cannot be due before it is raised", field="due_at")
        if self.reached is not None and any(r not in self.to for r in self.reached):
            raise ValidationError("an escalation reaches only the roles it goes to", field="reached")

    @property
    def unreached(self) -> bool:
        """Its notice reached nobody: no one was told to take it up (seed 004: 立即通知)."""
        return self.reached == ()

    def overdue(self, now: datetime) -> bool:
        """Not taken up by its due time."""
        return self.acknowledged_at is None and require_aware(now, "now") > self.due_at


_KEY_DIGITS = 20
"""Width of an escalation key: microseconds since the epoch, zero-padded, so text order is time order."""


def escalation_key(escalations: Iterable[EscalationRecord]) -> str | None:
    """The sweep's key of escalations: the earliest due of those neither taken up nor reminded, as
    fixed-width microseconds (an index of text compares them in time order on every store); ``None``
    when there is none."""
    dues = [micros(e.due_at) for e in escalations if e.acknowledged_at is None and e.reminded_at is None]
    return f"{min(dues):0{_KEY_DIGITS}d}" if dues else None


def overdue_key(now: datetime) -> str:
    """The highest :func:`escalation_key` of an escalation overdue at ``now`` (due strictly before it)."""
    return f"{micros(require_aware(now, 'now')) - 1:0{_KEY_DIGITS}d}"


@attrs.frozen
class GeneralManagerReferral:
    """A hard case referred to the general manager (向总经理报告及请示处理方法), and the decision."""

    question: str = attrs.field(validator=required_text(2000))
    referred_by: ActorRef
    referred_at: datetime = attrs.field(validator=aware)
    decision: str | None = attrs.field(default=None, validator=optional_bounded(4000))
    decided_by: ActorRef | None = None
    decided_at: datetime | None = attrs.field(default=None, validator=optional_aware)


@attrs.frozen
class Review:
    """The review after handling (总结改进): the root cause (a code) and the improvement decided."""

    root_cause: str = attrs.field(validator=code)
    improvement: str = attrs.field(validator=required_text(4000))
    reviewed_by: ActorRef
    reviewed_at: datetime = attrs.field(validator=aware)
    feedback_to: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    """The department the improvement goes to (R&D, production, service…), as a code."""


def _ticket_ids(value: Iterable[str]) -> tuple[TicketId, ...]:
    out: list[TicketId] = []
    for item in value:
        if not isinstance(item, str) or not item or len(item) > 64:
            raise ValidationError(f"not a ticket id: {item!r}", field="about")
        if item not in out:
            out.append(TicketId(item))
    return tuple(out)


def _severity(value: ComplaintSeverity | str) -> ComplaintSeverity:
    try:
        return ComplaintSeverity(value)
    except ValueError:
        raise ValidationError(f"unknown complaint severity {value!r}", field="severity") from None


def _subject(value: ComplaintSubject | str) -> ComplaintSubject:
    try:
        return ComplaintSubject(value)
    except ValueError:
        raise ValidationError(f"unknown complaint subject {value!r}", field="subject") from None


@attrs.define
class ComplaintFile:
    """Everything a complaint records beyond its ticket; stored as a document under the ticket's id."""

    DOCUMENT_KIND: ClassVar[str] = "complaint_file"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = (
        "customer_id",
        "severity",
        "registered_month",
        "escalation_due",
    )

    id: TicketId = attrs.field(validator=required_text(64))
    customer_id: CustomerId
    subject: ComplaintSubject = attrs.field(default=ComplaintSubject.PRODUCT_QUALITY, converter=_subject)
    about: tuple[TicketId, ...] = attrs.field(default=(), converter=_ticket_ids)
    severity: ComplaintSeverity = attrs.field(default=ComplaintSeverity.GENERAL, converter=_severity)
    severity_reasons: tuple[Reason, ...] = ()
    crisis: CrisisFacts | None = None
    batch_incident: BatchIncident | None = None
    judgement: HandlerJudgement | None = None
    solution: str = attrs.field(default="", validator=bounded(4000))
    outcome: str = attrs.field(default="", validator=bounded(4000))
    handler: ActorRef | None = None
    remedies: list[Remedy] = attrs.field(factory=list)
    escalations: list[EscalationRecord] = attrs.field(factory=list)
    referral: GeneralManagerReferral | None = None
    review: Review | None = None
    version: int = 0
    stated_crisis: CrisisFacts | None = None
    """Crisis facts as the customer stated them at intake (compensation asked, gone to 消协 or the press):
    kept as their statement, not as the classification's facts — the centre classifies (seed 004 第八条
    2(2): 完整准确记录客户反映的问题; 2(4)-(5): the centre judges and reports), giving ``crisis`` to
    ``classify`` when it finds them so."""
    registered_month: str | None = None
    """The desk's local month (``YYYY-MM``) the complaint was registered in, indexed: a letter received
    in one month and entered in the next belongs to the next month's feedback (seed 004 第五条 1(6)),
    the one the service centre could still report it in. ``None`` on files stored before session 27."""
    escalation_due: str | None = attrs.field()
    """The SLA sweep's key (indexed): the due of the earliest escalation neither taken up nor reminded yet,
    as :func:`escalation_key` writes it; ``None`` when there is none, or once the sweep found the complaint
    closed. The sweep reads one index range of it up to now instead of every complaint (issue 21). A file
    stored before session 38 decodes with it derived from its escalations."""

    @escalation_due.default
    def _escalation_due(self) -> str | None:
        return escalation_key(self.escalations)

    def rekey(self) -> None:
        """Derive :attr:`escalation_due` again after its escalations changed (raised, taken up, reminded)."""
        self.escalation_due = escalation_key(self.escalations)

    def remedy_cost(self, currency: str) -> Money:
        """What the remedies granted in ``currency`` cost (a remedy may be granted in another currency,
        e.g. compensation paid abroad: the complaint log shows one total per currency)."""
        return Money.total([r.cost for r in self.remedies if r.cost.currency == currency], currency)

    @property
    def open_escalations(self) -> tuple[EscalationRecord, ...]:
        """Escalations not yet taken up."""
        return tuple(e for e in self.escalations if e.acknowledged_at is None)


@attrs.frozen
class GrantedExtension:
    """A warranty extension granted as a complaint remedy, or as a quality incident's remedy on a unit
    of its batch, findable by unit for warranty decisions.

    ``complaint_id`` is the complaint's id, or the incident's for an incident's remedy (the index the
    erasure and the export read by complaint never meets an incident's id)."""

    DOCUMENT_KIND: ClassVar[str] = "granted_warranty_extension"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("asset_id", "complaint_id")

    id: str = attrs.field(validator=required_text(100))
    asset_id: AssetId
    complaint_id: TicketId
    extension: WarrantyExtension
    version: int = 0

    def granted(self) -> WarrantyExtension:
        """The extension as warranty decisions read it. One an incident's remedy stored before session
        35 was recorded as a complaint remedy naming no incident (reason ``quality_incident_remedy``,
        the incident's id here): read as the incident's, so its free repairs name it too."""
        ext = self.extension
        if ext.reason == INCIDENT_REMEDY and ext.incident_id is None and ext.complaint_id is None:
            return attrs.evolve(
                ext, source=ExtensionSource.QUALITY_INCIDENT, incident_id=str(self.complaint_id)
            )
        return ext


INCIDENT_REMEDY = "quality_incident_remedy"
"""The reason code of a warranty extension a quality incident's remedy grants on a unit of its batch."""
