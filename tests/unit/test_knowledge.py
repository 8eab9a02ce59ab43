"""Knowledge articles (versions, approval, language variants) and fault statistics (tallies, ranking)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.fault_stats import (
    ALL_PRODUCTS,
    FaultStats,
    FaultTally,
    contributions_of,
    first_time_fix,
)
from aftersales.domain.ids import ProductId
from aftersales.domain.knowledge import Article, ArticleContent, ArticleProblem, ArticleState
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, FaultRecord
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from aftersales.serialization import dumps, loads

from .factories import new_ticket

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AUTHOR = ActorRef("eng-1", Role.ENGINEER)
MANAGER = ActorRef("mgr-1", Role.MANAGER)
HEAD = ActorRef("head-1", Role.DEPARTMENT_HEAD)

PROBLEM = ArticleProblem(("no_flush_water",), product_id="TOILET-A1", keywords=("不出水", "冲水"))
ZH = ArticleContent(
    "zh_Hans",
    "马桶冲洗不出水",
    "按下冲水按钮后冲洗不出水",
    ("进水阀堵塞",),
    ("清洗进水阀",),
    "请先关闭角阀……",
)
EN = ArticleContent(
    "en", "No water when flushing", "Nothing flows", ("inlet valve clogged",), ("clean valve",)
)


def article() -> Article:
    return Article.draft("KB-1", PROBLEM, [ZH, EN], AUTHOR, T0, cause_codes=["inlet_clogged"])


def test_a_draft_is_not_current_until_someone_else_approves_it() -> None:
    a = article()
    assert a.current is None
    with pytest.raises(PermissionDenied):
        a.approve(1, AUTHOR, T0)  # an engineer is no approver
    own = Article.draft("KB-2", PROBLEM, [ZH], MANAGER, T0)
    with pytest.raises(PermissionDenied):
        own.approve(1, MANAGER, T0)  # four eyes
    assert own.current is None
    a.approve(1, MANAGER, T0 + timedelta(hours=1))
    assert a.current is not None and a.current.approved_by == MANAGER


def test_a_new_version_keeps_the_approved_one_current_until_approved_itself() -> None:
    a = article()
    a.approve(1, MANAGER, T0)
    a.write(PROBLEM, [ZH], AUTHOR, T0 + timedelta(days=1), change_note="clarify")
    assert a.current is not None and a.current.number == 1
    assert a.latest.number == 2 and a.latest.state is ArticleState.DRAFT
    a.approve(2, HEAD, T0 + timedelta(days=2))
    assert a.current is not None and a.current.number == 2
    assert a.get(1).state is ArticleState.APPROVED  # history is kept
    with pytest.raises(InvalidTransition):
        a.approve(2, MANAGER, T0 + timedelta(days=3))
    with pytest.raises(NotFound):
        a.get(3)


def test_withdrawing_leaves_no_current_version() -> None:
    a = article()
    a.approve(1, MANAGER, T0)
    a.withdraw(MANAGER, T0 + timedelta(hours=1))
    assert a.current is None
    with pytest.raises(InvalidTransition):
        a.withdraw(MANAGER, T0 + timedelta(hours=2))


def test_language_variants_fall_back_to_the_nearest_one() -> None:
    version = article().latest
    assert version.content("zh_Hant").locale == "zh_Hans"
    assert version.content("en").title == "No water when flushing"
    assert "不出水" in version.texts()


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleProblem((), product_id="P"),
        lambda: ArticleProblem(("leak",)),
        lambda: ArticleProblem(("Not A Code",), product_id="P"),
        lambda: ArticleContent("fr", "t", "p", ("c",), ("a",)),
        lambda: ArticleContent("en", "t", "p", ("",), ("a",)),
        lambda: Article.draft("KB-3", PROBLEM, [], AUTHOR, T0),
        lambda: Article.draft("KB-3", PROBLEM, [ZH, ZH], AUTHOR, T0),
    ],
)
def test_bad_articles_are_refused(make: object) -> None:
    with pytest.raises(ValidationError):
        make()  # type: ignore[operator]


def test_a_customer_cannot_write_an_article() -> None:
    with pytest.raises(PermissionDenied):
        Article.draft("KB-4", PROBLEM, [ZH], ActorRef("c1", Role.CUSTOMER), T0)


def test_articles_round_trip() -> None:
    a = article()
    a.approve(1, MANAGER, T0)
    assert loads(dumps(a), Article) == a


def test_problem_applies_to_its_product_or_category() -> None:
    assert PROBLEM.applies_to("TOILET-A1")
    assert not PROBLEM.applies_to("BASIN-B2")
    general = ArticleProblem(("leak",), category="repair")
    assert general.applies_to("anything", "repair")
    assert not general.applies_to("anything", "installation")


# -- fault statistics -------------------------------------------------------------------------------


def test_tallies_rank_first_time_fixes_double() -> None:
    stats = FaultStats.empty("P", "no_flush_water")
    for _ in range(3):
        stats.add("valve_clogged", "clean_valve", first_time=True)
    for _ in range(4):
        stats.add("float_stuck", "adjust_float", first_time=False)
    stats.add("float_stuck", "adjust_float", first_time=True)
    ranked = stats.ranked()
    # valve: 3 + 3 = 6; float: 5 + 1 = 6; tie on score, more frequent first
    assert [(t.cause, t.score) for t in ranked] == [("float_stuck", 6), ("valve_clogged", 6)]
    stats.add("valve_clogged", "clean_valve", first_time=True)
    assert stats.ranked(1)[0].cause == "valve_clogged"
    assert stats.tickets == 9


def test_tallies_can_be_taken_back() -> None:
    stats = FaultStats.empty("P", "leak")
    stats.add("seal_worn", "replace_seal", first_time=True)
    stats.add("seal_worn", "replace_seal", first_time=True, times=-1)
    assert stats.tallies == []
    with pytest.raises(ValidationError):
        stats.add("seal_worn", "replace_seal", first_time=True, times=-1)
    with pytest.raises(ValidationError):
        FaultTally("a", "b", 1, 2)


def _closed(rework: bool) -> Ticket:
    t = new_ticket()
    t.product_id = ProductId("TOILET-A1")
    at = T0
    agent = ActorRef("agent-1", Role.AGENT)
    eng = ActorRef("eng-1", Role.ENGINEER)
    t.triage(agent, at, Assessment("fault", Severity.MEDIUM), Priority.NORMAL)
    t.assign(agent, at, Assignee(AssigneeKind.ENGINEER, "eng-1"))
    t.step("start_work", eng, at)
    t.record_fault(eng, at, FaultRecord("leak", "seal_worn", "replace_seal", at, eng))
    t.record_fault(eng, at, FaultRecord("leak", "seal_worn", "replace_seal", at, eng))
    t.resolve(eng, at)
    if rework:
        t.reject(agent, at, "still leaking")
        t.step("start_work", eng, at)
        t.resolve(eng, at)
    t.confirm(agent, at, channel="phone")
    t.record_callback(agent, at, problem_back=False)
    t.close(agent, at)
    return t


def test_a_closed_ticket_contributes_once_per_record_and_product() -> None:
    ticket = _closed(rework=False)
    contributions = contributions_of(ticket)
    assert {(c.product_id, c.symptom, c.cause) for c in contributions} == {
        ("TOILET-A1", "leak", "seal_worn"),
        (ALL_PRODUCTS, "leak", "seal_worn"),
    }
    assert first_time_fix(ticket)
    assert not first_time_fix(_closed(rework=True))


def test_an_open_ticket_contributes_nothing() -> None:
    assert contributions_of(new_ticket()) == ()
