"""render_reasons: a decision's, an event's or a command result's reasons as sentences, per locale."""

from __future__ import annotations

import pytest
from tests.unit.embedding_world import AGENT, AUDITOR, dispatched_ticket, small_desk

from aftersales import render_reasons
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision


def test_a_decision_in_three_languages() -> None:
    decision = Decision("normal", (Reason("priority_normal"),), "test.priority")
    assert render_reasons(decision, "zh_Hans") == ("无加急因素，按普通优先级处理",)
    assert render_reasons(decision, "zh-TW") == ("無加急因素，按普通優先級處理",)
    assert render_reasons(decision, "en") == ("no urgency factors: normal priority",)


def test_events_results_and_the_ledger_view() -> None:
    desk = small_desk()
    ticket_id, result = dispatched_ticket(desk)
    view = desk.ticket(AUDITOR, ticket_id)
    (assign,) = [e for e in view.events if e.action == "assign"]
    assert render_reasons(assign, "en") == (
        "dealer pudong serves region sh-pudong",
        "pudong selected out of 1 candidates (score 4.000)",
    )
    # A result's decisions (routing, then dispatch) and its event repeat reasons: each is said once.
    assert render_reasons(result, "en") == (
        "normal priority goes to an agent or junior engineer",
        *render_reasons(assign, "en"),
    )
    why = view.reasons("zh_Hans")
    assert sorted(why) == [e.seq for e in view.events if e.payload.get("reasons")]
    assert why[assign.seq][0] == "经销商 pudong 负责 sh-pudong 地区"


def test_what_a_person_typed_is_kept_as_typed() -> None:
    desk = small_desk()
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="漏水").ticket
    desk.cancel(AGENT, ticket.id, reason="客户撤回 withdrawn")
    (cancel,) = [e for e in desk.ticket(AUDITOR, ticket.id).events if e.action == "cancel"]
    assert render_reasons(cancel, "en") == ("客户撤回 withdrawn",)


def test_an_unknown_code_falls_back_readably_and_bad_input_is_refused() -> None:
    assert render_reasons([Reason("made_up", {"n": 3})], "en") == ("made_up(n=3)",)
    assert render_reasons([{"code": "priority_normal", "params": {}}], "en") == (
        "no urgency factors: normal priority",
    )
    with pytest.raises(ValidationError) as source:
        render_reasons(42, "en")
    assert source.value.field == "decision_or_event"
    with pytest.raises(ValidationError) as locale:
        render_reasons([Reason("priority_normal")], "")
    assert locale.value.field == "locale"
    with pytest.raises(ValidationError):
        render_reasons([{"code": "Bad Code"}], "en")
