"""Callback (回访): when the customer is called back after the work, and whether a survey is asked.

Seed 003: "客服专员在24小时内对客户进行回访" — callback within 24 hours of resolution. Seed 004:
"在投诉处理后的七天内进行回访" — within seven days after a complaint is handled. Seed 001:
"对于重大售后问题或重要客户,售后团队应在问题处理完毕后进行客户满意度调查" —
a survey for major problems or important customers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

import attrs

from aftersales.domain.bounds import check_bounded
from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.instants import end_of_local_days
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import LONGEST_DURATION
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import category_codes, in_range, listed, true_or_false

__all__ = ["CALLBACK_STARTS", "KIND", "CallbackFacts", "CallbackParams", "CallbackPlan", "DefaultCallback"]


CALLBACK_STARTS = ("acceptance", "work_done")
"""What a service ticket's callback deadline may run from (``[callback] service_from``)."""


@attrs.frozen
class CallbackFacts:
    """What the callback policy looks at."""

    kind: TicketKind
    priority: Priority
    tier: CustomerTier = CustomerTier.REGULAR
    category: str | None = None
    major: bool = False
    """A major complaint (crisis event or batch incident): a 重大售后问题 whatever its priority."""


def _within(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A host's callback policy builds plans too: a number of hours (5) was taken and the callback's
    # deadline then failed as Python's TypeError when planned; timedelta.max as OverflowError.
    if not isinstance(value, timedelta) or not timedelta(0) < value <= LONGEST_DURATION:
        raise ValidationError(
            f"within is a positive timedelta of at most 100 years, got {value!r:.60}",
            field="within",
            rule="positive_duration",
        )


def _attempts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_bounded(value, attribute.name, _MOST_ATTEMPTS)  # the pack's close_after_attempts bound


_MOST_ATTEMPTS = 20


@attrs.frozen
class CallbackPlan:
    """Whether to call back, within how long after resolution, and whether to ask for a survey.

    A host's callback policy builds it as the default one does, so its values are checked as the pack's
    are (session 39): the flags ``True`` or ``False`` themselves (``required="no"`` planned a callback),
    ``within`` a positive ``timedelta`` of at most 100 years, ``attempts_before_close`` 1 to 20."""

    required: bool = attrs.field(validator=true_or_false)
    within: timedelta = attrs.field(validator=_within)
    survey: bool = attrs.field(validator=true_or_false)
    attempts_before_close: int = attrs.field(default=3, validator=_attempts)
    """After this many recorded failed attempts to reach the customer, the ticket may close without one."""
    whole_days: bool = attrs.field(default=False, validator=true_or_false)
    """``within`` counts whole local days: the callback is on time through the end of the last day
    (seed 004: 投诉处理后的七天内 — handled Monday 15:00, on time through the next Monday)."""
    score_required: bool = attrs.field(default=False, validator=true_or_false)
    """Every callback recorded (the problem not back) gives the customer's satisfaction score, survey owed
    or not (seed 003: 回访, 确认问题是否解决, 收集客户满意度评价)."""
    from_work_done: bool = attrs.field(default=False, validator=true_or_false)
    """A service ticket's ``within`` runs from the work marked done (``resolve``: the engineer entering the
    result), not from the customer's acceptance (seed 003: 服务完成后,工程师将处理结果录入系统,客服专员在
    24小时内对客户进行回访 — the slip is signed on site before the entry, so a slip recorded later does
    not move the deadline)."""

    def due_from(self, start: datetime, zone: tzinfo) -> datetime:
        """The callback's deadline for work resolved (or a complaint handled) at ``start``; ``zone`` is
        where the days are counted (the desk's)."""
        if self.whole_days:
            return end_of_local_days(start, self.within.days, zone)
        return start + self.within


@refused_typed
@attrs.frozen
class CallbackParams:
    """Parameters of the default callback policy (pack section ``[callback]``)."""

    required: bool = attrs.field(default=True, validator=true_or_false)
    """Whether every resolved ticket gets a callback (seeds 000, 003: 服务回访). A VIP customer is called
    back and surveyed whatever this, ``not_needed_for`` and ``survey_tiers`` say (the desk's rule,
    reason ``callback_vip``: the VIP service of seed 004); these parameters decide for the other tiers."""
    service_within_hours: int = attrs.field(default=24, validator=in_range(1, 24 * 90))
    """Callback deadline after a service ticket is resolved, in hours (seed 003: 24)."""
    complaint_within_days: int = attrs.field(default=7, validator=in_range(1, 90))
    """Callback deadline after a complaint is handled, in whole local days: through the end of the N-th
    day after the day it was handled (seed 004: 七天内)."""
    survey_tiers: tuple[CustomerTier, ...] = (CustomerTier.IMPORTANT, CustomerTier.VIP)
    """Customer tiers that are asked for a satisfaction survey (seed 001: 重要客户)."""
    survey_from_priority: Priority = Priority.CRITICAL
    """Tickets at or above this priority get a survey (seed 001: 重大售后问题)."""
    survey_major_complaints: bool = attrs.field(default=True, validator=true_or_false)
    """Major complaints get a survey when handled (seed 001: 重大售后问题…进行客户满意度调查)."""
    not_needed_for: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=category_codes)
    """Category codes whose service tickets need no callback before closing (e.g. ``["inquiry"]``)."""
    close_after_attempts: int = attrs.field(default=3, validator=in_range(1, _MOST_ATTEMPTS))
    """Failed attempts to reach the customer (recorded) after which a ticket may close without a callback."""
    score_required: bool = attrs.field(default=False, validator=true_or_false)
    """``True``: a callback is refused without the customer's satisfaction score (``ValidationError``
    naming ``satisfaction``) even when no survey is owed — seed 003 collects a satisfaction evaluation
    at every callback (确认问题是否解决, 收集客户满意度评价). A callback finding the problem back is not
    asked one (the next resolution's callback is). Default off: other seeds survey some customers only."""
    service_from: str = attrs.field(default="acceptance", validator=attrs.validators.in_(CALLBACK_STARTS))
    """What a service ticket's ``service_within_hours`` runs from: ``acceptance`` (the customer accepts
    the work) or ``work_done`` (the engineer records the result: seed 003, 工程师将处理结果录入系统,
    客服专员在24小时内…回访). Must equal ``[sla] callback_from`` (the SLA's callback target)."""


@attrs.frozen
class DefaultCallback:
    """Callback deadlines by ticket kind; surveys for important customers and major problems."""

    params: CallbackParams = CallbackParams()
    name: str = "default.callback"

    def decide(self, facts: CallbackFacts) -> Decision[CallbackPlan]:
        """The callback plan for a resolved ticket."""
        p = self.params
        complaint = facts.kind is TicketKind.COMPLAINT
        if complaint:
            within = timedelta(days=p.complaint_within_days)
            reasons = [Reason("complaint_callback", {"days": p.complaint_within_days})]
        else:
            within = timedelta(hours=p.service_within_hours)
            reasons = [Reason("service_callback", {"hours": p.service_within_hours})]
        required = p.required or facts.kind is TicketKind.COMPLAINT
        if required and facts.kind is TicketKind.SERVICE and facts.category in p.not_needed_for:
            required = False
        if not required:
            reasons = [Reason("callback_not_required")]
        survey = False
        if facts.tier in p.survey_tiers:
            survey = True
            reasons.append(Reason("survey_customer_tier", {"tier": facts.tier.value}))
        if facts.priority.rank >= p.survey_from_priority.rank:
            survey = True
            reasons.append(Reason("survey_major_problem", {"priority": facts.priority.value}))
        if facts.major and p.survey_major_complaints:
            survey = True
            reasons.append(Reason("survey_major_complaint"))
        plan = CallbackPlan(
            required,
            within,
            survey,
            p.close_after_attempts,
            whole_days=complaint,
            score_required=p.score_required,
            from_work_done=not complaint and p.service_from == "work_done",
        )
        return Decision(plan, reasons, self.name)


KIND = PolicyKind("callback", CallbackParams, DefaultCallback)
"""Registers this kind with the policy registry (pack section ``[callback]``)."""
