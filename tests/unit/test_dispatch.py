"""Dispatch: indexed candidates, scoring, dealers, escalation; 1,000 engineers and 10,000 tickets."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.parties import Dealer, Engineer, EngineerLevel
from aftersales.domain.work import AssigneeKind
from aftersales.policies.dispatch import (
    DefaultDispatch,
    DispatchMode,
    DispatchParams,
    DispatchRequest,
    Roster,
    calendar_on_duty,
)
from aftersales.policies.engineer_index import DealerIndex, EngineerIndex
from aftersales.policies.routing import Route, RouteTarget

AT = datetime(2024, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JUNIOR, SENIOR = EngineerLevel.JUNIOR, EngineerLevel.SENIOR


def eng(id: str, region: str = "sh", skills: tuple[str, ...] = ("printer",), **kw: object) -> Engineer:
    return Engineer(EngineerId(id), id.upper(), skills=frozenset(skills), region=region, **kw)  # type: ignore[arg-type]


def roster(*engineers: Engineer, dealers: tuple[Dealer, ...] = ()) -> Roster:
    return Roster(EngineerIndex(engineers), DealerIndex(dealers))


def test_picks_least_loaded_matching_engineer_and_explains() -> None:
    r = roster(
        eng("a", active_load=5), eng("b", active_load=1), eng("c", region="bj"), eng("d", skills=("desk",))
    )
    decision = DefaultDispatch().decide(DispatchRequest(AT, "sh", "printer"), r)
    assert decision.outcome.assignee is not None
    assert decision.outcome.assignee.id == "b"
    assert [c.assignee.id for c in decision.outcome.ranked] == ["b", "a"]
    best = decision.outcome.ranked[0]
    assert best.factors["load"] == pytest.approx(2.0 * (1 - 1 / 8))
    assert best.score == pytest.approx(sum(best.factors.values()))
    assert decision.codes == ("dispatch_selected",)


def test_engineers_at_their_load_limit_are_not_candidates_and_rejoin_when_freed() -> None:
    index = EngineerIndex([eng("a", active_load=8)])
    request = DispatchRequest(AT, "sh", "printer")
    decision = DefaultDispatch().decide(request, Roster(index))
    assert decision.outcome.assignee is None
    # Who is told is the escalation table's (escalation.targets.no_candidate): the desk asks it next.
    assert decision.outcome.escalate_to is None
    assert decision.codes == ("no_engineer",)
    index.adjust_load(EngineerId("a"), -1)
    assert DefaultDispatch().decide(request, Roster(index)).outcome.assignee is not None


def test_senior_route_filters_juniors_and_prefers_level() -> None:
    r = roster(eng("j", level=JUNIOR), eng("s", level=SENIOR, active_load=4))
    senior = Route(RouteTarget.SENIOR_ENGINEER, SENIOR, SENIOR)
    assert (
        DefaultDispatch()
        .decide(DispatchRequest(AT, "sh", "printer", route=senior), r)
        .outcome.ranked[0]
        .assignee.id
        == "s"
    )
    normal = DefaultDispatch().decide(DispatchRequest(AT, "sh", "printer"), r).outcome
    assert [c.assignee.id for c in normal.ranked] == ["j", "s"]


def test_emergency_route_uses_the_emergency_team_in_any_region() -> None:
    r = roster(eng("x"), eng("t", region="bj", emergency_team=True))
    route = Route(RouteTarget.EMERGENCY_TEAM, None, SENIOR, True)
    decision = DefaultDispatch().decide(DispatchRequest(AT, "sh", "printer", route=route), r)
    assert decision.outcome.assignee is not None
    assert decision.outcome.assignee.id == "t"


def test_off_duty_and_excluded_engineers_are_counted_in_the_reason() -> None:
    r = roster(eng("a"), eng("b"))
    decision = DefaultDispatch().decide(
        DispatchRequest(AT, "sh", "printer", exclude={"a"}), r, on_duty=lambda e, at: e.id != "b"
    )
    assert decision.outcome.assignee is None
    params = decision.reasons[0].params
    assert (params["with_capacity"], params["excluded"], params["off_duty"]) == (2, 1, 1)


def test_calendar_on_duty_adapter() -> None:
    class Closed:
        def is_working_time(self, at: datetime) -> bool:
            return False

    decision = DefaultDispatch().decide(
        DispatchRequest(AT, "sh", "printer"), roster(eng("a")), calendar_on_duty(Closed())
    )
    assert decision.outcome.assignee is None


def test_other_regions_ranked_after_own_region_when_allowed() -> None:
    r = roster(eng("far", region="bj"), eng("near", active_load=6))
    policy = DefaultDispatch(DispatchParams(same_region_only=False))
    assert [c.assignee.id for c in policy.decide(DispatchRequest(AT, "sh", "printer"), r).outcome.ranked] == [
        "near",
        "far",
    ]


def test_dealer_of_the_territory_performs_the_service() -> None:
    dealers = (
        Dealer(DealerId("d1"), "East", "sh", service_area={"sz"}),
        Dealer(DealerId("d2"), "North", "bj"),
    )
    policy = DefaultDispatch(DispatchParams(mode=DispatchMode.DEALER))
    decision = policy.decide(DispatchRequest(AT, "sz"), roster(dealers=dealers))
    assert decision.outcome.assignee is not None
    assert (decision.outcome.assignee.kind, decision.outcome.assignee.id) == (AssigneeKind.DEALER, "d1")
    assert decision.codes == ("dealer_territory", "dispatch_selected")
    nobody = policy.decide(DispatchRequest(AT, "gz"), roster(dealers=dealers))
    assert nobody.codes == ("no_dealer",)


def test_engineers_then_dealer_falls_back() -> None:
    policy = DefaultDispatch(DispatchParams(mode=DispatchMode.ENGINEERS_THEN_DEALER))
    r = roster(eng("a", region="bj"), dealers=(Dealer(DealerId("d1"), "East", "sh"),))
    decision = policy.decide(DispatchRequest(AT, "sh", "printer"), r)
    assert decision.outcome.assignee is not None
    assert decision.outcome.assignee.id == "d1"
    assert decision.codes == ("no_engineer", "dealer_territory", "dispatch_selected")


def test_index_refuses_duplicates_and_unknown_ids() -> None:
    from aftersales.errors import DuplicateError, NotFound

    index = EngineerIndex([eng("a")])
    with pytest.raises(DuplicateError):
        index.add(eng("a"))
    with pytest.raises(NotFound):
        index.set_load(EngineerId("zz"), 1)


def _naive(engineers: dict[str, Engineer], loads: dict[str, int], skill: str, region: str) -> str | None:
    best: tuple[float, int, str] | None = None
    for e in engineers.values():
        if skill in e.skills and e.region == region and loads[e.id] < e.max_load:
            score = 4.0 + 3.0 + 2.0 * (1 - loads[e.id] / e.max_load) + (1.0 if e.level is JUNIOR else 0.0)
            key = (-score, loads[e.id], e.id)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def test_thousand_engineers_ten_thousand_tickets_match_a_full_scan_and_respect_limits() -> None:
    rng = random.Random(9)
    regions = [f"r{i}" for i in range(20)]
    skills = [f"s{i}" for i in range(10)]
    engineers = {
        f"e{i}": eng(
            f"e{i}", rng.choice(regions), tuple(rng.sample(skills, 3)), level=rng.choice([JUNIOR, SENIOR])
        )
        for i in range(1000)
    }
    index = EngineerIndex(engineers.values())
    loads = dict.fromkeys(engineers, 0)
    policy = DefaultDispatch()
    assigned = escalated = 0
    for n in range(10_000):
        skill, region = rng.choice(skills), rng.choice(regions)
        decision = policy.decide(DispatchRequest(AT, region, skill), Roster(index))
        chosen = decision.outcome.assignee
        assert (chosen.id if chosen else None) == _naive(engineers, loads, skill, region), n
        if chosen is None:
            escalated += 1
            continue
        assigned += 1
        loads[chosen.id] += 1
        index.adjust_load(EngineerId(chosen.id), +1)
    assert assigned + escalated == 10_000
    assert escalated > 0  # 1,000 engineers × 8 < 10,000 tickets: some must go to the manager
    assert all(loads[e] <= engineers[e].max_load for e in engineers)
    assert all(index.load(EngineerId(e)) == loads[e] for e in engineers)
