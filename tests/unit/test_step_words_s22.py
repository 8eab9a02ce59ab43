"""Every step a refusal can name is worded in the three catalogs (session 22).

``render_error`` words an ``InvalidTransition`` with the step refused, labelled by the catalog's
``ticket_action.<step>``: "SR-1：工单处于“已关闭”状态，不能执行“取消”". The steps sessions 20-21 added or
changed — ``reclassify`` (问题分类), a failed callback attempt and a contact now requiring their notes,
a complaint's remedy within authority and its withdrawal — had no words, and neither had most steps of
the complaint and parts workflows: an agent in Shanghai read "不能执行“reclassify”". Every trigger of the
four workflows, and every command the service layer runs on a ticket or a survey task, has a label now.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from aftersales import COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, TICKET_WORKFLOW, render_error
from aftersales.domain.materials_workflow import RETURN_WORKFLOW
from aftersales.errors import InvalidTransition
from aftersales.i18n import SUPPORTED_LOCALES, load_catalog

SERVICE = Path(__file__).resolve().parents[2] / "src" / "aftersales" / "service"


def _commands_run_on_a_ticket() -> set[str]:
    """The command names the service layer passes to ``runner.execute`` (or a complaint's ``_run``)."""
    found: set[str] = set()
    for path in SERVICE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "_run")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                found.add(node.args[1].value)
    return found


WORKFLOWS = (TICKET_WORKFLOW, COMPLAINT_WORKFLOW, MATERIALS_WORKFLOW, RETURN_WORKFLOW)
STEPS = sorted(
    {
        *(trigger for workflow in WORKFLOWS for trigger in workflow.triggers),
        *_commands_run_on_a_ticket(),
        "answer_survey",  # a survey task of a closed campaign refuses its answer
    }
)


def test_the_scan_finds_the_steps() -> None:
    wanted = {"reclassify", "grant_remedy", "withdraw", "callback_attempt", "refer_for_assessment"}
    assert wanted <= set(STEPS)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_step_has_a_label_in_every_catalog(locale: str) -> None:
    catalog = load_catalog(locale)
    assert [s for s in STEPS if f"ticket_action.{s}" not in catalog] == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_a_refused_step_reads_in_chinese(locale: str) -> None:
    raw = [
        step
        for step in STEPS
        if step in render_error(InvalidTransition("ticket", "closed", step, ticket_id="SR-1"), locale)
    ]
    assert raw == []
