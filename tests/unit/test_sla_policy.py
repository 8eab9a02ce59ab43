"""The default SLA policy: seed defaults, overrides, reasons, and pack parameters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.domain.classification import Plan, Priority, TicketKind
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.kinds import import_builtin_kinds
from aftersales.policies.params import structure_params
from aftersales.policies.sla import DefaultSla, SlaFacts, SlaOverride, SlaParams, SlaPolicy, SlaTarget

H = timedelta(hours=1)


def decide(params: SlaParams | None = None, **facts: object) -> tuple[dict[str, SlaTarget], tuple[str, ...]]:
    decision = DefaultSla(params or SlaParams()).decide(SlaFacts(**facts))  # type: ignore[arg-type]
    return {t.name: t for t in decision.outcome.targets}, decision.codes


def test_defaults_follow_the_seeds() -> None:
    targets, codes = decide(priority=Priority.NORMAL)
    assert targets["response"] == SlaTarget("response", 4 * H)
    assert targets["arrival"] == SlaTarget("arrival", 24 * H)
    assert targets["resolution"] == SlaTarget("resolution", timedelta(days=3), "working_days")
    assert targets["callback"] == SlaTarget("callback", 24 * H, "calendar")  # seed 003
    assert "sla_priority" in codes and "sla_service_callback" in codes
    critical, _ = decide(priority=Priority.CRITICAL)
    assert critical["response"].duration == timedelta(
        minutes=30
    )  # seed 001: urgent contact within [X] minutes


def test_outcome_carries_warning_share_and_pause_states() -> None:
    decision = DefaultSla().decide(SlaFacts(Priority.NORMAL))
    assert decision.outcome.warn_at == Decimal("0.8")
    assert decision.outcome.pause_states == {TicketState.AWAITING_CUSTOMER}
    parts = DefaultSla(SlaParams(pause_on_parts=True)).decide(SlaFacts(Priority.NORMAL))
    assert TicketState.AWAITING_PARTS in parts.outcome.pause_states
    assert "sla_pause_on_parts" in parts.codes
    assert isinstance(DefaultSla(), SlaPolicy)


def test_remote_plans_have_no_arrival_and_complex_problems_get_longer() -> None:
    remote, _ = decide(priority=Priority.NORMAL, plan=Plan.REMOTE)
    assert "arrival" not in remote
    complex_, _ = decide(priority=Priority.NORMAL, complex=True)
    assert complex_["resolution"].duration == timedelta(days=10)


def test_category_override_and_vip_tighter() -> None:
    params = SlaParams(category_overrides={"inquiry": SlaOverride(response_hours=8, resolution_hours=16)})
    targets, codes = decide(params, priority=Priority.NORMAL, category="inquiry")
    assert targets["response"].duration == 8 * H
    assert targets["resolution"] == SlaTarget("resolution", 16 * H)
    assert "sla_category" in codes
    vip, vip_codes = decide(priority=Priority.NORMAL, tier=CustomerTier.VIP)
    assert vip["response"].duration == 2 * H
    assert vip["resolution"].duration == timedelta(days=1)  # 3 × 0.5 rounded down
    assert "sla_customer_tier" in vip_codes


def test_dealer_contract_is_24_wall_clock_hours_extendable_to_48() -> None:
    own, _ = decide(SlaParams(dealer_contract=True), priority=Priority.NORMAL)
    # The maker's own engineers follow the general targets; the contract binds dealers (seed 002).
    assert own["resolution"] == SlaTarget("resolution", timedelta(days=3), "working_days")
    targets, codes = decide(SlaParams(dealer_contract=True), priority=Priority.NORMAL, dealer=True)
    assert targets["resolution"] == SlaTarget(
        "resolution", 24 * H, "calendar", extended_to=48 * H, start="dealer_dispatch"
    )
    decision = DefaultSla(SlaParams(dealer_contract=True)).decide(SlaFacts(Priority.NORMAL, dealer=True))
    reason = next(r for r in decision.reasons if r.code == "sla_dealer_contract")
    assert dict(reason.params) == {"hours": 24, "special_case_hours": 48}
    assert "sla_dealer_contract" in codes


def test_dealer_contract_binds_repair_calls_only() -> None:
    # 乙方接到用户的叫修…24小时之内: a repair call. An installation at delivery or a planned maintenance
    # visit done by the dealer keeps the general targets; a pack may list more categories.
    params = SlaParams(dealer_contract=True)
    for category in ("installation", "maintenance"):
        targets, codes = decide(params, priority=Priority.NORMAL, dealer=True, category=category)
        assert targets["resolution"].basis == "working_days" and "sla_dealer_contract" not in codes
    wider = SlaParams(dealer_contract=True, dealer_contract_categories=["repair", "installation"])
    targets, _ = decide(wider, priority=Priority.NORMAL, dealer=True, category="installation")
    assert targets["resolution"].start == "dealer_dispatch"
    for bad in ("repair", ["Not A Code"], 3):
        with pytest.raises(ValidationError) as info:
            SlaParams(dealer_contract_categories=bad)  # type: ignore[arg-type]
        assert info.value.field == "dealer_contract_categories" or "category" in str(info.value)


def test_complaints_are_called_back_within_seven_days() -> None:
    targets, codes = decide(priority=Priority.EXPEDITED, kind=TicketKind.COMPLAINT, category="complaint")
    # 七天内: whole local days, through the end of the seventh day after the complaint was handled.
    assert targets["callback"] == SlaTarget("callback", timedelta(days=7), "calendar_days")
    assert "sla_complaint_callback" in codes
    # The complaint workflow has no visit (start_work, add_visit): no arrival target that could only breach.
    assert "arrival" not in targets and {"response", "resolution"} <= targets.keys()


def test_reopened_tickets_get_a_raised_target_without_a_new_response() -> None:
    targets, codes = decide(priority=Priority.NORMAL, reopened=True)
    assert "response" not in targets
    assert targets["resolution"].duration == timedelta(days=2)  # expedited's
    assert codes[0] == "sla_reopened"


def test_reasons_name_each_target_with_its_size() -> None:
    decision = DefaultSla().decide(SlaFacts(Priority.NORMAL))
    first = decision.reasons[0]
    assert first.code == "sla_priority"
    assert dict(first.params) == {
        "target": "response",
        "basis": "working",
        "minutes": 240,
        "priority": "normal",
        "complex": False,
    }


def test_pack_table_maps_onto_the_params() -> None:
    raw = {
        "response_hours": {"normal": 2},
        "resolution_hours": {"critical": 8},
        "category_overrides": {"inquiry": {"response_hours": 8}},
        "tier_factor": {"vip": 0.75},
        "dealer_contract": True,
        "warn_share": 0.9,
    }
    params = structure_params(raw, SlaParams, file="pack.toml", key="sla")
    assert params.response_hours[Priority.NORMAL] == 2
    assert params.response_hours[Priority.CRITICAL] == 0.5  # left out: keeps its default
    assert params.category_overrides["inquiry"] == SlaOverride(response_hours=8)
    critical, _ = decide(params, priority=Priority.CRITICAL, dealer=True)
    assert critical["resolution"].basis == "calendar"  # the dealer contract wins for a dealer's tickets
    with pytest.raises(ConfigurationError, match=r"sla\.warn_share"):
        structure_params({"warn_share": 2.0}, SlaParams, file="pack.toml", key="sla")
    with pytest.raises(ConfigurationError, match=r"sla\.reponse_hours"):
        structure_params({"reponse_hours": {}}, SlaParams, file="pack.toml", key="sla")


def test_bad_params_and_facts_are_refused() -> None:
    with pytest.raises(ValidationError):
        SlaParams(dealer_resolution_hours=48, dealer_special_case_hours=24)
    with pytest.raises(ValidationError):
        SlaParams(tier_factor={CustomerTier.VIP: 1.5})
    with pytest.raises(ValidationError):
        SlaParams(response_hours={Priority.NORMAL: 0})
    with pytest.raises(ValidationError):
        SlaFacts(Priority.NORMAL, category="Not A Code")
    with pytest.raises(ValueError, match="urgentest"):
        SlaFacts("urgentest")


def test_the_sla_kind_is_registered() -> None:
    kind = import_builtin_kinds()["sla"]
    assert isinstance(kind.build(None), DefaultSla)


def test_working_days_are_working_time_unless_the_pack_names_the_other_reading() -> None:
    default, _ = decide(priority=Priority.NORMAL)
    assert default["resolution"] == SlaTarget("resolution", timedelta(days=3), "working_days")
    eod, _ = decide(SlaParams(working_days="end_of_day"), priority=Priority.NORMAL, complex=True)
    assert eod["resolution"] == SlaTarget("resolution", timedelta(days=10), "end_of_day")
    with pytest.raises(ConfigurationError, match=r"sla\.working_days"):
        structure_params({"working_days": "fortnights"}, SlaParams, file="pack.toml", key="sla")


def test_urgent_calls_get_the_first_contact_in_minutes() -> None:
    targets, codes = decide(priority=Priority.EXPEDITED, urgent=True)
    assert targets["response"] == SlaTarget("response", 30 * timedelta(minutes=1), "calendar")
    assert "sla_urgent_contact" in codes
    off, _ = decide(SlaParams(urgent_contact_minutes=None), priority=Priority.EXPEDITED, urgent=True)
    assert off["response"] == SlaTarget("response", 2 * H)
    # A pack writes 0 for "none" (TOML has no null): seed 003 answers urgent calls in working hours.
    params = structure_params({"urgent_contact_minutes": 0}, SlaParams, file="pack.toml", key="sla")
    assert decide(params, priority=Priority.EXPEDITED, urgent=True)[0]["response"] == off["response"]
    with pytest.raises(ConfigurationError, match=r"sla\.urgent_contact_minutes"):
        structure_params({"urgent_contact_minutes": -1}, SlaParams, file="pack.toml", key="sla")
    decision = DefaultSla().decide(SlaFacts(Priority.NORMAL, kind=TicketKind.COMPLAINT))
    assert decision.outcome.acceptance is False  # a complaint is resolved when handled, not accepted
