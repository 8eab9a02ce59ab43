"""A refused step of a record that is no ticket names the record and reads in words (session 23, task d).

A maintenance visit, a maintenance plan, a quality incident, a survey campaign or task, a knowledge article,
a fee slip and an invoice refused a step with ``InvalidTransition`` whose ``workflow`` was free text holding
the id ("maintenance visit MV-1", or the incident's id alone): :func:`render_error` found no words for it
and a dealer read "当前状态为“done”，不能执行“complete_visit”" — codes, and no record named. Each kind now
names itself (``workflow`` is its kind, ``record_id`` its id) and has the words of its states and steps:
"保养上门 MV-1 处于“已完成”状态，不能执行“完成保养”".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.budget_drafts import DraftState
from aftersales.domain.charges import QuoteState
from aftersales.domain.fee_slips import InvoiceState, SlipState
from aftersales.domain.ids import CustomerId
from aftersales.domain.knowledge import ArticleState
from aftersales.domain.maintenance import PlanState, VisitState
from aftersales.domain.materials_workflow import ReturnState
from aftersales.domain.quality_incidents import INCIDENT_TRANSITIONS, IncidentState
from aftersales.domain.survey_campaigns import CampaignState, SurveyTask, SurveyTaskState
from aftersales.errors import InvalidTransition
from aftersales.i18n import load_catalog, render_error
from aftersales.i18n.values import label_msgid
from aftersales.i18n.workflow_words import RECORD_KINDS

STEPS: dict[str, tuple[Iterable[object], tuple[str, ...]]] = {
    "maintenance_visit": (VisitState, ("complete_visit", "postpone_visit", "miss_visit")),
    "maintenance_plan": (PlanState, ("end_plan",)),
    "quality_incident": (IncidentState, (*INCIDENT_TRANSITIONS, "send_to_departments")),
    "survey_campaign": (CampaignState, ("close_campaign",)),
    "survey_task": (SurveyTaskState, ("answer_survey", "decline_survey")),
    "knowledge_article": (ArticleState, ("approve", "withdraw")),
    "fee_slip": ((*SlipState, "invoiced"), ("pay", "invoice", "cancel")),
    "invoice": (InvoiceState, ("issue", "fail")),
    "quote": (QuoteState, ("edit", "offer", "revise", "accept", "refuse", "pay")),  # session 24
    "budget_draft": (DraftState, ("draft_budget", "approve_budget", "return_budget")),  # session 25
}
"""Each kind: its states, and the steps its code may refuse."""

KIND_WORDS = {"zh_Hans": "收费单", "zh_Hant": "收費單", "en": "fee slip"}


def test_every_kind_is_listed() -> None:
    assert set(STEPS) == set(RECORD_KINDS)


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])  # English words may be the code itself
def test_every_state_and_step_of_every_kind_is_worded(locale: str) -> None:
    raw = []
    for kind, (states, steps) in STEPS.items():
        for state in states:
            code = str(getattr(state, "value", state))
            for step in steps:
                words = render_error(InvalidTransition(kind, code, step, record_id="X-1"), locale)
                if "X-1" not in words or code in words or step in words:
                    raw.append((kind, code, step, words))
    assert raw == []


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_a_fee_slip_refused_on_a_tickets_path_is_still_a_fee_slip(locale: str) -> None:
    refused = InvalidTransition("fee_slip", "cancelled", "pay", record_id="FS-1")
    on_a_ticket = refused.renamed(
        ticket_id="SR-1", command="record_payment", why=None
    )  # as the runner names it
    words = render_error(on_a_ticket, locale)
    assert KIND_WORDS[locale] in words and "FS-1" in words and "SR-1" not in words
    assert on_a_ticket.record_id == "FS-1" and "fee_slip SR-1" in str(on_a_ticket)


def test_the_domain_names_the_record() -> None:
    task = SurveyTask(
        "ST-7",
        "SC-1",
        CustomerId("cust-zh"),
        None,
        datetime(2026, 3, 2, tzinfo=UTC),
        SurveyTaskState.DECLINED,
    )
    with pytest.raises(InvalidTransition) as refused:
        task.decline(datetime(2026, 3, 3, tzinfo=UTC), ActorRef("agent-li", Role.AGENT), "no answer")
    assert (refused.value.workflow, refused.value.record_id) == ("survey_task", "ST-7")
    assert render_error(refused.value, "zh_Hans") == "调查任务 ST-7 处于“未完成”状态，不能执行“记为未完成”"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_a_records_state_given_as_a_value_reads_as_its_refusal_labels_it(locale: str) -> None:
    # A notification value or a report cell of such a state (ValueFormatter, label_msgid) found no words:
    # ReturnState looked for return_state.*, IncidentState for incident_state.*, none of them in the catalogs.
    catalog = load_catalog(locale)
    enums = (ReturnState, VisitState, PlanState, IncidentState, CampaignState, SurveyTaskState, ArticleState,
             SlipState, InvoiceState, DraftState)  # fmt: skip
    missing = [label_msgid(member) for enum in enums for member in enum if label_msgid(member) not in catalog]
    assert missing == []
    assert label_msgid(ReturnState.ACCEPTED) == "part_return_state.accepted"
