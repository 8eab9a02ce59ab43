"""SLA policy: which time limits apply to a ticket, in what basis, and why.

The seeds' time limits, each a documented parameter (the ``[X]`` left open by seed 001 get defaults):

* Seed 001 (五、售后工作流程规范): "售后专员应在[X]小时内做出响应" — ``response_hours``;
  "对于紧急问题 … 在[X]分钟内与客户取得联系" — the critical response (``response_hours.critical``,
  0.5 h = 30 min); "一般售后问题应在[X]个工作日内处理完毕" — ``resolution_days``;
  "复杂售后问题 … 确保在[X]个工作日内给出处理结果" — ``complex_resolution_days``.
* Seed 003: "一般咨询类问题,在工作时间内X个小时内给予初步回复;
  对于故障报修及紧急问题,Y个工作小时内响应,并告知预计上门或解决时间" — working-hour response
  targets and an on-site arrival target (``arrival_hours``);
  "客服专员在24小时内对客户进行回访" — ``callback_hours`` (24).
* Seed 004: "在投诉处理后的七天内进行回访" — ``complaint_callback_days`` (7).
* Seed 002 (dealer contract): "接到用户的叫修 … 必须保证在24小时之内给用户解决问题,特殊情况不得超过48小时" —
  ``dealer_contract`` with ``dealer_resolution_hours`` (24, wall-clock) extendable to
  ``dealer_special_case_hours`` (48) when the maker approves (an event carrying ``sla_extension``).

Order of rules: the priority's targets (raised by ``reopened_raise`` for a reopened ticket), then the
category's overrides, then the customer tier's factor (VIP tighter), then the dealer contract. Each rule that
set a target leaves a reason: its code and parameters (durations in minutes or days).

Note that the default triage policy already raises a VIP's priority by one level; ``tier_factor`` tightens
the targets on top of that (set it to 1.0 to rely on triage alone).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.classification import Category, Plan, Priority, TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import RESPONSE_ACTIONS, SlaTarget, SlaTargets
from aftersales.domain.sla_solution import SOLUTION_STEPS
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW, TicketState
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.callback import CALLBACK_STARTS
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import (
    a_number,
    at_least,
    check_category_code,
    frozen_mapping,
    in_range,
    number_limit,
    true_or_false,
)

__all__ = [
    "KIND",
    "DefaultSla",
    "SlaFacts",
    "SlaOverride",
    "SlaParams",
    "SlaPolicy",
    "SlaTarget",
    "SlaTargets",
    "urgent_contact_applies",
]


@attrs.frozen
class SlaFacts:
    """What the SLA policy looks at.

    ``plan`` decides whether an on-site arrival target applies (``None``: not yet known, so it applies);
    ``complex`` marks a problem that needs a handling plan (复杂售后问题, e.g. several departments).
    ``urgent`` is the intake's urgent flag (seed 001: contact within minutes).
    """

    priority: Priority = attrs.field(converter=Priority)
    category: str = "repair"
    tier: CustomerTier = attrs.field(default=CustomerTier.REGULAR, converter=CustomerTier)
    kind: TicketKind = attrs.field(default=TicketKind.SERVICE, converter=TicketKind)
    reopened: bool = False
    plan: Plan | None = None
    complex: bool = False
    urgent: bool = False
    dealer: bool = False
    """Whether the ticket is assigned to a dealer (the seed 002 contract applies only then)."""

    def __attrs_post_init__(self) -> None:
        Category(self.category)  # a malformed code raises ValidationError


@runtime_checkable
class SlaPolicy(Protocol):
    """Which SLA targets apply to a ticket (seeds 001, 002, 003, 004)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: SlaFacts) -> Decision[SlaTargets]: ...


SLA_CLOCKS = ("working", "wall")
"""How an SLA's hours are counted (pack ``[sla] clock`` per priority, ``clock`` of a category override):
``working`` — working hours of the desk's calendar; ``wall`` — natural (wall-clock) hours, nights,
weekends and holidays included. Working days (``resolution_days``) keep their own readings."""

_SINCE_S25 = {"fingerprint_omit_default": True}
"""A setting added after stores were stamped: at its default it leaves the policy's fingerprint as it was
(policies/fingerprint.py), so a store an older release stamped stays current."""

COMPLAINT_RESOLUTION_STOPS = ("feedback", "solution")
"""The values of ``[sla] complaint_resolved_by``."""

SERVICE_RESOLUTION_STOPS = ("acceptance", "work_done")
"""The values of ``[sla] service_resolved_by``."""

WORK_DONE_STEPS: tuple[str, ...] = ("resolve",)
"""The step that meets a service ticket's resolution under ``service_resolved_by = "work_done"``: the work
marked done (the engineer's result entered, or the call solved by phone)."""


def _clock_name(value: object, field: str) -> bool:
    if not isinstance(value, str) or value not in SLA_CLOCKS:
        raise ValidationError(f"{field} is one of {', '.join(SLA_CLOCKS)}, got {value!r}", field=field)
    return True


def _optional_clock(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _clock_name(value, attribute.name)


def _optional_positive(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None:
        a_number(attribute.name, value)  # a text compared with 0 raised TypeError; 10**9 days overflowed
    if value is not None and not value > 0:
        raise ValidationError(
            f"{attribute.name} must be positive, got {value}", field=attribute.name, rule="positive"
        )


@refused_typed
@attrs.frozen
class SlaOverride:
    """Targets that replace the priority's for one category (any field left out keeps the priority's).

    A request graded above normal keeps its grade's response and arrival where these are looser: the
    category's times are for its ordinary requests (seed 003: an urgent inquiry is answered as urgent).

    ``resolution_hours`` (working hours) wins over ``resolution_days`` when both are given.

    ``clock`` (``"working"`` or ``"wall"``, see :data:`SLA_CLOCKS`) says how the category's hours are
    counted, the priority's ones included: ``"wall"`` counts them in natural time, day and night,
    weekends and holidays alike (电梯困人: on site within 30 natural minutes). Left out, the priority's
    clock (``SlaParams.clock``) stands.
    """

    response_hours: float | None = attrs.field(default=None, validator=_optional_positive)
    arrival_hours: float | None = attrs.field(default=None, validator=_optional_positive)
    resolution_hours: float | None = attrs.field(default=None, validator=_optional_positive)
    resolution_days: int | None = attrs.field(default=None, validator=_optional_positive)
    clock: str | None = attrs.field(default=None, validator=_optional_clock, metadata=_SINCE_S25)


WORKING_DAY_READINGS = ("working_time", "end_of_day")
"""The two readings of "N working days" the SLA policy offers (``SlaParams.working_days``)."""

_RESPONSE = {Priority.NORMAL: 4.0, Priority.EXPEDITED: 2.0, Priority.CRITICAL: 0.5}
_ARRIVAL = {Priority.NORMAL: 24.0, Priority.EXPEDITED: 8.0, Priority.CRITICAL: 4.0}
_RESOLUTION_DAYS = {Priority.NORMAL: 3, Priority.EXPEDITED: 2, Priority.CRITICAL: 1}
_TIER_FACTOR: Mapping[CustomerTier, float] = MappingProxyType({CustomerTier.VIP: 0.5})
_CLOCK = dict.fromkeys(Priority, "working")


def _merged(defaults: Mapping[Priority, Any], value: Mapping[Any, Any]) -> Mapping[Priority, Any]:
    """A per-priority table where priorities left out keep their defaults."""
    merged = dict(defaults)
    merged.update({Priority(key): item for key, item in value.items()})
    return MappingProxyType(merged)


def _response_table(value: Mapping[Any, float]) -> Mapping[Priority, float]:
    return _merged(_RESPONSE, value)


def _arrival_table(value: Mapping[Any, float]) -> Mapping[Priority, float]:
    return _merged(_ARRIVAL, value)


def _resolution_table(value: Mapping[Any, int]) -> Mapping[Priority, int]:
    return _merged(_RESOLUTION_DAYS, value)


def _optional_priority(value: object) -> Priority | None:
    if value is None:
        return None
    if isinstance(value, str) and value in {p.value for p in Priority}:
        return Priority(value)
    names = ", ".join(p.value for p in Priority)
    raise ValidationError(
        f"urgent_contact_from must be one of {names}, got {value!r:.40}", field="urgent_contact_from"
    )


def _clock_table(value: Mapping[Any, str]) -> Mapping[Priority, str]:
    return _merged(_CLOCK, value)


def _clocks(instance: object, attribute: attrs.Attribute[Any], value: Mapping[Priority, str]) -> None:
    for key, item in value.items():
        _clock_name(item, f"{attribute.name}.{key.value}")


def _tier_table(value: Mapping[CustomerTier, float]) -> Mapping[CustomerTier, float]:
    return frozen_mapping({**_TIER_FACTOR, **value})


def _positive_values(instance: object, attribute: attrs.Attribute[Any], value: Mapping[Any, float]) -> None:
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, int | float) or not item > 0:
            raise ValidationError(f"{attribute.name}.{key} must be a positive number", field=attribute.name)
        # The pack's bound for the unit the table names (ten years): infinity or 10**9 days were taken,
        # then every triage failed with Python's OverflowError.
        most = number_limit(attribute.name)
        if not math.isfinite(item) or item > most:
            raise ValidationError(
                f"{attribute.name}.{key} is a number of at most {most:,}, got {item!r:.40}",
                field=attribute.name,
                rule="number",
            )


def _factors(instance: object, attribute: attrs.Attribute[Any], value: Mapping[Any, float]) -> None:
    for key, item in value.items():
        CustomerTier(key)
        if isinstance(item, bool) or not isinstance(item, int | float) or not 0 < item <= 1:
            raise ValidationError(f"tier_factor.{key} must be in (0, 1], got {item}", field="tier_factor")


def _overrides(instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, SlaOverride]) -> None:
    for key, item in value.items():
        check_category_code(key, f"{attribute.name}.{key}")
        if not isinstance(item, SlaOverride):
            raise ValidationError(
                f"category_overrides.{key} must be a table of targets", field=attribute.name
            )


def _code_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):  # "repair" is one code, not five letters
        raise ValidationError(
            "dealer_contract_categories is a list of category codes", field="dealer_contract_categories"
        )
    if not isinstance(value, Iterable):
        raise ValidationError(
            "dealer_contract_categories is a list of category codes", field="dealer_contract_categories"
        )
    return tuple(value)


def _categories(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for code in value:
        if not isinstance(code, str):
            raise ValidationError(
                f"{attribute.name} lists category codes, got {code!r}", field=attribute.name
            )
        check_category_code(code, attribute.name)


def _reading(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in WORKING_DAY_READINGS:
        raise ValidationError(
            f"working_days must be one of {', '.join(WORKING_DAY_READINGS)}, got {value!r}",
            field=attribute.name,
        )


def _contact_minutes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        raise ValidationError(
            f"urgent_contact_minutes must be 0 (none) or 1–1440 minutes, got {value!r}", field=attribute.name
        )


def _steps(value: Any) -> tuple[Any, ...]:
    # one step named as text is that step, not its letters
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValidationError("response_steps is a list of step names", field="response_steps")
    return tuple(value)


def _response_steps(
    instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    known = set(TICKET_WORKFLOW.triggers) | set(COMPLAINT_WORKFLOW.triggers)
    for step in value:
        if not isinstance(step, str) or step not in known:
            names = ", ".join(sorted(known))
            raise ValidationError(
                f"response_steps: {step!r} is not a ticket or complaint step; known: {names}",
                field="response_steps",
            )


@refused_typed
@attrs.frozen
class SlaParams:
    """Parameters of the default SLA policy (pack section ``[sla]``). Hours are working hours unless named
    otherwise; per-priority tables may list only the priorities they change."""

    response_hours: Mapping[Priority, float] = attrs.field(
        default=_RESPONSE, converter=_response_table, validator=_positive_values
    )
    """First response per priority (seed 001 [X]小时; critical = the urgent contact, [X]分钟: 0.5 h)."""
    arrival_hours: Mapping[Priority, float] = attrs.field(
        default=_ARRIVAL, converter=_arrival_table, validator=_positive_values
    )
    """On-site arrival per priority, for on-site plans (seed 003: 告知预计上门时间)."""
    resolution_days: Mapping[Priority, int] = attrs.field(
        default=_RESOLUTION_DAYS, converter=_resolution_table, validator=_positive_values
    )
    """Resolution per priority in working days (seed 001 一般售后问题 [X]个工作日)."""
    resolution_hours: Mapping[Priority, float] = attrs.field(
        factory=dict, converter=frozen_mapping, validator=_positive_values
    )
    """Resolution in working hours for the priorities listed (wins over ``resolution_days``)."""
    clock: Mapping[Priority, str] = attrs.field(
        default=_CLOCK, converter=_clock_table, validator=_clocks, metadata=_SINCE_S25
    )
    """How each priority's hours (response, arrival, ``resolution_hours``) are counted: ``working`` (the
    default) or ``wall`` — natural time, nights and holidays included (``{ critical = "wall" }``). A
    category override's own ``clock`` wins for its category. Working days keep their reading."""
    response_clock: str | None = attrs.field(default=None, validator=_optional_clock, metadata=_SINCE_S25)
    """How the response hours alone are counted, whatever the priority's ``clock`` (``"working"`` or
    ``"wall"``; ``None``, the default: the priority's). Seed 001 五(一)1 售后专员应在[X]小时内做出响应
    counts plain hours where 五(二) counts 工作日: ``"wall"`` there (session 34). A category
    override's own ``clock`` still wins for its category. Under ``dealer_contract`` it is ``"wall"``
    (left out, it becomes ``"wall"``; ``"working"`` is refused): see ``dealer_contract``."""
    complex_resolution_days: int = attrs.field(default=10, validator=at_least(1))
    """Resolution of a complex problem in working days (seed 001 复杂售后问题 [X]个工作日)."""
    category_overrides: Mapping[str, SlaOverride] = attrs.field(
        factory=dict, converter=frozen_mapping, validator=_overrides
    )
    """Targets per category code that replace the priority's (e.g. ``inquiry = { response_hours = 8 }``); a
    request graded above normal keeps its grade's response and arrival where the category's are looser."""
    tier_factor: Mapping[CustomerTier, float] = attrs.field(
        default=_TIER_FACTOR,
        converter=_tier_table,
        validator=_factors,
    )
    """Multiplier per customer tier (VIP tighter); working days are rounded down, at least one. A pack names
    only the tiers it changes (``{ important = 0.8 }`` keeps VIP × 0.5; ``vip = 1.0`` lifts it)."""
    callback_hours: int = attrs.field(default=24, validator=in_range(1, 24 * 90))
    """Callback after resolution, in hours (seed 003: 24)."""
    callback_in_working_hours: bool = attrs.field(default=False, validator=true_or_false)
    """Count ``callback_hours`` as working hours instead of wall-clock hours."""
    callback_from: str = attrs.field(
        default="acceptance",
        validator=attrs.validators.in_(CALLBACK_STARTS),
        metadata={"fingerprint_omit_default": True},  # stores stamped before it keep their digest
    )
    """What ``callback_hours`` runs from: ``acceptance`` or ``work_done`` (seed 003: 工程师将处理结果录入系统,
    客服专员在24小时内对客户进行回访). Must equal ``[callback] service_from``."""
    complaint_resolved_by: str = attrs.field(
        default="feedback",
        validator=attrs.validators.in_(COMPLAINT_RESOLUTION_STOPS),
        metadata={"fingerprint_omit_default": True},  # stores stamped before it keep their digest
    )
    """Which step meets a complaint's resolution target: ``feedback`` (the result told, 结果反馈; seeds 000,
    001, 004) or ``solution`` (the solution given, seed 003 二 5: 在规定时限内给出解决方案 — the proposal or
    the decision returned as the solution, :mod:`aftersales.domain.sla_solution`). The complaint is still
    handled (``resolved_at``, its 7-day callback, the complaint resolution rate) at the feedback."""
    service_resolved_by: str = attrs.field(
        default="acceptance",
        validator=attrs.validators.in_(SERVICE_RESOLUTION_STOPS),
        metadata={"fingerprint_omit_default": True},  # stores stamped before it keep their digest
    )
    """Which step meets a service ticket's (not a complaint's) resolution target: ``acceptance`` (the
    customer's ``confirm``: seeds 000 验收确认, 002 经客户确认, 003 服务单由客户签字确认) or ``work_done``
    (the work marked done, ``resolve``: seed 001 五(二)1 [X]个工作日内处理完毕, where 三(六) has the work
    处理完毕 first and the specialist then tell the customer and confirm their satisfaction). A rejection
    runs the clock again until the next ``resolve``. The ticket is still resolved (``resolved_at``, the
    resolved count, the callback from the acceptance) at the acceptance."""
    complaint_callback_days: int = attrs.field(default=7, validator=in_range(1, 90))
    """Callback after a complaint is handled, in whole local days: through the end of the N-th day after
    the day it was handled (seed 004: 七天内)."""
    dealer_contract: bool = attrs.field(default=False, validator=true_or_false)
    """Apply the seed 002 dealer contract: resolution within wall-clock hours of the call.

    The response is then counted on the same wall clock (``response_clock`` ``"wall"``), and no response
    target may be longer than ``dealer_resolution_hours``: the response tells the customer when the
    problem will be solved (seed 003 响应: 告知预计上门或解决时间), so it cannot fall due after the fix. In
    working hours a call at 17:00 on 30 September was due its answer on 8 October 12:00, past the National
    Day holiday, while the dealer had to fix it by 17:00 on 1 October (session 35). A category override
    counting a contract category's hours in working time is refused for the same reason.

    The on-site arrival of a call the contract binds counts on the same wall clock from the same notice
    as the fix (the dealer's dispatch), and no arrival target may be longer than
    ``dealer_resolution_hours`` either: counted in working hours from the call, an ordinary call's 24
    hours fell due three working days later, two days after the fix on any week (session 36)."""
    dealer_resolution_hours: int = attrs.field(default=24, validator=in_range(1, 24 * 30))
    """The dealer contract's resolution limit in wall-clock hours (seed 002: 24小时之内)."""
    dealer_special_case_hours: int = attrs.field(default=48, validator=in_range(1, 24 * 30))
    """The most it may be extended to in special cases approved by the maker (seed 002: 不得超过48小时)."""
    dealer_contract_categories: tuple[str, ...] = attrs.field(
        default=("repair",), converter=_code_list, validator=_categories
    )
    """The ticket categories the dealer contract binds (seed 002: 乙方接到用户的叫修 — a user's call about a
    problem): by default a repair; a pack whose call flow ends in 修理或更换 lists ``return_exchange`` too
    (sanitary_ware: an out-of-box unit exchanged). An installation at delivery or a planned maintenance
    visit keeps the general targets."""
    warn_share: float = attrs.field(default=0.8, validator=in_range(0.05, 1.0))
    """Share of a target's window after which it is at risk (warning)."""
    pause_on_parts: bool = attrs.field(default=False, validator=true_or_false)
    """Whether awaiting parts pauses the clock (it always pauses while awaiting the customer)."""
    reopened_raise: int = attrs.field(default=1, validator=in_range(0, 2))
    """A reopened ticket gets the targets of a priority this many levels higher, from the reopen."""
    reopened_response: bool = attrs.field(default=False, validator=true_or_false)
    """Whether a reopened ticket gets a new response target (the reopen itself is a response)."""
    working_days: str = attrs.field(default="working_time", validator=_reading)
    """How "N working days" is read: ``working_time`` (N × the calendar's working-day length of working
    time: 2 days from Mon 10:00 is Wed 10:00 on an 8-hour day) or ``end_of_day`` (by the end of the N-th
    following working day: Mon 10:00 → Wed 18:00)."""
    urgent_contact_minutes: int | None = attrs.field(default=30, validator=_contact_minutes)
    """Seed 001 (紧急问题 … 在[X]分钟内与客户取得联系): an urgent call's first contact, in wall-clock minutes
    (``None``, or ``0`` in a pack since TOML has no null: urgent calls keep their priority's response target,
    as seed 003's 紧急问题 … Y个工作小时内响应 counts them in working hours)."""
    urgent_contact_from: Priority | None = attrs.field(
        default=None, converter=_optional_priority, metadata=_SINCE_S25
    )
    """The grade from which a problem is an urgent one too, flagged or not (``None``, the default: only a
    flagged call): its first contact is ``urgent_contact_minutes`` of the clock. Seed 001 (session
    29): a show's system down, graded critical, is the seed's 紧急问题 as much as a flagged call."""

    response_steps: tuple[str, ...] = attrs.field(default=(), converter=_steps, validator=_response_steps)
    """Steps counted as the first response beside the standard ones (a call, a visible note, a visit:
    ``RESPONSE_ACTIONS``), e.g. ``["start_work"]`` where the engineer's arrival is the first contact.
    The SLA records them on each ticket (``Ticket.response_steps``), so the KPI and the breach report
    count the same response as the clock."""

    def __attrs_post_init__(self) -> None:
        if self.urgent_contact_from is not None and not self.urgent_contact_minutes:
            # Used or refused: without minutes the grade gives no urgent contact, and was ignored.
            raise ValidationError(
                f"urgent_contact_from {self.urgent_contact_from.value!r} gives urgent_contact_minutes of the "
                f"clock to the grades from it, but urgent_contact_minutes is {self.urgent_contact_minutes!r} "
                f"(none): set the minutes, or leave urgent_contact_from out",
                field="urgent_contact_from",
            )
        if self.dealer_special_case_hours < self.dealer_resolution_hours:
            raise ValidationError(
                "dealer_special_case_hours must not be below dealer_resolution_hours",
                field="dealer_special_case_hours",
            )
        if self.dealer_contract:
            _dealer_response(self)
        for priority in Priority:
            _check_order(
                priority.value,
                self.response_hours[priority],
                self.arrival_hours[priority],
                self.resolution_hours.get(priority),
                self.resolution_days[priority] if priority not in self.resolution_hours else None,
            )
        for category, override in self.category_overrides.items():
            _check_order(
                f"category_overrides.{category}",
                override.response_hours,
                override.arrival_hours,
                override.resolution_hours,
                override.resolution_days if override.resolution_hours is None else None,
            )


def urgent_contact_applies(params: SlaParams, priority: Priority, urgent: bool) -> bool:
    """Whether seed 001's urgent contact (紧急问题 … 在[X]分钟内与客户取得联系) binds a ticket of ``priority``
    (``urgent``: flagged urgent): the pack gives minutes, and the call is flagged or graded at least
    ``urgent_contact_from``. Its response is then due within those minutes of the clock from the call,
    also when the grade is raised later (``domain.sla_retarget``, ``urgent``)."""
    if not params.urgent_contact_minutes:
        return False
    floor = params.urgent_contact_from
    return urgent or (floor is not None and priority.rank >= floor.rank)


def _dealer_response(params: SlaParams) -> None:
    """Put the response on the dealer contract's wall clock unless the pack names its clock, and refuse
    what would let it fall due after the contract's fix (see ``SlaParams.dealer_contract``). A pack that
    sets ``response_clock = "working"`` itself is heard (a store written before session 35 kept its
    response dues so, and a maker may answer in office hours only): its response target is still bounded
    by the dealer's hours below, as is the arrival of a contract call."""
    for category in params.dealer_contract_categories:
        override = params.category_overrides.get(category)
        if override is not None and override.clock == "working":
            raise ValidationError(
                f"category_overrides.{category}.clock 'working': {category} is bound by the dealer "
                "contract, whose fix is due in wall-clock hours; its response counted in working hours "
                "falls due after the fix over a holiday",
                field=f"category_overrides.{category}.clock",
            )
    if params.response_clock is None:
        object.__setattr__(params, "response_clock", "wall")
    factor = max([1.0, *params.tier_factor.values()])
    _within_contract(params, "response", factor, "the response tells the customer when the problem is solved")
    # The arrival of a contract call counts on the same clock from the dealer's notice (DefaultSla.decide):
    # an engineer due on site after the fix is due done could only breach (session 36).
    _within_contract(params, "arrival", factor, "the dealer's engineer is on site before the fix")


def _within_contract(params: SlaParams, target: str, factor: float, why: str) -> None:
    """Refuse a ``target`` (``response`` or ``arrival``) hours entry of a contract call, per priority or
    category override, that with the tier factor falls due after the dealer's fix."""
    limit = params.dealer_resolution_hours
    entries = [(f"{target}_hours.{p.value}", h) for p, h in getattr(params, f"{target}_hours").items()]
    entries += [
        (f"category_overrides.{c}.{target}_hours", hours)
        for c, o in params.category_overrides.items()
        if (hours := getattr(o, f"{target}_hours")) is not None and c in params.dealer_contract_categories
    ]
    for key, hours in entries:
        if hours * factor > limit:
            raise ValidationError(
                f"{key} ({hours * factor:g} h with the tier factor) is longer than dealer_resolution_hours "
                f"({limit} h): {why}, so it cannot fall due after the dealer's fix",
                field=key,
            )


def _check_order(
    where: str, response: float | None, arrival: float | None, hours: float | None, days: int | None
) -> None:
    """Refuse targets of one priority (or one category's override) in an order the seeds make meaningless.

    Seed 003: 故障报修及紧急问题, Y个工作小时内响应, 并告知预计上门或解决时间 — the response tells the
    customer when the engineer comes and when it is solved, so it cannot be due after the arrival or the
    resolution; an engineer cannot be due on site after the repair is due done. Working days are compared
    at 24 working hours a day (no calendar's working day is longer), so only an order wrong on every
    calendar is refused.
    """
    resolution = hours if hours is not None else days * 24.0 if days is not None else None
    basis = "resolution_hours" if hours is not None else "resolution_days"
    pairs = (
        ("response_hours", response, "arrival_hours", arrival),
        ("response_hours", response, basis, resolution),
        ("arrival_hours", arrival, basis, resolution),
    )
    for first, early, second, late in pairs:
        if early is not None and late is not None and early > late:
            key = f"{where}.{first}" if where.startswith("category_overrides.") else f"{first}.{where}"
            shown = f"{days} working days" if second == "resolution_days" else f"{late:g} h"
            why = (
                "the response tells the customer when the engineer comes and when it is solved (seed 003)"
                if first == "response_hours"
                else "an engineer due on site after the repair is due done could only breach"
            )
            raise ValidationError(f"{key} ({early:g} h) is later than {second} ({shown}): {why}", field=key)


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _minutes(duration: timedelta) -> int:
    return int(duration // timedelta(minutes=1))


def _scaled(target: SlaTarget, factor: float) -> SlaTarget:
    if target.basis in ("working_days", "end_of_day", "calendar_days"):
        days = max(1, int(round(target.duration.days * factor, 9)))
        return attrs.evolve(target, duration=timedelta(days=days))
    seconds = max(60, round(target.duration.total_seconds() * factor))
    return attrs.evolve(target, duration=timedelta(seconds=seconds))


@attrs.frozen
class DefaultSla:
    """Targets from priority, category, customer tier and kind; the dealer contract as an option."""

    params: SlaParams = SlaParams()
    name: str = "default.sla"

    def decide(self, facts: SlaFacts) -> Decision[SlaTargets]:
        """The targets for ``facts``, with one reason per rule that set or changed a target."""
        p = self.params
        reasons: list[Reason] = []
        priority = facts.priority
        if facts.reopened and p.reopened_raise:
            priority = priority.raised(p.reopened_raise)
            reasons.append(Reason("sla_reopened", {"priority": priority.value, "levels": p.reopened_raise}))
        days = "working_days" if p.working_days == "working_time" else "end_of_day"
        override = p.category_overrides.get(facts.category)
        # The ticket's hours are counted on one clock: its category's, else its priority's.
        clock = override.clock if override is not None and override.clock else p.clock[priority]
        hours = "calendar" if clock == "wall" else "working"
        # The response may count on its own clock (seed 001: [X]小时 to respond, [X]个工作日 to solve).
        answer = (
            clock if (override is not None and override.clock) or not p.response_clock else p.response_clock
        )
        answer_hours = "calendar" if answer == "wall" else "working"
        targets: dict[str, SlaTarget] = {}
        if not facts.reopened or p.reopened_response:
            targets["response"] = SlaTarget("response", _hours(p.response_hours[priority]), answer_hours)
        # A complaint is handled by investigating and agreeing a solution, never by a visit of its own (a
        # visit is on the service ticket it is about): an arrival target on it could only breach.
        if facts.plan in (None, Plan.ON_SITE) and facts.kind is not TicketKind.COMPLAINT:
            targets["arrival"] = SlaTarget("arrival", _hours(p.arrival_hours[priority]), hours)
        if facts.complex:
            targets["resolution"] = SlaTarget("resolution", timedelta(days=p.complex_resolution_days), days)
        elif priority in p.resolution_hours:
            targets["resolution"] = SlaTarget("resolution", _hours(p.resolution_hours[priority]), hours)
        else:
            targets["resolution"] = SlaTarget("resolution", timedelta(days=p.resolution_days[priority]), days)
        for target in targets.values():
            reasons.append(_reason("sla_priority", target, priority=priority.value, complex=facts.complex))
        if override is not None:
            self._override(targets, override, facts.category, reasons, days, priority, hours, answer_hours)
        factor = p.tier_factor.get(facts.tier, 1.0)
        if factor != 1.0:
            for name, target in list(targets.items()):
                targets[name] = _scaled(target, factor)
            percent = round(factor * 100)
            reasons.append(Reason("sla_customer_tier", {"tier": facts.tier.value, "percent": percent}))
        if "response" in targets and urgent_contact_applies(p, priority, facts.urgent):
            contact = SlaTarget("response", timedelta(minutes=p.urgent_contact_minutes or 0), "calendar")
            graded = targets["response"]
            # The reason only where the urgent contact changed the response (session 35): a grade whose own
            # response is already those minutes of the clock (seed 001's critical 0.5 h, wall clock) owes
            # no other due. The re-counting after a grade raised later still counts the contact from the
            # call (service.sla asks urgent_contact_applies, not the reason).
            if graded.basis != "calendar" or graded.duration > contact.duration:
                targets["response"] = contact
                reasons.append(
                    Reason("sla_urgent_contact", {"target": "response", "minutes": p.urgent_contact_minutes})
                )
        if (
            p.dealer_contract
            and facts.kind is TicketKind.SERVICE
            and facts.dealer
            and facts.category in p.dealer_contract_categories
        ):
            targets["resolution"] = SlaTarget(
                "resolution",
                _hours(p.dealer_resolution_hours),
                "calendar",
                extended_to=_hours(p.dealer_special_case_hours),
                start="dealer_dispatch",
            )
            if "arrival" in targets:
                # The dealer fixes the call within its hours only by being there first (session 36): the
                # arrival runs on the same clock from the same notice, so it never falls due after the fix
                # (in working hours from the call it came three working days later, past any weekend).
                targets["arrival"] = attrs.evolve(
                    targets["arrival"], basis="calendar", start="dealer_dispatch"
                )
            reasons.append(
                Reason(
                    "sla_dealer_contract",
                    {"hours": p.dealer_resolution_hours, "special_case_hours": p.dealer_special_case_hours},
                )
            )
        if facts.kind is TicketKind.COMPLAINT:
            # 七天内: whole local days, through the end of the last one (as the callback task counts them).
            within = timedelta(days=p.complaint_callback_days)
            targets["callback"] = SlaTarget("callback", within, "calendar_days")
            reasons.append(Reason("sla_complaint_callback", {"days": p.complaint_callback_days}))
        else:
            basis = "working" if p.callback_in_working_hours else "calendar"
            start = "work_done" if p.callback_from == "work_done" else "opened"
            targets["callback"] = SlaTarget("callback", _hours(p.callback_hours), basis, start=start)
            reasons.append(Reason("sla_service_callback", {"hours": p.callback_hours, "basis": basis}))
        pause = {TicketState.AWAITING_CUSTOMER}
        if p.pause_on_parts:
            pause.add(TicketState.AWAITING_PARTS)
            reasons.append(Reason("sla_pause_on_parts"))
        outcome = SlaTargets(
            tuple(targets.values()),
            Decimal(str(p.warn_share)),
            frozenset(pause),
            RESPONSE_ACTIONS | frozenset(p.response_steps),
            acceptance=facts.kind is not TicketKind.COMPLAINT,
            resolution_actions=_resolution_steps(p, facts.kind),
        )
        return Decision(outcome, reasons, self.name)

    @staticmethod
    def _override(
        targets: dict[str, SlaTarget],
        override: SlaOverride,
        category: str,
        reasons: list[Reason],
        days: str,
        priority: Priority = Priority.NORMAL,
        hours: str = "working",
        answer_hours: str | None = None,
    ) -> None:
        """Replace the priority's targets by the category's (the response counted on ``answer_hours``,
        ``hours`` when not given).

        A request graded above normal keeps its grade's response and arrival where the category's are
        looser (seed 003: 一般咨询类问题 X个小时, 故障报修及紧急问题 Y个工作小时 — an urgent inquiry
        is an urgent problem: the category's time is for its ordinary requests), with the reason
        ``sla_category_grade_kept``.
        """
        changed: list[SlaTarget] = []
        if override.response_hours is not None and "response" in targets:
            changed.append(SlaTarget("response", _hours(override.response_hours), answer_hours or hours))
        if override.arrival_hours is not None and "arrival" in targets:
            changed.append(SlaTarget("arrival", _hours(override.arrival_hours), hours))
        if override.resolution_hours is not None:
            changed.append(SlaTarget("resolution", _hours(override.resolution_hours), hours))
        elif override.resolution_days is not None:
            changed.append(SlaTarget("resolution", timedelta(days=override.resolution_days), days))
        for target in changed:
            graded = targets.get(target.name)
            if graded is not None and priority is not Priority.NORMAL and _looser(target, graded):
                reasons.append(
                    _reason("sla_category_grade_kept", graded, category=category, priority=priority.value)
                )
                continue
            targets[target.name] = target
            reasons.append(_reason("sla_category", target, category=category))


def _resolution_steps(p: SlaParams, kind: TicketKind) -> tuple[str, ...]:
    """The steps that meet the resolution instead of the acceptance (a service ticket) or the feedback (a
    complaint); none where the pack keeps those."""
    if kind is TicketKind.COMPLAINT:
        return SOLUTION_STEPS if p.complaint_resolved_by == "solution" else ()
    return WORK_DONE_STEPS if p.service_resolved_by == "work_done" else ()


def _looser(target: SlaTarget, graded: SlaTarget) -> bool:
    """``target`` (a category's response or arrival) gives more time than the grade's ``graded`` on the
    same basis; resolution targets in days and in hours are not compared (their lengths differ by
    calendar), and the category's resolution stands."""
    return (
        target.name in ("response", "arrival")
        and target.basis == graded.basis
        and target.duration > graded.duration
    )


def _reason(code: str, target: SlaTarget, **params: str | int | bool) -> Reason:
    size: dict[str, str | int | bool] = (
        {"days": target.duration.days}
        if target.basis in ("working_days", "end_of_day")
        else {"minutes": _minutes(target.duration)}
    )
    return Reason(code, {"target": target.name, "basis": target.basis, **size, **params})


KIND = PolicyKind("sla", SlaParams, DefaultSla)
"""Registers this kind with the policy registry (pack section ``[sla]``)."""
