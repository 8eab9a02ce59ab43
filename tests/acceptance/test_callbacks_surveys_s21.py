# mypy: disable-error-code="arg-type"
"""Callbacks and surveys: the seams session 20 left open, on memory, SQLite and PostgreSQL.

- Seed 001 三(七)2: 调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价等. A survey campaign
  (定期开展客户满意度调查, seed 000) is such a survey, by phone or by an online questionnaire; its answer
  was recorded without the attitude. It needs it now (``ValidationError`` naming ``attitude``).
- Seed 001 三(七)3: 售后专员负责整理客户满意度调查结果, 分析客户不满意的原因. The attitude was recorded and
  read nowhere as a figure: the KPI report averages it beside the satisfaction now (``mean_attitude``,
  and its column in the KPI table), and the campaign's results give its mean per region beside the
  overall score, for the answers and for the callbacks of the period.
- Seed 001 五(三)3: 沟通记录应详细、完整, 包括沟通时间、沟通方式、沟通内容. A failed callback attempt has
  its time and its way like any contact; nothing having been said, its content is its outcome (无人接听,
  关机…). It was recorded with nothing; it needs its note now (``ValidationError`` naming ``note``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.survey_campaigns import SamplingRules, SurveyTaskState
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import ValidationError
from aftersales.reports import document_for, kpi_report, monthly_feedback, report_labels
from aftersales.reports.months import month_period
from aftersales.reports.pages import KPI_COLUMNS
from aftersales.service.actors import Actor
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
def test_a_campaign_answer_asks_the_attitude_and_the_results_average_it(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        # A callback of the period evaluated the attitude (the VIP's owed survey, short form).
        vip = _done(desk, world, world.cust_en.id)
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=4, attitude=3)
        clock.advance(timedelta(days=1))
        desk.surveys.start(  # the VIP was surveyed at the callback: not excluded here, to be compared
            world.manager, campaign_id="Q2", period="2026-Q2",
            rules=SamplingRules(sample_size=10, served_within_days=None, exclude_surveyed_days=0),
        )  # fmt: skip
        tasks = {t.customer_id: t for t in desk.surveys.tasks(world.agent, "Q2")}
        zh, en = tasks[world.cust_zh.id], tasks[world.cust_en.id]
        # The RATER scores and the overall without the attitude are half the survey: refused, nothing kept.
        with pytest.raises(ValidationError) as refused:
            desk.surveys.answer(world.agent, zh.id, survey=SatisfactionSurvey(4, 4, 4, 4, 4, 4))
        assert refused.value.field == "attitude"
        assert {t.id for t in desk.surveys.tasks(world.agent, "Q2")} == {zh.id, en.id}
        desk.surveys.answer(world.agent, zh.id, survey=SatisfactionSurvey(4, 4, 4, 4, 4, 4, attitude=5))
        desk.surveys.answer(world.customer_en, en.id, survey=SatisfactionSurvey(3, 3, 3, 3, 3, 2, attitude=2))
        answered = desk.surveys.tasks(world.manager, "Q2", state=SurveyTaskState.ANSWERED)
        assert {t.answers.attitude for t in answered if t.answers is not None} == {5, 2}
        results = desk.surveys.results(world.manager, "Q2")
        assert (results.total.overall, results.total.attitude) == (Decimal("3.00"), Decimal("3.50"))
        assert results.total.callback_attitude == Decimal("3.00")
        (shanghai,) = results.regions  # both customers are in Shanghai
        assert (shanghai.attitude, shanghai.callback_attitude) == (Decimal("3.50"), Decimal("3.00"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_kpi_report_averages_the_attitude_beside_the_satisfaction(backend: str, tmp_path: Path) -> None:
    # 三(七)3: the specialist sorts the survey's results and analyses why customers are dissatisfied; the
    # attitude is half the survey, so the manager reads its mean beside the satisfaction's.
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        vip = _done(desk, world, world.cust_en.id)
        ordinary = _done(desk, world, world.cust_zh.id)
        unasked = _done(desk, world, world.cust_zh.id)
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5, attitude=4)
        desk.record_callback(world.agent, ordinary, problem_back=False, satisfaction=3, attitude=1)
        desk.record_callback(world.agent, unasked, problem_back=False, satisfaction=4)  # no attitude asked
        march = month_period("2026-03")
        total = kpi_report(reporting_for(desk.store), march, desk.calendar).total
        assert total.mean_satisfaction == Decimal("4.00")
        assert total.mean_attitude == Decimal("2.50")  # over the two callbacks that asked it
        assert (total.counts.attitude_rated, total.counts.attitude_sum) == (2, 5)
        assert total.exact("mean_attitude") == Fraction(5, 2)
    codes = [code for code, _ in KPI_COLUMNS]
    assert codes.index("mean_attitude") == codes.index("mean_satisfaction") + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_callback_attempt_records_its_outcome(backend: str, tmp_path: Path) -> None:
    # 五(三)3: 沟通记录…包括沟通时间、沟通方式、沟通内容. The attempt's time and way are recorded; what it
    # says is its outcome. Without it (or blank) it is refused naming ``note`` and nothing changes.
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        tid = _done(desk, world, world.cust_zh.id)
        clock.advance(timedelta(hours=2))
        before = desk.ticket(world.manager, tid).events
        for note in (None, "", "   "):
            with pytest.raises(ValidationError) as refused:
                desk.record_callback_attempt(world.agent, tid, note=note)
            assert refused.value.field == "note"
        assert desk.ticket(world.manager, tid).events == before
        desk.record_callback_attempt(world.agent, tid, note="关机", channel="phone")
        event = desk.ticket(world.manager, tid).events[-1]
        assert (event.action, event.reason, event.payload["channel"]) == ("callback_attempt", "关机", "phone")


def _accepted(desk: ServiceDesk, world: World, text: str) -> str:
    """A repair of 张伟's fixed and accepted by phone: its callback is scheduled (seed 003: within 24 h)."""
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
    desk.triage(world.agent, tid, nature="paper_jam", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.add_fault_record(world.junior, tid, symptom="paper_jam", cause="worn_roller", action="replace")
    desk.resolve(world.junior, tid, summary="换了搓纸轮")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_erasure_closes_the_accepted_tickets_whose_callback_nobody_may_make(
    backend: str, tmp_path: Path
) -> None:
    # An erased person cannot be called back (PIPL; the erasure drops the pending callback task), so an
    # accepted ticket waiting for its callback (回访 → 关闭) never closed. The erasure closes it, saying
    # why; a callback not yet due is no longer owed, one already overdue stays late; a ticket whose
    # callback was made is left for the staff to close.
    dpo = Actor.privacy_officer("dpo-s21")
    with world_desk(backend, tmp_path) as (desk, clock, world):
        overdue = _accepted(desk, world, "复印机卡纸")
        due = desk.ticket(world.manager, overdue).callback_due_at
        assert due is not None
        clock.set(due + timedelta(hours=1))
        called = _accepted(desk, world, "不出纸")
        desk.record_callback(world.agent, called, problem_back=False, satisfaction=5)
        waiting = _accepted(desk, world, "打印有黑线")
        assert {t.ticket_id for t in desk.callbacks.pending(world.manager)} == {overdue, waiting}

        record = desk.privacy.erase_customer(dpo, world.cust_zh.id, "the customer asked")

        for tid in (overdue, waiting):
            ticket = desk.ticket(world.auditor, tid)
            assert (ticket.state, ticket.events[-1].action, ticket.events[-1].reason) == (
                "closed", "close", "customer_erased",
            )  # fmt: skip
        assert record.closed == 2 and record.cancelled == 0
        assert desk.ticket(world.auditor, overdue).callback_due_at == due  # late before: stays late
        assert desk.ticket(world.auditor, waiting).callback_due_at is None  # not owed any more
        assert desk.ticket(world.auditor, called).state == "accepted"  # its callback made: staff close it
        assert desk.callbacks.pending(world.manager) == []
        desk.close(world.agent, called)


# -- reclassifying (seed 004 第七条; seeds 003/004 考核) ----------------------------------------------------

# The service-centre pack, where an inquiry is answered within one working hour and a repair keeps the
# priority's target (as tests/acceptance/test_reclassify_s20.py).
CENTRE = """[pack]
name = "centre_s21"
extends = "service_centre"

[sla]
category_overrides = { inquiry = { response_hours = 1.0 } }
"""


def _centre(tmp_path: Path) -> str:
    pack = tmp_path / "centre_s21.toml"
    pack.write_text(CENTRE, encoding="utf-8")
    return str(pack)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_breach_announced_before_a_reclassification_stays_a_breach(backend: str, tmp_path: Path) -> None:
    # An inquiry unanswered past its one working hour: the sweep announces the breach, the month counts
    # it. Corrected to a repair (a longer response target), the passed due no longer passed and the
    # breach left the live SLA, the stored due and the KPI's missed responses. Now the reclassify event holds
    # the due it passed (as a new calendar's recalculation does) and the breach stays.
    with world_desk(backend, tmp_path, _centre(tmp_path)) as (desk, clock, world):
        tid = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            description="马桶怎么设置水温",
            category=Category.INQUIRY,
        ).ticket.id
        due = desk.ticket(world.manager, tid).response_due_at
        assert due is not None
        clock.set(due + timedelta(minutes=30))
        assert not desk.run_due_jobs().failed  # the sweep announces the breach
        assert desk.sla(world.manager, tid)["response"].breached

        result = desk.reclassify(world.agent, tid, category=Category.REPAIR, reason="上门查看后确属故障")

        now = clock.now()
        assert desk.sla(world.manager, tid)["response"].breached
        assert desk.ticket(world.manager, tid).response_due_at == due
        kpi = kpi_report(reporting_for(desk.store), month_period("2026-03"), desk.calendar, as_of=now)
        assert kpi.total.response_missed == 1
        assert result.events[-1].payload["held_breaches"] == {"response": due.isoformat()}
        # A ticket not yet breached simply takes the new category's target (nothing held).
        fresh = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="水温", category=Category.INQUIRY
        ).ticket.id
        moved = desk.reclassify(world.agent, fresh, category=Category.REPAIR, reason="确属故障").events[-1]
        assert "held_breaches" not in moved.payload
        assert desk.ticket(world.manager, fresh).response_due_at > now + timedelta(hours=1)


# The same centre with an installation graded expedited by its class (``[priority] category_floor``).
GRADED = (
    CENTRE.replace('name = "centre_s21"', 'name = "graded_s21"')
    + """
[priority]
category_floor = { complaint = "expedited", installation = "expedited" }
"""
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reclassified_request_is_graded_by_its_new_class(backend: str, tmp_path: Path) -> None:
    # Seed 003 grades requests 普通/加急/特急; the pack grades an installation expedited. A question logged
    # as an installation kept the installation's grade (and its shorter clocks) once corrected, and a
    # repair found to be an installation kept the normal grade. The grade now follows the class's rules,
    # from the correction on; a grade the staff gave themselves stays theirs.
    pack = tmp_path / "graded_s21.toml"
    pack.write_text(GRADED, encoding="utf-8")
    with world_desk(backend, tmp_path, str(pack)) as (desk, clock, world):
        logged = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            description="新机怎么装纸",
            category=Category.INSTALLATION,
        ).ticket
        assert logged.priority == "expedited"
        clock.advance(timedelta(minutes=10))
        event = desk.reclassify(world.agent, logged.id, category=Category.INQUIRY, reason="只是咨询").events[
            -1
        ]
        assert (event.payload["priority"], event.payload["previous_priority"]) == ("normal", "expedited")
        assert desk.ticket(world.manager, logged.id).priority == "normal"
        # Triaged as a repair (normal), then found to be an installation: the policy grades it again.
        repair = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="机器不工作"
        ).ticket.id
        desk.triage(world.agent, repair, nature="setup", severity=Severity.LOW)
        before = desk.ticket(world.manager, repair)
        assert before.priority == "normal"
        desk.reclassify(world.agent, repair, category=Category.INSTALLATION, reason="新机安装调试")
        after = desk.ticket(world.manager, repair)
        assert after.priority == "expedited"
        assert after.resolution_due_at is not None and before.resolution_due_at is not None
        assert after.resolution_due_at < before.resolution_due_at  # the expedited clock, from now on
        # A grade the agent gave at intake is the agent's: the correction keeps it (no priority recorded).
        given = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="装机", category=Category.INSTALLATION,
            priority="critical",
        ).ticket.id  # fmt: skip
        kept = desk.reclassify(world.agent, given, category=Category.INQUIRY, reason="咨询").events[-1]
        assert "priority" not in kept.payload
        assert desk.ticket(world.manager, given).priority == "critical"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_scoring_the_teams_attitude_low_opens_a_complaint(backend: str, tmp_path: Path) -> None:
    # Seed 004 第七条 3-4: dissatisfied with the service quality is a complaint, and 本公司服务人员态度不好,
    # 造成客户抱怨 a general one. A customer pleased with the repair (5) who scores the team's attitude 2
    # opened nothing; it opens a complaint now, at the threshold a low result score opens one (below 3
    # here), about the ticket; an attitude of 4 opens none.
    with world_desk(backend, tmp_path) as (desk, clock, world):
        rude = _accepted(desk, world, "复印机卡纸")
        fine = _accepted(desk, world, "不出纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, rude, problem_back=False, satisfaction=5, attitude=2)
        desk.record_callback(world.agent, fine, problem_back=False, satisfaction=5, attitude=4)
        (record,) = desk.callbacks.records(world.manager, rude)
        assert record.complaint_id is not None
        complaint = desk.ticket(world.manager, record.complaint_id)
        assert complaint.kind == "complaint" and "服务态度 2/5" in complaint.description
        assert desk.callbacks.records(world.manager, fine)[0].complaint_id is None
        assert [e.complaint_id for e in desk.complaints.complaint_log(world.manager)] == [record.complaint_id]
        # The month's feedback to the general manager lists it among the users' opinions as a low score.
        report = monthly_feedback(desk, world.general_manager, reporting_for(desk.store), "2026-03")
        facts = report.facts
        assert [(o.ticket_id, o.score, o.attitude, o.low) for o in facts.opinions] == [(rude, 5, 2, True)]
        # The page shows the attitude beside the score, so a line marked low says why.
        (table,) = [t for t in document_for(report, report_labels("zh_Hans")).tables if t.code == "opinions"]
        assert [c.label for c in table.columns][2:4] == ["评分", "服务态度评分"]
        assert [tuple(row[2:4]) for row in table.rows] == [(5, 2)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_campaign_answer_rating_the_attitude_low_is_reported_to_the_manager(
    backend: str, tmp_path: Path
) -> None:
    # 三(七)3 with seed 004 第七条 4: a customer satisfied with the result (5) who rates the team's attitude 1
    # is dissatisfied; the manager hears of it as of a low overall score, with both figures.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, _clock, world, notifier):
        desk.surveys.start(
            world.manager, campaign_id="Q-att", period="2026-Q1",
            rules=SamplingRules(sample_size=10, served_within_days=None),
        )  # fmt: skip
        desk.surveys.answer(
            world.agent,
            "Q-att:cust-zh",
            survey=SatisfactionSurvey(5, 5, 5, 5, 5, 5, attitude=1),
            comment="态度差",
        )
        desk.surveys.answer(
            world.customer_en, "Q-att:cust-en", survey=SatisfactionSurvey(5, 5, 5, 5, 5, 5, attitude=4)
        )
        desk.deliver()
        (body,) = [m.body for m in notifier.sent if "Q-att" in m.subject]
        assert "总体满意度为 5 分，服务态度评价为 1 分（低于 3 分为低分）" in body and "态度差" in body
