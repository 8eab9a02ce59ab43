"""Complaint classification (seed 004 第七条): crisis events, batch incidents, the handler's judgement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import (
    BatchIncident,
    ComplaintSeverity,
    CrisisFacts,
    CrisisProblem,
    HandlerJudgement,
    Recourse,
)
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.policies.complaints import (
    ComplaintFacts,
    ComplaintParams,
    DefaultComplaintPolicy,
    UnitFault,
    batch_incident,
    crisis_event,
    detect_batch_incidents,
)

from .factories import at

POLICY = DefaultComplaintPolicy()


def test_crisis_needs_a_problem_an_economic_loss_and_a_recourse() -> None:
    facts = CrisisFacts({CrisisProblem.UNSAFE_REPAIR}, True, {Recourse.CONSUMER_ASSOCIATION})
    decision = crisis_event(facts)
    assert decision.outcome is True
    (reason,) = decision.reasons
    assert reason.code == "crisis_event"
    assert reason.params["groups"] == "service" and reason.params["recourse"] == "consumer_association"


@pytest.mark.parametrize(
    ("facts", "missing"),
    [
        (CrisisFacts(set(), True, {Recourse.PRESS}), ("crisis_no_problem",)),
        (CrisisFacts({CrisisProblem.PERSONAL_INJURY}, False, {Recourse.PRESS}), ("crisis_no_economic_loss",)),
        (CrisisFacts({CrisisProblem.DECEPTION}, True, set()), ("crisis_no_recourse",)),
        (CrisisFacts(), ("crisis_no_problem", "crisis_no_economic_loss", "crisis_no_recourse")),
    ],
)
def test_crisis_reasons_name_what_is_missing(facts: CrisisFacts, missing: tuple[str, ...]) -> None:
    decision = crisis_event(facts)
    assert decision.outcome is False
    assert decision.codes == missing


@given(
    problems=st.frozensets(st.sampled_from(CrisisProblem)),
    loss=st.booleans(),
    recourse=st.frozensets(st.sampled_from(Recourse)),
)
def test_crisis_rule_is_exactly_problem_and_loss_and_recourse(
    problems: frozenset[CrisisProblem], loss: bool, recourse: frozenset[Recourse]
) -> None:
    decision = crisis_event(CrisisFacts(problems, loss, recourse))
    assert decision.outcome is (bool(problems) and loss and bool(recourse))
    classified = POLICY.classify(ComplaintFacts(crisis=CrisisFacts(problems, loss, recourse)))
    assert (classified.outcome.severity is ComplaintSeverity.MAJOR) is decision.outcome


def test_crisis_facts_refuse_bad_input() -> None:
    with pytest.raises(ValidationError):
        CrisisFacts({"flood"}, True, set())
    with pytest.raises(ValidationError):
        CrisisFacts(set(), True, {"tv_show"})
    with pytest.raises(ValidationError):
        CrisisFacts({CrisisProblem.PROPERTY_LOSS}, False, set(), loss=Money("10", "CNY"))
    with pytest.raises(ValidationError):
        CrisisFacts({CrisisProblem.PROPERTY_LOSS}, True, set(), loss=Money("0", "CNY"))
    with pytest.raises(ValidationError):
        CrisisFacts(economic_loss="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("affected", "size", "inclusive", "incident"),
    [
        (5, 100, True, True),  # 5%以上: 以上 includes 5 %
        (4, 100, True, False),
        (5, 100, False, False),  # the threshold excluded: 5 of 100 is no longer enough
        (6, 100, False, True),
        (1, 20, True, True),
        (1, 21, True, False),
        (0, 1, True, False),
    ],
)
def test_batch_threshold_and_its_inclusiveness(
    affected: int, size: int, inclusive: bool, incident: bool
) -> None:
    params = ComplaintParams(batch_threshold_inclusive=inclusive)
    decision = batch_incident("B-1", "seal_defect", affected, size, params)
    assert (decision.outcome is not None) is incident
    assert decision.codes == (("batch_incident",) if incident else ("batch_below_threshold",))
    assert decision.reasons[0].params["threshold"] == "5%"


def test_batch_threshold_is_a_parameter() -> None:
    params = ComplaintParams(batch_threshold_percent=Decimal("2.5"))
    assert batch_incident("B-1", "c", 3, 120, params).outcome is not None
    assert batch_incident("B-1", "c", 2, 120, params).outcome is None
    assert batch_incident("B-1", "c", 2, 120, params).reasons[0].params["threshold"] == "2.5%"
    for bad in (0.05, 0, 101, "x", "NaN", True):
        with pytest.raises(ValidationError):
            ComplaintParams(batch_threshold_percent=bad)


@given(affected=st.integers(0, 500), size=st.integers(1, 500))
def test_batch_rule_matches_exact_fractions(affected: int, size: int) -> None:
    affected = min(affected, size)
    decision = batch_incident("B", "c", affected, size)
    assert (decision.outcome is not None) is (affected * 20 >= size)


def test_detection_counts_distinct_units_per_batch_and_cause() -> None:
    faults = [UnitFault(f"U{n}", "B-1", "seal_defect") for n in range(4)]
    faults += [UnitFault("U0", "B-1", "seal_defect")]  # the same unit again
    faults += [UnitFault("U9", "B-1", "user_misuse"), UnitFault("V1", "B-2", "seal_defect")]
    decisions = detect_batch_incidents(faults, {"B-1": 80})
    by_key = {(d.reasons[0].params["batch"], d.reasons[0].params["cause"]): d for d in decisions}
    assert set(by_key) == {("B-1", "seal_defect"), ("B-1", "user_misuse"), ("B-2", "seal_defect")}
    seal = by_key[("B-1", "seal_defect")]
    assert seal.outcome == BatchIncident(None, "B-1", "seal_defect", 4, 80)  # 4 of 80 = 5 %
    assert by_key[("B-1", "user_misuse")].outcome is None
    assert by_key[("B-2", "seal_defect")].codes == ("batch_size_unknown",)
    quality_only = detect_batch_incidents(faults, {"B-1": 80}, quality_causes={"seal_defect"})
    assert [d.reasons[0].params["cause"] for d in quality_only] == ["seal_defect", "seal_defect"]


def test_batch_incident_refuses_impossible_counts() -> None:
    with pytest.raises(ValidationError):
        batch_incident("B", "c", 101, 100)
    with pytest.raises(ValidationError):
        batch_incident("B", "c", 1, 0)
    with pytest.raises(ValidationError):
        BatchIncident(None, "B", "c", 5, 4)


def test_classification_general_batch_and_judgement() -> None:
    general = POLICY.classify(ComplaintFacts())
    assert general.outcome.severity is ComplaintSeverity.GENERAL and general.codes == ("general_complaint",)
    batch = POLICY.classify(ComplaintFacts(batch_incident=BatchIncident(None, "B", "c", 5, 100)))
    assert batch.outcome.batch_incident and batch.outcome.severity is ComplaintSeverity.MAJOR
    judgement = HandlerJudgement(ActorRef("m1", Role.MANAGER), at(3), "重点客户，影响大")
    judged = POLICY.classify(ComplaintFacts(judgement=judgement))
    assert judged.outcome.judged_major and judged.codes == ("judged_major",)
    with pytest.raises(ValidationError):
        HandlerJudgement(ActorRef("m1", Role.MANAGER), at(3), "  ")


def test_low_score_opens_a_complaint_by_parameter() -> None:
    assert POLICY.opens_complaint(2).outcome is True
    assert POLICY.opens_complaint(3).outcome is False
    never = DefaultComplaintPolicy(ComplaintParams(complaint_below_score=0))
    assert never.opens_complaint(1).outcome is False
