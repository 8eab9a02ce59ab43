"""Reports and the demo show states and steps in their own workflow's words, from the refusals' one table
(session 23, task d).

``ReportLabels.state`` read every code through ``state.`` → ``complaint_state.`` → ``materials_state.`` (its
own copy of the refusals' prefixes), and ``aftersales demo --one`` labelled steps by ``ticket_action.``
alone, so a materials request ``received`` (signed for, 已签收) read as a complaint registered (已登记) and an
old part rejected at inspection as the customer not accepting a repair. Both now read
:mod:`aftersales.i18n.workflow_words`, the table :func:`render_error` words refusals with. And the month
demo's count by state, which mixes tickets and complaints, showed "处理中" twice: a ticket in progress and a
complaint whose agreed solution is being carried out (方案的落实, seed 002) had the same words.
"""

from __future__ import annotations

import io

import pytest

from aftersales import COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, TICKET_WORKFLOW, render_error
from aftersales.cli.demo import run_demo
from aftersales.domain.materials_workflow import RETURN_WORKFLOW
from aftersales.errors import InvalidTransition
from aftersales.i18n import SUPPORTED_LOCALES
from aftersales.reports.labels import report_labels

WORKFLOWS = (TICKET_WORKFLOW, COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, RETURN_WORKFLOW)


def test_a_state_and_a_step_read_in_their_own_workflow() -> None:
    labels = report_labels("zh_Hans")
    assert labels.state("received", "materials") == "已签收"
    assert labels.state("received", "complaint") == "已登记"
    assert labels.state("accepted", "part_return") == "检验合格"
    assert labels.step("reject", "part_return") == "检验不合格，拒收"
    assert labels.step("reject", "ticket") == labels.step("reject") == "客户不认可"
    assert labels.state("made-up", "materials") == "made-up"  # a code without words reads as itself


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_report_labels_a_state_and_a_step_as_a_refusal_does(locale: str) -> None:
    labels = report_labels(locale)
    differ = []
    for workflow in WORKFLOWS:
        for state in map(str, workflow.states):
            for step in workflow.triggers:
                refusal = render_error(InvalidTransition(workflow.name, state, step), locale)
                words = (labels.state(state, workflow.name), labels.step(step, workflow.name))
                if not all(w in refusal for w in words):
                    differ.append((workflow.name, state, step, refusal, words))
    assert differ == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("workflow", [None, *(w.name for w in WORKFLOWS)])
def test_two_states_never_read_alike(locale: str, workflow: str | None) -> None:
    labels = report_labels(locale)
    # Without a workflow, a count mixes tickets, complaints and materials requests (the demo's ledger).
    mixed = (TICKET_WORKFLOW, COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW)
    flows = mixed if workflow is None else [w for w in WORKFLOWS if w.name == workflow]
    states = {str(s) for w in flows for s in w.states}
    words: dict[str, list[str]] = {}
    for state in sorted(states):
        words.setdefault(labels.state(state, workflow), []).append(state)
    assert {w: codes for w, codes in words.items() if len(codes) > 1} == {}


def test_the_demo_ledger_reads_the_ticket_workflows_words() -> None:
    out = io.StringIO()
    assert run_demo("zh_Hans", out) == 0
    text = out.getvalue()
    assert "已验收，待回访" in text and "客户确认" in text
    assert "accept" not in text.split("\n", 3)[3]  # no step shown by its code
