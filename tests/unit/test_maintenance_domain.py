"""Maintenance plans, visits, service contracts and survey sampling: the pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aftersales.domain.actors import ActorRef
from aftersales.domain.maintenance import (
    ChecklistResult,
    MaintenancePlan,
    MaintenanceVisit,
    UsageInterval,
    VisitState,
    add_months,
)
from aftersales.domain.money import Money
from aftersales.domain.parties import CustomerTier
from aftersales.domain.products import Asset, Product
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.domain.survey_campaigns import FROM_PACK, Candidate, SamplingRules, sample
from aftersales.errors import InvalidTransition, ValidationError

AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
BY = ActorRef("eng-1", "engineer")


def plan(**kw: object) -> MaintenancePlan:
    args: dict[str, object] = {
        "id": "p1", "asset_id": "a1", "customer_id": "c1", "product_id": "wc", "interval_months": 6,
        "checklist": ("clean_valve", "check_seal"), "next_due": date(2026, 6, 1),
    }  # fmt: skip
    args.update(kw)
    return MaintenancePlan(**args)  # type: ignore[arg-type]


def test_add_months_clamps_to_the_last_day_of_shorter_months() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_plan_generates_lead_days_ahead_and_not_twice() -> None:
    p = plan(lead_days=14)
    assert p.generate_on == "2026-05-18"
    assert not p.due_for_generation(date(2026, 5, 17))
    assert p.due_for_generation(date(2026, 5, 18))
    p.opened("v1")
    assert p.generate_on is None and not p.due_for_generation(date(2026, 6, 30))
    p.done(date(2026, 6, 3), None)
    assert p.next_due == date(2026, 12, 3) and p.generate_on == "2026-11-19"


def test_usage_brings_the_due_date_forward() -> None:
    p = plan(usage=UsageInterval(5000, "cycles"))
    assert p.reading(1000, date(2026, 3, 1)) is False
    assert p.reading(5999, date(2026, 4, 1)) is False
    assert p.reading(6000, date(2026, 4, 2)) is True
    assert p.next_due == date(2026, 4, 2)
    with pytest.raises(ValidationError) as err:
        p.reading(10, date(2026, 4, 3))
    assert err.value.field == "reading"


@pytest.mark.parametrize(
    ("field", "value"),
    [("interval_months", 0), ("interval_months", True), ("lead_days", -1), ("checklist", ()),
     ("checklist", "clean"), ("checklist", ("a", "a")), ("next_due", datetime(2026, 1, 1, tzinfo=UTC))],
)  # fmt: skip
def test_bad_plans_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as err:
        plan(**{field: value})
    assert err.value.field == field


def visit() -> MaintenanceVisit:
    return MaintenanceVisit(
        id="v1", plan_id="p1", asset_id="a1", customer_id="c1", due_on=date(2026, 6, 1),
        generated_at=AT, checklist=("clean_valve", "check_seal"),
    )  # fmt: skip


def test_a_visit_is_done_with_a_result_for_every_task() -> None:
    v = visit()
    with pytest.raises(ValidationError, match="check_seal"):
        v.complete(date(2026, 6, 1), (ChecklistResult("clean_valve", True),), (), None)
    assert v.state is VisitState.SCHEDULED
    v.complete(
        date(2026, 6, 1),
        (ChecklistResult("clean_valve", True), ChecklistResult("check_seal", False, "seal worn")),
        (("WN-SEAL-02", 1),),
        None,
    )
    assert v.state is VisitState.DONE and v.on_time() is True
    with pytest.raises(InvalidTransition):
        v.miss(AT, BY, "again")


def test_a_postponed_visit_done_after_its_first_due_date_is_late() -> None:
    v = visit()
    v.postpone(date(2026, 6, 10), AT, BY, "customer away")
    assert v.due_on == date(2026, 6, 10) and v.changes[0].reason == "customer away"
    v.complete(
        date(2026, 6, 10),
        (ChecklistResult("clean_valve", True), ChecklistResult("check_seal", True)),
        (),
        None,
    )
    assert v.on_time() is False


def contract(**kw: object) -> ServiceContract:
    args: dict[str, object] = {
        "id": "HT-1", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31),
        "price": Money("1200.00", "CNY"), "customer_id": "c1", "assets": ("a1", "a2"),
    }  # fmt: skip
    args.update(kw)
    return ServiceContract(**args)  # type: ignore[arg-type]


def test_contract_covers_named_units_and_product_lines_within_its_days() -> None:
    named = contract()
    unit = Asset(id="a1", product_id="wc", serial="SN-1", customer_id="c1")  # type: ignore[arg-type]
    other = Asset(id="a9", product_id="wc", serial="SN-9", customer_id="c1")  # type: ignore[arg-type]
    product = Product(id="wc", model="W1", name="坐便器", category="toilet")  # type: ignore[arg-type]
    assert named.covers(unit, product, date(2026, 12, 31))
    assert not named.covers(unit, product, date(2027, 1, 1))
    assert not named.covers(other, product, date(2026, 6, 1))
    line = contract(assets=(), product_line="toilet")
    assert line.covers(other, product, date(2026, 6, 1))
    assert ContractCoverage(parts=False).covers("part") is False
    assert ContractCoverage().covers("labour") is True


def test_contract_overlap_and_expiry_reminder() -> None:
    first = contract()
    second = contract(id="HT-2", starts_on=date(2026, 12, 1), ends_on=date(2027, 11, 30), assets=("a2",))
    assert first.overlaps(second) == {"a2"}
    assert not first.expiring(date(2026, 11, 30))
    assert first.expiring(date(2026, 12, 1))


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"ends_on": date(2025, 12, 31)}, "ends_on"), ({"price": Money("-1", "CNY")}, "price"),
     ({"customer_id": None}, "customer_id"), ({"assets": ()}, "assets"),
     ({"remind_days": 400}, "remind_days")],
)  # fmt: skip
def test_bad_contracts_are_refused(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        contract(**kw)
    assert err.value.field == field


def test_sampling_follows_the_rules_and_is_reproducible() -> None:
    today = date(2026, 10, 1)
    people = [
        Candidate(f"c{i}", "sh" if i % 2 else "bj", "regular", frozenset({"wc"}), date(2026, 9, 1),
                  date(2026, 8, 1) if i % 3 == 0 else None)
        for i in range(60)
    ]  # fmt: skip
    rules = SamplingRules(regions={"sh"}, sample_size=10, served_within_days=None, exclude_surveyed_days=90)
    picked = sample("Q4", rules, people, today)
    assert len(picked) == 10
    assert all(c.region == "sh" and c.last_surveyed is None for c in picked)
    assert picked == sample("Q4", rules, reversed(people), today)
    assert picked != sample("Q1", rules, people, today)


def test_a_sampling_rule_takes_the_library_s_enum_members_as_their_codes() -> None:
    # Session 36: SamplingRules(tiers={CustomerTier.VIP}) was refused as "a rule lists codes", though the
    # member is the code's own type (a StrEnum) and other commands take it (priorities, tiers).
    rules = SamplingRules(tiers={CustomerTier.VIP}, sample_size=5, served_within_days=None)
    assert rules == SamplingRules(tiers={"vip"}, sample_size=5, served_within_days=None)
    assert [type(t) for t in rules.tiers] == [str]  # stored and fingerprinted as the plain code
    people = [Candidate(f"c{i}", "sh", ("vip", "regular")[i % 2], frozenset(), None, None) for i in range(6)]
    picked = sample("Q4", rules.filled(sample_size=5, exclude_surveyed_days=0, served_within_days=None),
                    people, date(2026, 10, 1))  # fmt: skip
    assert [c.customer_id for c in picked] and all(c.tier == "vip" for c in picked)
    with pytest.raises(ValidationError) as caught:  # still codes: a date is none
        SamplingRules(tiers={date(2026, 1, 1)})
    assert caught.value.field == "rules"


def test_unset_sampling_rules_are_filled_from_the_pack_and_set_ones_kept() -> None:
    rules = SamplingRules(regions={"sh"}, sample_size=10)
    assert rules.served_within_days is FROM_PACK and rules.exclude_surveyed_days is FROM_PACK
    filled = rules.filled(sample_size=200, exclude_surveyed_days=90, served_within_days=180)
    assert (filled.sample_size, filled.exclude_surveyed_days, filled.served_within_days) == (10, 90, 180)
    assert filled.regions == rules.regions
    anyone = SamplingRules(served_within_days=None).filled(
        sample_size=200, exclude_surveyed_days=90, served_within_days=180
    )
    assert anyone.served_within_days is None and anyone.sample_size == 200
    with pytest.raises(ValidationError) as caught:  # sampling never guesses an unset number
        sample("Q4", rules, [], date(2026, 10, 1))
    assert caught.value.field == "served_within_days"
