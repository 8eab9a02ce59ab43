"""Training and appraisal of the company's own after-sales staff: engineers and agents.

Seed 000 (人员培训 / 人员绩效考核): regular training in skills, service awareness, laws; performance
appraisal on service quality, efficiency, customer satisfaction, tied to pay and promotion. Seed 001
(售后培训 / 考核方式): the after-sales manager appraises every team member monthly; training covers
service knowledge, communication, problem handling. Seed 003 (系统培训, 绩效考核): training followed
by a test; appraisal on satisfaction, response speed, resolution rate, service conduct. Dealers'
staff have their own records (:mod:`aftersales.domain.training`). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import TicketId
from aftersales.domain.money import Money
from aftersales.domain.number_text import number_from_text
from aftersales.domain.text import bounded, checked_month, required_text
from aftersales.domain.training import TrainingTopic, training_topics
from aftersales.errors import ValidationError, shown_repr

__all__ = [
    "AppraisalRating",
    "AppraisalRevision",
    "MeasureKind",
    "StaffAppraisal",
    "StaffKind",
    "StaffMeasure",
    "StaffTraining",
    "Trainee",
    "entered_metrics",
    "entered_score",
    "rating_for",
]


class StaffKind(CodedEnum):
    """Which of the company's own staff: service engineers (技术工程师), agents (客服专员), or the heads of
    the after-sales team (售后经理), whom the team's appraisers do not appraise (seed 001: the manager
    appraises the team and reports to the company's management, 定期向上级汇报)."""

    ENGINEER = "engineer"
    AGENT = "agent"
    MANAGER = "manager"


@attrs.frozen
class Trainee:
    """One of the company's own staff who attended, and the test result if the training had one."""

    staff_id: str = attrs.field(validator=required_text(64))
    kind: StaffKind = attrs.field(converter=StaffKind)
    score: int | None = None
    """The test after the training (seed 003: 并进行考核), 0–100."""

    def __attrs_post_init__(self) -> None:
        if self.score is not None and (
            not isinstance(self.score, int) or isinstance(self.score, bool) or not 0 <= self.score <= 100
        ):
            raise ValidationError("a test score is an integer from 0 to 100", field="score")


def _topics(value: Iterable[TrainingTopic | str]) -> frozenset[TrainingTopic]:
    return training_topics([value] if isinstance(value, str) else value)  # one topic may come alone


def _trainees(value: Iterable[Trainee]) -> tuple[Trainee, ...]:
    items = tuple(value)
    if not items or not all(isinstance(t, Trainee) for t in items):
        raise ValidationError("a training has at least one Trainee", field="trainees")
    ids = [t.staff_id for t in items]
    if len(set(ids)) != len(ids):
        raise ValidationError("each trainee is listed once", field="trainees")
    return items


@attrs.frozen
class StaffTraining:
    """One training of own staff: when, by whom, on what, who attended (and passed)."""

    DOCUMENT_KIND: ClassVar[str] = "staff_training"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str = attrs.field(validator=required_text(64))
    held_on: date
    trainer: str = attrs.field(validator=required_text(100))
    topics: frozenset[TrainingTopic] = attrs.field(converter=_topics)
    trainees: tuple[Trainee, ...] = attrs.field(converter=_trainees)
    external: bool = False
    """An outside course (seed 001: 鼓励参加外部培训), not one the company held."""
    recorded_by: ActorRef | None = None
    note: str = attrs.field(default="", validator=bounded(2000))
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.held_on, date):
            raise ValidationError("held_on is a date", field="held_on", rule="date")

    def attended_by(self, staff_id: str) -> Trainee | None:
        """``staff_id``'s attendance, or ``None``."""
        return next((t for t in self.trainees if t.staff_id == staff_id), None)


class AppraisalRating(CodedEnum):
    """The outcome of an appraisal (seed 001: 优秀 → 表彰和奖励; 不合格 → 批评教育)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"


def rating_for(score: Decimal) -> AppraisalRating:
    """The rating of a score out of 100: ≥ 90 excellent, ≥ 75 good, ≥ 60 qualified, else unqualified."""
    if score >= 90:
        return AppraisalRating.EXCELLENT
    if score >= 75:
        return AppraisalRating.GOOD
    if score >= 60:
        return AppraisalRating.QUALIFIED
    return AppraisalRating.UNQUALIFIED


def _score(value: object) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise ValidationError("a score is a Decimal, an int or a decimal string", field="score")
    try:
        result = Decimal(value)
    except ArithmeticError:
        raise ValidationError(f"not a score: {value!r}", field="score") from None
    if not result.is_finite() or not Decimal(0) <= result <= Decimal(100):
        raise ValidationError("a score is from 0 to 100", field="score")
    return result


def _metrics(value: Mapping[str, object]) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ValidationError("metrics map a name to a value", field="metrics")
    out: dict[str, Decimal] = {}
    for name, raw in value.items():
        if not isinstance(name, str) or not name or len(name) > 64:
            raise ValidationError("a metric name is 1–64 characters", field="metrics")
        if isinstance(raw, float | bool) or not isinstance(raw, int | str | Decimal):
            raise ValidationError(f"metric {name} is a Decimal, an int or a decimal string", field="metrics")
        try:
            number = Decimal(raw)
        except ArithmeticError:
            raise ValidationError(f"metric {name} is not a number", field="metrics") from None
        if not number.is_finite():
            raise ValidationError(f"metric {name} is not a number", field="metrics")
        out[name] = number
    return dict(sorted(out.items()))


_SCORE_PLACES = -2
"""A score entered has at most two decimals (87.25): the figure the bonus is paid on (seed 001)."""
_METRIC_DIGITS = 20
"""A measured indicator entered has at most this many significant digits, and no more than ten after the
point or fifteen before it."""


def _plain(number: Decimal) -> Decimal:
    # 1E+1 is written 10 and -0 is 0: the figure as a person reads it, on every store and report.
    exponent = number.as_tuple().exponent
    return number.quantize(Decimal(1)) + 0 if isinstance(exponent, int) and exponent > 0 else number + 0


def _typed(value: object, field: str, what: str) -> object:
    # Text a person types is read by the one rule for typed numbers (number_text), as money and custom
    # number fields are: Decimal alone took "١٢", " 12 ", "1_0" and "1e1" as a score.
    if not isinstance(value, str):
        return value
    number = number_from_text(value)
    if number is None:
        raise ValidationError(f"{what} {shown_repr(value)} is not a number", field=field, rule="number")
    return number


def entered_score(value: object) -> Decimal:
    """A score a person enters (out of 100), checked past :class:`StaffAppraisal`'s own conversion: at
    most two decimals, written plainly; text read as :mod:`~aftersales.domain.number_text` reads it
    (full-width digits as an input method types them; no exponent, underscore, space or other script's
    digits). ``"50.000…1"`` (thousands of digits), ``"1e-999999"`` or ``"-0"`` were stored as given.
    Checked at entry only: a stored appraisal reads back as it was."""
    score = _score(_typed(value, "score", "score"))
    exponent = score.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < _SCORE_PLACES:
        raise ValidationError("a score has at most two decimals (87.25)", field="score")
    return _plain(score)


def entered_metrics(value: Mapping[str, object] | None) -> dict[str, Decimal]:
    """Measured indicators a person enters, checked past :class:`StaffAppraisal`'s conversion: each of at
    most 20 significant digits, ten after the point and fifteen before it, written plainly; text read as
    :func:`entered_score` reads it."""
    given = value if value is not None else {}
    if isinstance(given, Mapping):
        given = {name: _typed(raw, "metrics", f"metric {shown_repr(name)}") for name, raw in given.items()}
    metrics = _metrics(given)
    for name, number in metrics.items():
        exponent = number.as_tuple().exponent
        if (
            not isinstance(exponent, int)
            or len(number.as_tuple().digits) > _METRIC_DIGITS
            or exponent < -10
            or number.adjusted() >= 15
        ):
            raise ValidationError(
                f"metric {name:.64} has at most 15 digits before the point and 10 after", field="metrics"
            )
        metrics[name] = _plain(number)
    return metrics


@attrs.frozen
class AppraisalRevision:
    """A month's appraisal that a correction replaced: the figures the bonus may have been paid on (seed
    001: 考核结果与绩效奖金挂钩), kept so the month's one appraisal can be accounted for."""

    score: Decimal
    rating: AppraisalRating
    metrics: dict[str, Decimal]
    appraised_by: ActorRef | None
    note: str


def _revisions(value: Iterable[AppraisalRevision]) -> tuple[AppraisalRevision, ...]:
    return tuple(value)


@attrs.frozen
class StaffAppraisal:
    """One month's appraisal of one of the company's own staff (绩效考核), by the after-sales manager."""

    DOCUMENT_KIND: ClassVar[str] = "staff_appraisal"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("staff_id", "month")

    id: str = attrs.field(validator=required_text(100))
    staff_id: str = attrs.field(validator=required_text(64))
    kind: StaffKind = attrs.field(converter=StaffKind)
    month: str = attrs.field()
    score: Decimal = attrs.field(converter=_score)
    rating: AppraisalRating = attrs.field(converter=AppraisalRating)
    metrics: dict[str, Decimal] = attrs.field(factory=dict, converter=_metrics)
    """The measured indicators behind the score (satisfaction rate, response on time…)."""
    appraised_by: ActorRef | None = None
    note: str = attrs.field(default="", validator=bounded(2000))
    revisions: tuple[AppraisalRevision, ...] = attrs.field(default=(), converter=_revisions)
    """The month's earlier figures a correction replaced, oldest first (每月进行一次考核评估: one
    appraisal a month, corrected in place, its history kept)."""
    version: int = 0

    @month.validator
    def _month(self, attribute: attrs.Attribute[str], value: str) -> None:
        checked_month(value)

    def corrected(self, correction: StaffAppraisal) -> StaffAppraisal:
        """This month's appraisal with ``correction``'s figures, these kept in ``revisions``; the same
        figures by the same appraiser are no correction (a retry changes nothing)."""
        fields = ("score", "rating", "metrics", "appraised_by", "note")
        if all(getattr(correction, name) == getattr(self, name) for name in fields):
            return self
        replaced = AppraisalRevision(self.score, self.rating, self.metrics, self.appraised_by, self.note)
        return attrs.evolve(correction, revisions=(*self.revisions, replaced), version=self.version)


class MeasureKind(CodedEnum):
    """An incentive or a sanction (seed 000 人员激励与约束; seed 001 六(三), 四(二))."""

    COMMENDATION = "commendation"
    """表彰: praise for outstanding work."""
    REWARD = "reward"
    """奖励: a bonus or prize (an amount)."""
    CRITICISM = "criticism"
    """批评教育: criticism and re-education for a breach of the service rules."""
    PENALTY = "penalty"
    """处罚: a sanction (a fine: an amount)."""

    @property
    def incentive(self) -> bool:
        """表彰 and 奖励 are incentives; 批评教育 and 处罚 are sanctions."""
        return self in (MeasureKind.COMMENDATION, MeasureKind.REWARD)


def _measure_amount(instance: StaffMeasure, attribute: attrs.Attribute[Money | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Money) or value.amount <= 0:
        raise ValidationError("an amount is a positive Money", field="amount", rule="positive")


@attrs.frozen
class StaffMeasure:
    """An incentive or a sanction decided for one of the company's own staff, with its reason.

    A reward or a penalty may carry an amount (the bonus, the fine); a commendation or a criticism does
    not. ``complaint_id`` links the sanction to the complaint that found the breach (seed 001 四(二):
    服务态度不好 … 对相关服务人员进行批评教育).
    """

    DOCUMENT_KIND: ClassVar[str] = "staff_measure"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("staff_id",)

    id: str = attrs.field(validator=required_text(100))
    staff_id: str = attrs.field(validator=required_text(64))
    kind: StaffKind = attrs.field(converter=StaffKind)
    measure: MeasureKind = attrs.field(converter=MeasureKind)
    reason: str = attrs.field(validator=required_text(2000))
    decided_by: ActorRef
    decided_on: date
    amount: Money | None = attrs.field(default=None, validator=_measure_amount)
    complaint_id: TicketId | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.decided_on, date):
            raise ValidationError("decided_on is a date", field="decided_on", rule="date")
        if self.amount is not None and self.measure not in (MeasureKind.REWARD, MeasureKind.PENALTY):
            raise ValidationError(
                f"a {self.measure.value} carries no amount (a reward or a penalty may)", field="amount"
            )
