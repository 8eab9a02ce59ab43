# mypy: disable-error-code="arg-type"
"""Callbacks, survey campaigns and contact records: the rules the session-19 seed walks left alone, on
memory, SQLite and PostgreSQL.

- Seed 001 三(七)2: 调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价等. A callback owing the
  satisfaction survey (an important or VIP customer, a major problem or complaint) was accepted with the
  result's score alone; the attitude evaluation is asked too now (``ValidationError`` naming
  ``attitude``; nothing changes).
- Seed 001 三(七)3: 分析客户不满意的原因…反馈给售后经理. A callback's low score reaches the manager (the
  complaint it opens is reported to them); a survey campaign's low score reached no one. It is reported
  to the same staff at the same threshold (``[complaint] complaint_below_score``) now.
- Seed 001 五(三)3: 沟通记录应详细、完整, 包括沟通时间、沟通方式、沟通内容等. A contact with the customer was
  recorded with no content; it needs its note now (``ValidationError`` naming ``note``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.domain.survey_campaigns import SamplingRules, SurveyTaskState
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.errors import ValidationError
from aftersales.policies.complaints import ComplaintParams, DefaultComplaintPolicy
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _done(desk: ServiceDesk, world: World, customer_id: str) -> str:
    """A stand's network problem of ``customer_id`` fixed by the senior engineer and accepted by phone."""
    tid = desk.open_ticket(
        world.agent, customer_id=customer_id, description="展位网络断开", category=Category.TECHNICAL_SUPPORT
    ).ticket.id
    desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_owed_survey_asks_the_result_and_the_teams_attitude(backend: str, tmp_path: Path) -> None:
    # 三(七)2: the survey's content is the result's satisfaction AND the evaluation of the team's service
    # attitude. The VIP exhibitor's callback owes it: the score alone (or the RATER survey without the
    # attitude) is half the survey, refused naming ``attitude``, and nothing changes.
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        ordinary = _done(desk, world, world.cust_zh.id)
        clock.advance(timedelta(hours=3))
        survey = SatisfactionSurvey(5, 4, 5, 5, 4, 5)
        attempts = (
            lambda: desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5),
            lambda: desk.callbacks.record(
                world.agent, vip, checklist=CallbackChecklist(polite=True), problem_back=False, survey=survey
            ),
        )
        for attempt in attempts:
            with pytest.raises(ValidationError) as refused:
                attempt()
            assert refused.value.field == "attitude"
            assert desk.callbacks.records(world.manager, vip) == []
            assert desk.ticket(world.manager, vip).events[-1].action == "schedule_callback"
        assert {t.ticket_id for t in desk.callbacks.pending(world.manager)} == {vip, ordinary}
        # Nothing at all still names the survey; an attitude out of 1-5, or not the survey's, is refused.
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(world.agent, vip, problem_back=False)
        assert refused.value.field == "survey"
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5, attitude=6)
        assert refused.value.field == "attitude"
        with pytest.raises(ValidationError) as refused:
            SatisfactionSurvey(5, 4, 5, 5, 4, 5, attitude=0)
        assert refused.value.field == "attitude"
        with_attitude = SatisfactionSurvey(5, 4, 5, 5, 4, 5, attitude=4)
        with pytest.raises(ValidationError) as refused:
            desk.callbacks.record(
                world.agent, vip, checklist=CallbackChecklist(), problem_back=False, survey=with_attitude,
                attitude=2,
            )  # fmt: skip
        assert refused.value.field == "attitude"
        assert desk.callbacks.records(world.manager, vip) == []
        # The whole survey is recorded: the attitude on the record and on the ledger's event.
        desk.callbacks.record(
            world.agent,
            vip,
            checklist=CallbackChecklist(polite=True),
            problem_back=False,
            survey=with_attitude,
        )
        (record,) = desk.callbacks.records(world.manager, vip)
        assert (record.survey, record.attitude) == (with_attitude, 4)
        event = desk.ticket(world.manager, vip).events[-1]
        assert (event.action, event.payload["satisfaction"], event.payload["attitude"]) == (
            "record_callback", 5, 4,
        )  # fmt: skip
        # An ordinary customer's callback owes no survey: a score alone (or none) is recorded as before.
        desk.record_callback(world.agent, ordinary, problem_back=False, satisfaction=4)
        assert desk.callbacks.records(world.manager, ordinary)[0].attitude is None
        assert desk.callbacks.pending(world.manager) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_score_beside_the_attitude_makes_the_owed_survey(backend: str, tmp_path: Path) -> None:
    # The short form (the overall score and the attitude, no RATER dimensions) is the survey too.
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=4, attitude=5)
        (record,) = desk.callbacks.records(world.manager, vip)
        assert (record.survey, record.attitude) == (None, 5)
        assert desk.ticket(world.manager, vip).events[-1].payload["attitude"] == 5


def _campaign(desk: ServiceDesk, world: World, campaign_id: str) -> None:
    desk.surveys.start(
        world.manager, campaign_id=campaign_id, period="2026-Q1",
        rules=SamplingRules(sample_size=10, served_within_days=None),
    )  # fmt: skip


def _low_score_notices(notifier: MemoryNotifier) -> list[tuple[str, str, str]]:
    return [(m.recipient, m.subject, m.body) for m in notifier.sent if "Q-low" in m.subject]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_campaigns_low_score_is_reported_to_the_manager(backend: str, tmp_path: Path) -> None:
    # 三(七)3: 分析客户不满意的原因…反馈给售后经理. A callback scored 2 opens a complaint the manager is told
    # of; a campaign answer scored 2 reached nobody. Now the manager's staff hear of it in their own
    # language, with what the customer said; a satisfied answer tells no one.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, _clock, world, notifier):
        _campaign(desk, world, "Q-low")
        desk.surveys.answer(
            world.agent,
            "Q-low:cust-zh",
            survey=SatisfactionSurvey(2, 3, 2, 2, 1, 2, attitude=2),
            comment="上门太慢",
        )
        desk.surveys.answer(
            world.customer_en, "Q-low:cust-en", survey=SatisfactionSurvey(5, 5, 4, 5, 5, 4, attitude=5)
        )
        desk.deliver()
        ((address, subject, body),) = _low_score_notices(notifier)
        assert address == "manager@venus.example"  # the STAFF directory's manager (zh_Hans)
        assert "满意度调查 Q-low 出现低分" in subject and "张伟" in subject
        assert (
            "总体满意度为 2 分，服务态度评价为 2 分（低于 3 分为低分）" in body
            and "上门太慢" in body
            and "Q-low:cust-zh" in body
        )
        answered = desk.surveys.tasks(world.manager, "Q-low", state=SurveyTaskState.ANSWERED)
        assert {t.id for t in answered} == {"Q-low:cust-zh", "Q-low:cust-en"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_campaigns_low_score_follows_the_complaint_threshold(backend: str, tmp_path: Path) -> None:
    # The same setting as the callback's: [complaint] complaint_below_score (4 here: a 3 is low; 0: never).
    notifier = MemoryNotifier()
    strict = {"complaint": DefaultComplaintPolicy(ComplaintParams(complaint_below_score=4))}
    with world_desk(backend, tmp_path, notifier=notifier, overrides=strict) as (desk, _clock, world):
        _campaign(desk, world, "Q-low")
        desk.surveys.answer(
            world.agent, "Q-low:cust-zh", survey=SatisfactionSurvey(3, 3, 3, 3, 3, 3, attitude=3)
        )
        desk.deliver()
        (notice,) = _low_score_notices(notifier)
        assert "3 分（低于 4 分为低分）" in notice[2]
    never = {"complaint": DefaultComplaintPolicy(ComplaintParams(complaint_below_score=0))}
    quiet, off = MemoryNotifier(), tmp_path / "off"
    off.mkdir()
    with world_desk(backend, off, notifier=quiet, overrides=never) as (desk, _clock, world):
        _campaign(desk, world, "Q-low")
        desk.surveys.answer(
            world.agent, "Q-low:cust-zh", survey=SatisfactionSurvey(1, 1, 1, 1, 1, 1, attitude=1)
        )
        desk.deliver()
        assert _low_score_notices(quiet) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_contact_record_keeps_what_was_said(backend: str, tmp_path: Path) -> None:
    # 五(三)3: 沟通记录…包括沟通时间、沟通方式、沟通内容. A call recorded with no content (or blank) told the
    # record nothing of what was said: refused naming ``note``; nothing is recorded and the SLA response
    # is not met by it. With its content it is kept, time, method and words, in the customer's archive.
    with world_desk(backend, tmp_path) as (desk, clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="打印机卡纸").ticket.id
        before = len(desk.ticket(world.manager, tid).events)
        for note in (None, "", "   "):
            with pytest.raises(ValidationError) as refused:
                desk.contact_customer(world.agent, tid, note=note)
            assert refused.value.field == "note"
        with pytest.raises(ValidationError) as refused:
            desk.contact_customer(world.agent, tid, expected_at=clock.now() + timedelta(hours=2))
        assert refused.value.field == "note"
        ticket = desk.ticket(world.manager, tid)
        assert len(ticket.events) == before
        desk.contact_customer(world.agent, tid, note="已致电客户，告知明早上门")
        contact = desk.ticket(world.manager, tid).events[-1]
        assert (contact.action, contact.reason, contact.payload["channel"]) == (
            "contact_customer", "已致电客户，告知明早上门", "phone",
        )  # fmt: skip
        contacts = desk.archives.customer_archive(world.manager, world.cust_zh.id).contacts
        assert any(c.kind == "contact" and c.note == "已致电客户，告知明早上门" for c in contacts)
