"""A refused step reads in the words of its own workflow (session 22, task f).

The four workflows (ticket, complaint, materials, part_return) share trigger and state names, and the
catalog labelled a step by ``ticket_action.<step>`` alone: an old part rejected at inspection read
"客户不认可" (the service ticket's customer not accepting the repair), a complaint's "feedback given" read
as a repair done (处理完毕), a materials request signed for (``received``) read "已登记" (the complaint's
state), a part accepted at inspection read "已验收，待回访". A refusal names its workflow
(``InvalidTransition.workflow``): its words come from that workflow's labels first.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from aftersales import COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, TICKET_WORKFLOW, render_error
from aftersales.domain.materials_workflow import RETURN_WORKFLOW
from aftersales.domain.workflow import Workflow
from aftersales.errors import InvalidTransition
from aftersales.i18n import SUPPORTED_LOCALES, load_catalog

WORKFLOWS: tuple[Workflow, ...] = (TICKET_WORKFLOW, COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, RETURN_WORKFLOW)

SAME_MEANING = frozenset(
    {
        # Reviewed: the same act whichever workflow it is done in, so one label fits all.
        "tag",
        "set_fields",
        "attach",
        "detach",
        "note_to_customer",
        "contact_customer",
        "schedule_callback",
        "record_callback",
        "recalculate_sla",
        "assign_departments",
        "record_payment",
    }
)
"""Steps shared by several workflows whose meaning is the same in each; every other shared step must
read differently in each workflow."""


def _shared_steps() -> dict[str, list[Workflow]]:
    found: dict[str, list[Workflow]] = defaultdict(list)
    for workflow in WORKFLOWS:
        for trigger in workflow.triggers:
            found[trigger].append(workflow)
    return {step: flows for step, flows in found.items() if len(flows) > 1}


def _refusal(workflow: Workflow, step: str, state: str, locale: str) -> str:
    return render_error(InvalidTransition(workflow.name, state, step), locale)


def _step_words(workflow: Workflow, step: str, locale: str) -> str:
    # The state is the same for every workflow compared, so the sentences differ by the step's words.
    return _refusal(workflow, step, "x-state", locale)


def test_the_scan_finds_the_shared_steps() -> None:
    shared = _shared_steps()
    assert {"reject", "resolve", "cancel", "close", "reopen"} <= shared.keys()
    assert [w.name for w in shared["reject"]] == ["ticket", "complaint", "part_return"]
    assert shared.keys() >= SAME_MEANING, "a reviewed step is no longer shared: drop it from the list"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_shared_step_of_another_meaning_reads_differently_in_each_workflow(locale: str) -> None:
    clashes = []
    for step, flows in sorted(_shared_steps().items()):
        if step in SAME_MEANING:
            continue
        words = [_step_words(workflow, step, locale) for workflow in flows]
        if len(set(words)) != len(words):
            clashes.append((step, [w.name for w in flows], words))
    assert clashes == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])  # English words may be the code itself
def test_every_step_and_state_of_every_workflow_is_worded(locale: str) -> None:
    raw = []
    for workflow in WORKFLOWS:
        for state in workflow.states:
            sentence = _refusal(workflow, "x-step", str(state), locale)
            if f"“{state}”" in sentence or f"「{state}」" in sentence:
                raw.append((workflow.name, str(state)))
        for step in workflow.triggers:
            sentence = _step_words(workflow, step, locale)
            if f"“{step}”" in sentence or f"「{step}」" in sentence:
                raw.append((workflow.name, step))
    assert raw == []


def test_an_old_part_rejected_at_inspection_is_not_the_customer_refusing_a_repair() -> None:
    words = render_error(InvalidTransition("part_return", "booked", "reject"), "zh_Hans")
    assert words == "当前状态为“已入账”，不能执行“检验不合格，拒收”"
    assert "客户" not in words
    # The ticket's step keeps its words (and its catalog key, which hosts read).
    ticket = render_error(InvalidTransition("ticket", "closed", "reject", ticket_id="SR-1"), "zh_Hans")
    assert ticket == "SR-1：工单处于“已关闭”状态，不能执行“客户不认可”"
    assert load_catalog("zh_Hans").get("ticket_action.reject") == "客户不认可"


def test_states_read_in_their_own_workflow() -> None:
    signed = render_error(InvalidTransition("materials", "received", "cancel"), "zh_Hans")
    assert signed == "当前状态为“已签收”，不能执行“取消材料申请”"
    inspected = render_error(InvalidTransition("part_return", "accepted", "accept"), "zh_Hant")
    assert inspected == "目前狀態為「檢驗合格」，不能執行「驗收合格」"
    feedback = render_error(InvalidTransition("complaint", "closed", "resolve", ticket_id="CP-1"), "en")
    assert "feedback given" in feedback and "complaint closed" not in feedback


def test_a_refusal_of_another_kind_keeps_the_common_labels() -> None:
    words = render_error(InvalidTransition("fee_slip", "cancelled", "cancel"), "zh_Hans")
    assert words == "当前状态为“已取消”，不能执行“取消”"


SAME_STATE = frozenset({"cancelled", "closed"})
"""States shared by several workflows that mean the same in each (reviewed); every other shared state
must read differently in each workflow (a complaint ``received`` is registered, a materials request
``received`` is signed for; a ticket ``accepted`` by its customer, an old part ``accepted`` at inspection)."""


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_shared_state_of_another_meaning_reads_differently_in_each_workflow(locale: str) -> None:
    found: dict[str, list[Workflow]] = defaultdict(list)
    for workflow in WORKFLOWS:
        for state in workflow.states:
            found[str(state)].append(workflow)
    shared = {state: flows for state, flows in found.items() if len(flows) > 1}
    assert {"received", "accepted"} <= shared.keys() and shared.keys() >= SAME_STATE
    clashes = []
    for state, flows in sorted(shared.items()):
        if state in SAME_STATE:
            continue
        words = [_refusal(workflow, "tag", state, locale) for workflow in flows]
        if len(set(words)) != len(words):
            clashes.append((state, [w.name for w in flows]))
    assert clashes == []
