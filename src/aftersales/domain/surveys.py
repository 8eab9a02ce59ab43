"""Callbacks (回访) and satisfaction surveys (满意度调查).

The callback checklist is seed 004's 电话回访内容: does the product work, was the engineer tidy (衣着
整齐), polite (no quarrel, 礼貌地道别), on time (维修完成是否及时), charging by the rules (按规定收取费用),
explaining usage and care (介绍使用保养常识), cleaning up (擦干净产品); and any other complaint. The survey
scores seed 002's five service-quality dimensions (信赖度 reliability, 专业度 assurance, 有形度 tangibles,
同理度 empathy, 反应度 responsiveness) and an overall score, each 1–5.

A callback is a task (:class:`CallbackTask`, due at a time set by the callback policy) and, once made, a
record (:class:`CallbackRecord`); both are documents next to the ticket they follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.classification import Channel, TicketKind
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.reasons import Reason
from aftersales.domain.text import bounded, required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import ValidationError

__all__ = [
    "CHECKLIST_ITEMS",
    "GRIEVANCE_ITEMS",
    "RATER_DIMENSIONS",
    "CallbackChecklist",
    "CallbackRecord",
    "CallbackTask",
    "CallbackTaskState",
    "SatisfactionSurvey",
    "rater_index_of",
]

CHECKLIST_ITEMS = (
    "product_works",
    "engineer_tidy",
    "polite",
    "on_time",
    "charged_by_rules",
    "explained_usage",
    "cleaned_up",
)
"""The yes/no questions of the callback, in the order they are asked."""

GRIEVANCE_ITEMS = ("polite", "charged_by_rules")
"""Checklist questions whose "no" is the customer complaining, whatever their score (seed 004 第七条 3-4:
投诉 is dissatisfaction with the service said by any means; 服务人员态度不好 is a general complaint; a
charge outside the rules is the 欺骗用户 of 第七条 5(1)). The other questions (tidy, on time…) record the
visit's quality; their "no" is for the survey's figures, not a complaint by itself."""

RATER_DIMENSIONS = ("reliability", "assurance", "tangibles", "empathy", "responsiveness")
"""The five service-quality dimensions of seed 002 (RATER)."""

_EQUAL_WEIGHTS = {d: Decimal(1) for d in RATER_DIMENSIONS}


def rater_index_of(
    sums: Mapping[str, int],
    counts: Mapping[str, int],
    *,
    weights: Mapping[str, Decimal] | None = None,
    scale: int = 5,
) -> Decimal | None:
    """The RATER index (seed 002 售后服务质量衡量的指标) of checked per-dimension score ``sums`` over
    ``counts`` answers: the weighted mean of the dimension means on 0…100 (1 ↦ 0, ``scale`` ↦ 100), to
    0.1. Dimensions nobody rated (or weighted 0) are left out; ``None`` when none is left. The one
    formula behind :func:`aftersales.reports.rater_index` and the dealer archive's index."""
    weights = _EQUAL_WEIGHTS if weights is None else weights
    rated = [d for d in RATER_DIMENSIONS if counts.get(d) and weights.get(d, Decimal(0)) > 0]
    if not rated:
        return None
    total_weight = sum((weights[d] for d in rated), Decimal(0))
    mean = sum((Decimal(sums[d]) / counts[d] * weights[d] for d in rated), Decimal(0)) / total_weight
    return ((mean - 1) / (scale - 1) * 100).quantize(Decimal("0.1"))


def _answer(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{attribute.name} is yes, no or not asked", field=attribute.name)


@attrs.frozen
class CallbackChecklist:
    """The customer's answers; ``None`` means not asked (e.g. no engineer came for a remote fix)."""

    product_works: bool | None = attrs.field(default=None, validator=_answer)
    engineer_tidy: bool | None = attrs.field(default=None, validator=_answer)
    polite: bool | None = attrs.field(default=None, validator=_answer)
    on_time: bool | None = attrs.field(default=None, validator=_answer)
    charged_by_rules: bool | None = attrs.field(default=None, validator=_answer)
    explained_usage: bool | None = attrs.field(default=None, validator=_answer)
    cleaned_up: bool | None = attrs.field(default=None, validator=_answer)
    other_complaints: str = attrs.field(default="", validator=bounded(2000))
    """Anything else the customer is unhappy with, in their words (是否有其它不满意的地方)."""

    def answers(self) -> dict[str, bool]:
        """The questions answered, by name."""
        out: dict[str, bool] = {}
        for name in CHECKLIST_ITEMS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    @property
    def failed(self) -> tuple[str, ...]:
        """The questions answered "no"."""
        return tuple(name for name in CHECKLIST_ITEMS if getattr(self, name) is False)

    @property
    def grievances(self) -> tuple[str, ...]:
        """What the customer complained of at the callback: the :data:`GRIEVANCE_ITEMS` answered "no",
        and ``other_complaints`` when they wrote one (是否有其它不满意的地方 answered with a grievance)."""
        found = tuple(name for name in GRIEVANCE_ITEMS if getattr(self, name) is False)
        return (*found, "other_complaints") if self.other_complaints.strip() else found


def _score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError(
            f"{attribute.name} is a score from 1 to 5",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 5},
        )


def _optional_score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _score(instance, attribute, value)


@attrs.frozen
class SatisfactionSurvey:
    """Scores 1 (very dissatisfied) to 5 (very satisfied) on the five RATER dimensions and overall, and
    the customer's evaluation of the after-sales team's service attitude.

    Seed 001 三(七)2: 调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价等 — ``overall`` is the
    satisfaction with the result, ``attitude`` the evaluation of the team's attitude (the agents on the
    phone as much as the engineer on site, so not the checklist's yes/no ``polite`` about the repairer).
    ``None``: not asked; a callback that owes a survey is refused without it.
    """

    reliability: int = attrs.field(validator=_score)
    assurance: int = attrs.field(validator=_score)
    tangibles: int = attrs.field(validator=_score)
    empathy: int = attrs.field(validator=_score)
    responsiveness: int = attrs.field(validator=_score)
    overall: int = attrs.field(validator=_score)
    attitude: int | None = attrs.field(default=None, validator=_optional_score, kw_only=True)

    def dimensions(self) -> dict[str, int]:
        """The five dimension scores, by name."""
        return {name: getattr(self, name) for name in RATER_DIMENSIONS}

    @property
    def lowest(self) -> int:
        """The lowest score given, overall included."""
        return min(self.overall, *self.dimensions().values())


class CallbackTaskState(CodedEnum):
    """A callback task is pending until made (or dropped when the ticket no longer needs it)."""

    PENDING = "pending"
    DONE = "done"
    DROPPED = "dropped"


def _task_state(value: CallbackTaskState | str) -> CallbackTaskState:
    try:
        return CallbackTaskState(value)
    except ValueError:
        raise ValidationError(f"unknown callback task state {value!r}", field="state") from None


@attrs.define
class CallbackTask:
    """A callback to make by ``due_at``, and why (the callback policy's reasons)."""

    DOCUMENT_KIND: ClassVar[str] = "callback_task"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "state")

    id: str = attrs.field(validator=required_text(100))
    ticket_id: TicketId
    customer_id: CustomerId
    due_at: datetime = attrs.field(validator=aware)
    scheduled_at: datetime = attrs.field(validator=aware)
    scheduled_by: ActorRef
    reasons: tuple[Reason, ...] = ()
    survey: bool = False
    """Whether a satisfaction survey is to be asked (VIP / important customers, major problems)."""
    state: CallbackTaskState = attrs.field(default=CallbackTaskState.PENDING, converter=_task_state)
    done_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    version: int = 0
    ticket_kind: TicketKind | None = None
    """The kind of the record called back about (a complaint's callback due notice names a complaint,
    seed 004: 投诉处理后的七天内回访), kept when scheduled so the notice needs no ticket read; ``None``: a
    task scheduled before it was kept."""

    def overdue(self, now: datetime) -> bool:
        """Still pending after its due time."""
        return self.state is CallbackTaskState.PENDING and require_aware(now, "now") > self.due_at


@attrs.frozen
class CallbackRecord:
    """One callback made: the checklist, the survey if asked, whether the problem is back."""

    DOCUMENT_KIND: ClassVar[str] = "callback_record"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "customer_id")

    id: str = attrs.field(validator=required_text(100))
    ticket_id: TicketId
    customer_id: CustomerId
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    checklist: CallbackChecklist
    problem_back: bool
    survey: SatisfactionSurvey | None = None
    comment: str = attrs.field(default="", validator=bounded(2000))
    complaint_id: TicketId | None = None
    """The complaint this callback opened (low score), if any."""
    attitude: int | None = attrs.field(default=None, validator=_optional_score)
    """The customer's evaluation (1–5) of the team's service attitude (seed 001 三(七)2: 对售后团队服务
    态度的评价), given with the survey or beside the overall score; ``None``: not asked."""
    channel: Channel | None = None
    """How the customer was reached (seed 001: 沟通记录…包括沟通时间、沟通方式、沟通内容; 满意度调查可通过电话
    回访、在线问卷等方式进行); the desk records one on every callback (``None``: a record made before it
    did)."""
    satisfaction: int | None = attrs.field(default=None, validator=_optional_score)
    """The customer's satisfaction (1–5) with the result (seed 001 三(七)2: 对问题处理结果的满意度): the
    survey's overall score, or the score asked without the full survey; ``None``: not asked (or a record
    made before it was kept: :attr:`score` reads the survey's then)."""
    version: int = 0

    @property
    def score(self) -> int | None:
        """The satisfaction with the result this callback recorded, with or without the full survey."""
        if self.satisfaction is not None:
            return self.satisfaction
        return self.survey.overall if self.survey is not None else None

    @property
    def surveyed(self) -> bool:
        """Whether the customer was surveyed at this callback: asked the satisfaction with the result and
        the evaluation of the attitude (seed 001 三(七)2), by the full survey or by the two scores (what a
        callback owing the survey must give); a score alone is half the survey."""
        return self.survey is not None or (self.score is not None and self.attitude is not None)
