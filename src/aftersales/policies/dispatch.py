"""Dispatch (派工): pick the engineer or the dealer for a ticket, and say why.

Seed 003: "客服中心根据服务类型、工程师技能特长及地理位置,进行合理派工" — by service type, the engineer's
skills and location. Seed 002: the authorised dealer of the customer's territory performs the service
("乙方负责所售产品的全过程服务"), so a ticket of a dealer never goes to another dealer's engineer. Candidates
come from an :class:`EngineerIndex` (by skill and region, only active engineers below their load limit),
are filtered by dealer, level, exclusions, absences (请假) and an on-duty predicate, then scored
(skill match, region, load, level) and ranked. No candidate → escalation to the manager with the reason.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar, Protocol

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.parties import Dealer, Engineer, EngineerLevel
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.work import Assignee, AssigneeKind, aware
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.engineer_index import DealerIndex, EngineerIndex
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import frozen_mapping, in_range, true_or_false
from aftersales.policies.routing import Route, RouteTarget

__all__ = [
    "KIND",
    "Candidate",
    "DefaultDispatch",
    "Dispatch",
    "DispatchMode",
    "DispatchParams",
    "DispatchRequest",
    "OnDuty",
    "Roster",
    "ScoreWeights",
    "WorkingTime",
    "calendar_on_duty",
]

OnDuty = Callable[[Engineer, datetime], bool]
"""Whether an engineer is on duty at an instant (shift plan, leave calendar, working hours)."""


class WorkingTime(Protocol):
    """Anything that knows working time, e.g. ``aftersales.domain.calendar.BusinessCalendar``."""

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` is inside working hours."""
        ...


def calendar_on_duty(calendar: WorkingTime) -> OnDuty:
    """An on-duty predicate: every engineer is on duty during the calendar's working time."""

    def on_duty(engineer: Engineer, at: datetime) -> bool:
        return calendar.is_working_time(at)

    return on_duty


class DispatchMode(CodedEnum):
    """Who performs the service: the maker's engineers, the territory's dealer (seed 002), or both."""

    ENGINEERS = "engineers"
    DEALER = "dealer"
    ENGINEERS_THEN_DEALER = "engineers_then_dealer"
    DEALER_THEN_ENGINEERS = "dealer_then_engineers"


@attrs.frozen
class ScoreWeights:
    """Weight of each scoring factor; each factor is in [0, 1], the score is the weighted sum."""

    skill: float = attrs.field(default=4.0, validator=in_range(0, 100))
    """Share of the request's preferred skills the engineer has (1 when none are preferred)."""
    region: float = attrs.field(default=3.0, validator=in_range(0, 100))
    """1 in the customer's region (or the dealer's home region), else 0."""
    load: float = attrs.field(default=2.0, validator=in_range(0, 100))
    """1 - load / limit: the less busy, the better."""
    level: float = attrs.field(default=1.0, validator=in_range(0, 100))
    """1 when the engineer's level is the one the route prefers."""


@refused_typed
@attrs.frozen
class DispatchParams:
    """Parameters of the default dispatch policy (pack section ``[dispatch]``)."""

    mode: DispatchMode = DispatchMode.ENGINEERS
    """Who performs the service."""
    weights: ScoreWeights = ScoreWeights()
    """Scoring weights (sub-table ``[dispatch.weights]``)."""
    same_region_only: bool = attrs.field(default=True, validator=true_or_false)
    """Only engineers of the customer's region; when false, others are ranked after them. A customer with
    no region is matched to every region (reason ``region_unknown``)."""
    ranked: int = attrs.field(default=5, validator=in_range(1, 100))
    """How many ranked candidates the decision keeps for the explanation."""

    RETIRED_KEYS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "escalate_to": "escalate_to is not a setting: who hears of a ticket nobody can take is the "
            "escalation table's escalation.targets.no_candidate (seed 001: 售后经理 by default); set that"
        }
    )


_NORMAL_ROUTE = Route(RouteTarget.AGENT_OR_JUNIOR, preferred_level=EngineerLevel.JUNIOR)


def _names(value: Iterable[str], field: str) -> frozenset[str]:
    """``value`` as a set of ids or skills, refusing, naming ``field``, what is none: a string (``"eng-1"``
    became the set of its letters), a non-collection (Python's ``TypeError``), or an item that is not
    non-blank text."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} is a collection of names, not {type(value).__name__}", field=field)
    items = list(value)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ValidationError(f"each of {field} is a non-blank name", field=field)
    return frozenset(items)


def _skills(value: Iterable[str]) -> frozenset[str]:
    return _names(value, "preferred_skills")


def _excluded(value: Iterable[str]) -> frozenset[str]:
    return _names(value, "exclude")


def _engineer_ids(value: Iterable[str]) -> frozenset[str]:
    return _names(value, "emergency_members")


@attrs.frozen
class DispatchRequest:
    """What dispatch needs to know about one ticket.

    ``exclude`` names engineers who must not get it again (on reassignment: the previous assignee);
    the reassignment itself is recorded in the ticket's event log, so history is kept.
    """

    at: datetime = attrs.field(validator=aware)
    region: str | None = None
    skill: str | None = None
    preferred_skills: frozenset[str] = attrs.field(factory=frozenset, converter=_skills)
    route: Route = attrs.field(factory=lambda: _NORMAL_ROUTE)
    dealer_id: DealerId | None = None
    exclude: frozenset[str] = attrs.field(factory=frozenset, converter=_excluded)
    emergency_members: frozenset[str] = attrs.field(factory=frozenset, converter=_engineer_ids)
    """Members of the emergency teams the desk registered (``desk.teams``): on the emergency team as much
    as an engineer flagged ``emergency_team`` (seed 003 特急问题则启动应急小组), for an emergency route."""


@attrs.frozen
class Candidate:
    """One ranked candidate: who, the total score, and each factor's weighted contribution."""

    assignee: Assignee
    score: float
    factors: Mapping[str, float] = attrs.field(converter=frozen_mapping)


@attrs.frozen
class Dispatch:
    """The outcome: the assignee (or ``None``), and the ranked candidates. ``escalate_to`` is who was told
    of a ticket nobody could take: the escalation table's choice, set by the desk after asking it."""

    assignee: Assignee | None
    ranked: tuple[Candidate, ...] = ()
    escalate_to: Role | None = None


@attrs.frozen
class Roster:
    """The people dispatch can choose from, indexed once and kept current by the service layer."""

    engineers: EngineerIndex = attrs.field(factory=EngineerIndex)
    dealers: DealerIndex = attrs.field(factory=DealerIndex)


_LEVEL_RANK = {EngineerLevel.JUNIOR: 0, EngineerLevel.SENIOR: 1}


@attrs.frozen
class DefaultDispatch:
    """Indexed candidates, scored and ranked; the dealer of the territory where the pack says so."""

    params: DispatchParams = DispatchParams()
    name: str = "default.dispatch"

    def decide(
        self, request: DispatchRequest, roster: Roster, on_duty: OnDuty | None = None
    ) -> Decision[Dispatch]:
        """Choose for ``request`` from ``roster``; ``on_duty`` filters engineers (all on duty if ``None``)."""
        mode = self.params.mode
        reasons: list[Reason] = []
        order = {
            DispatchMode.ENGINEERS: ("engineers",),
            DispatchMode.DEALER: ("dealer",),
            DispatchMode.ENGINEERS_THEN_DEALER: ("engineers", "dealer"),
            DispatchMode.DEALER_THEN_ENGINEERS: ("dealer", "engineers"),
        }[mode]
        if request.route.target is RouteTarget.DEALER:
            # The pack's routing sends this grade to the territory's dealer (``routing.targets``): the
            # route says who handles it (its reason: route_by_priority), the mode only how the others
            # are searched; nobody else is chosen, and no dealer is a failed dispatch like any other.
            order = ("dealer",)
        for step in order:
            if step == "engineers":
                ranked = self._engineers(request, roster.engineers, on_duty, reasons)
            else:
                ranked = self._dealer(request, roster.dealers, reasons)
            if ranked:
                best = ranked[0]
                reasons.append(
                    Reason(
                        "dispatch_selected",
                        {
                            "kind": best.assignee.kind.value,
                            "id": best.assignee.id,
                            "score": f"{best.score:.3f}",
                            "candidates": len(ranked),
                        },
                    )
                )
                return Decision(Dispatch(best.assignee, ranked), reasons, self.name)
        # Nobody: the reasons say why (no_engineer, no_dealer); who is told is the escalation table's
        # (escalation.targets.no_candidate), which the desk asks next and records as escalate_to.
        return Decision(Dispatch(None, ()), reasons, self.name)

    def _engineers(
        self, request: DispatchRequest, index: EngineerIndex, on_duty: OnDuty | None, reasons: list[Reason]
    ) -> tuple[Candidate, ...]:
        route = request.route
        if route.emergency_team:
            members = request.emergency_members
            pool: Iterable[EngineerId] = index.emergency(request.skill) | {
                e for e in index.with_skill(request.skill) if e in members
            }
        elif self.params.same_region_only and request.region is not None:
            pool = index.candidates(request.skill, request.region)
        else:
            if self.params.same_region_only:
                # No region known (a walk-in, an import that kept none): the rule cannot apply, and
                # matching only region-less engineers left every regional one out.
                reasons.append(Reason("region_unknown", {"skill": request.skill}))
            pool = index.with_skill(request.skill)
        min_rank = _LEVEL_RANK[route.min_level] if route.min_level else 0
        w = self.params.weights
        preferred = request.preferred_skills
        seen = off_duty = below_level = excluded = other_dealer = 0
        scored: list[tuple[float, int, EngineerId, dict[str, float]]] = []
        for engineer_id in pool:
            seen += 1
            if engineer_id in request.exclude:
                excluded += 1
                continue
            engineer = index.get(engineer_id)
            if not engineer.may_work_for(request.dealer_id):
                other_dealer += 1
                continue
            if _LEVEL_RANK[engineer.level] < min_rank:
                below_level += 1
                continue
            if not engineer.available_at(request.at) or (
                on_duty is not None and not on_duty(engineer, request.at)
            ):
                off_duty += 1
                continue
            load = index.load(engineer_id)
            skill_f = len(preferred & engineer.skills) / len(preferred) if preferred else 1.0
            region_f = 1.0 if engineer.region == request.region else 0.0
            load_f = 1.0 - load / engineer.max_load
            level_f = 1.0 if route.preferred_level in (None, engineer.level) else 0.0
            factors = {
                "skill": w.skill * skill_f,
                "region": w.region * region_f,
                "load": w.load * load_f,
                "level": w.level * level_f,
            }
            scored.append((-sum(factors.values()), load, engineer_id, factors))
        # Only the kept few become Candidate objects: building them is what costs, not scoring.
        ranked = tuple(
            Candidate(Assignee(AssigneeKind.ENGINEER, eid, index.get(eid).name), -neg, factors)
            for neg, _, eid, factors in heapq.nsmallest(self.params.ranked, scored)
        )
        if not ranked:
            reasons.append(
                Reason(
                    "no_engineer",
                    {
                        "skill": request.skill,
                        "region": request.region,
                        "emergency_team": route.emergency_team,
                        "with_capacity": seen,
                        "excluded": excluded,
                        "below_level": below_level,
                        "off_duty": off_duty,
                        "other_dealer": other_dealer,
                    },
                )
            )
            if route.emergency_team:
                # Seed 003 二 3 (特急问题则启动应急小组): only the emergency team's members were asked —
                # the manager reads that none of them is free, not that the region has no engineer.
                reasons.append(Reason("no_emergency_member", {"members": seen, "off_duty": off_duty}))
            elif below_level and route.min_level is not None:
                # Seed 003 二 3 (加急问题由资深工程师介入): engineers who could go were held back by the
                # grade's level only — the manager reads that, and may send one by hand with a reason.
                reasons.append(
                    Reason(
                        "no_engineer_at_level",
                        {
                            "region": request.region,
                            "required_level": route.min_level.value,
                            "below_level": below_level,
                            "off_duty": off_duty,
                        },
                    )
                )
        return ranked

    def _dealer(
        self, request: DispatchRequest, dealers: DealerIndex, reasons: list[Reason]
    ) -> tuple[Candidate, ...]:
        chosen: list[Dealer] = []
        own = dealers.get(request.dealer_id) if request.dealer_id else None
        if own is not None and own.id not in request.exclude:
            chosen.append(own)
        chosen.extend(
            d for d in dealers.serving(request.region) if d.id not in request.exclude and d is not own
        )
        w = self.params.weights
        ranked: list[Candidate] = []
        for dealer in chosen[: self.params.ranked]:
            factors = {
                "region": w.region * (1.0 if dealer.serves(request.region) else 0.0),
                "customer_dealer": 1.0 if dealer is own else 0.0,
            }
            assignee = Assignee(AssigneeKind.DEALER, dealer.id, dealer.name)
            ranked.append(Candidate(assignee, sum(factors.values()), factors))
        ranked.sort(key=lambda c: -c.score)
        if ranked:
            reasons.append(
                Reason("dealer_territory", {"dealer": ranked[0].assignee.id, "region": request.region})
            )
        elif request.region is None:  # "no dealer serves region None": the region is what is missing
            reasons.append(Reason("no_dealer_region_unknown", {}))
        else:
            reasons.append(Reason("no_dealer", {"region": request.region}))
        return tuple(ranked)


KIND = PolicyKind("dispatch", DispatchParams, DefaultDispatch)
"""Registers this kind with the policy registry (pack section ``[dispatch]``)."""
