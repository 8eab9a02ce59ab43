# mypy: disable-error-code="arg-type"
"""Seed 004 (客户服务管理制度) walked clause by clause by a peer tester, session 31, on memory, SQLite and
PostgreSQL, with the ``service_centre`` pack the library ships for it.

Each test is named after the clause it checks (第五条 … 第八条) and writes the scenario a peer holding
only the seed and the public API would write: who may do each step, in which order, with which number,
and what the reports say afterwards. The rule matrix is docs/rules/seed-004.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Channel, Priority
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.complaint_desk import ComplaintLogFilter
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _escalations(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return sum(":complaint_escalated:" in m.idempotency_key for m in notifier.to(address))


def _handle(desk: ServiceDesk, w: World, cid: str, outcome: str = "已更换进水阀, 客户试用正常") -> None:
    desk.contact_customer(w.agent, cid, note="已致电客户, 今日安排上门")
    desk.complaints.investigate(w.agent, cid)
    desk.complaints.propose_solution(w.agent, cid, solution="上门更换进水阀")
    desk.complaints.agree_solution(w.agent, cid)
    desk.complaints.give_feedback(w.agent, cid, outcome=outcome)


def _resolution_verdicts(desk: ServiceDesk, as_of: datetime) -> tuple[int, int]:
    """(met, missed) of the March complaints' resolution in the KPI, as of ``as_of``."""
    total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
    return total.resolution_met, total.resolution_missed


# -- 第五条 1(3), 1(5): the centre calls back and is the department responsible for crises -----------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_5_1_3_the_centre_makes_the_complaint_callback_not_the_outlet(
    backend: str, tmp_path: Path
) -> None:
    # 客户服务中心职责 (3) 负责客户回访: the complaint was passed to the Shanghai dealer's outlet, which
    # handled it (2(3)); the callback is the centre's. The outlet's staff, the engineer who went and the
    # customer may not record it; the centre's agent does, and the log shows it made.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "水箱进水不停, 网点修过一次").ticket.id
        desk.complaints.refer_to_outlet(w.agent, cid, dealer_id=w.dealer_sh.id, note="请网点上门")
        desk.complaints.reply_from_outlet(w.dealer_sh_staff, cid, reply="已更换进水阀", handled=True)
        _handle(desk, w, cid)
        clock.advance(timedelta(days=2))
        for outsider in (w.dealer_sh_staff, w.junior, w.customer_zh):
            with pytest.raises((PermissionDenied, NotFound)):
                desk.record_callback(outsider, cid, problem_back=False, satisfaction=5)
        assert desk.callbacks.records(w.manager, cid) == []
        desk.record_callback(w.agent, cid, problem_back=False, satisfaction=5)
        (entry,) = desk.complaints.complaint_log(w.manager)
        assert entry.called_back_at == clock.now()


# -- 第六条 1(6): a complaint is recorded completely and taken up at once ---------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_6_1_6_a_complaint_is_taken_up_at_once_and_answered_by_the_handlers_call(
    backend: str, tmp_path: Path
) -> None:
    # 接待客户投诉…完整准确地记录; 保证立刻调查或派人解决: a complaint at 10:00 on Monday is at least
    # expedited (the pack's complaint floor), its first answer due within the grade's 2 working hours
    # (12:00); the handler's call at 11:30 answers it on time in the live SLA and the KPI. A second one at
    # 11:00 is due 14:00 (lunch 12:00-13:00 not counted); answered at 14:01 it is late in both and in the
    # breach report.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(3, 2, 10))
        answered = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修师傅迟到两小时").ticket
        clock.set(_at(3, 2, 11))
        late = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门收费与报价不符").ticket
        assert answered.priority is not None and answered.priority.rank >= Priority.EXPEDITED.rank
        assert desk.sla(w.manager, answered.id)["response"].due_at == _at(3, 2, 12)
        assert desk.sla(w.manager, late.id)["response"].due_at == _at(3, 2, 14)
        clock.set(_at(3, 2, 11, 30))
        desk.contact_customer(w.agent, answered.id, note="已致歉, 今日调查")
        clock.set(_at(3, 2, 14, 1))
        desk.contact_customer(w.agent, late.id, note="已致歉, 核对收费")
        assert not desk.sla(w.manager, answered.id)["response"].breached
        assert desk.sla(w.manager, late.id)["response"].breached
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.response_met, total.response_on_time_rate) == (1, Decimal("0.5"))
        report = sla_breaches(desk, w.manager, MARCH, as_of=clock.now())
        assert report.total.response_breached == 1


# -- 第七条 5(1): a crisis needs the loss and the claim --------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_7_5_1_a_crisis_is_a_loss_with_a_claim_and_neither_alone_is_one(
    backend: str, tmp_path: Path
) -> None:
    # 导致用户受到经济损失, 而向我司提出赔偿要求或向消协、技监、新闻媒体反映意见: a loss the customer does not
    # claim for, or the press told of a problem that cost nothing, is a general complaint (第七条 4),
    # escalated to nobody; the loss with the claim is a crisis, major, escalated once at once.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cases = [
            (
                CrisisFacts(problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True),
                ComplaintSeverity.GENERAL,
            ),
            (
                CrisisFacts(problems={CrisisProblem.UNSAFE_REPAIR}, recourse={Recourse.PRESS}),
                ComplaintSeverity.GENERAL,
            ),
            (
                CrisisFacts(
                    problems={CrisisProblem.UNSAFE_REPAIR},
                    economic_loss=True,
                    recourse={Recourse.QUALITY_SUPERVISION},
                ),
                ComplaintSeverity.MAJOR,
            ),
        ]
        for facts, severity in cases:
            cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修后漏电", crisis=facts).ticket.id
            assert desk.complaints.complaint_file(w.manager, cid).severity is severity
        assert _escalations(desk, "13800000009") == 1  # the general manager, for the crisis alone
        major = desk.complaints.complaint_log(w.manager, ComplaintLogFilter(severity=ComplaintSeverity.MAJOR))
        assert len(major) == 1


# -- 第七条 1-3: an inquiry and a repair are no complaints -------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_7_1_to_3_inquiries_and_repairs_are_not_counted_as_complaints(
    backend: str, tmp_path: Path
) -> None:
    # 咨询 and 报修 are requests of their own; only 投诉 is in the complaint log and the KPI's complaints.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="如何保养釉面", category=Category.INQUIRY
        )
        desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="水箱不进水", category=Category.REPAIR
        )
        desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修后仍漏水", channel=Channel.LETTER_FAX)
        assert len(desk.complaints.complaint_log(w.manager)) == 1
        counts = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total.counts
        assert counts.complaints == 1


# -- 第八条 2(5): the centre authorises the local service department to help with a crisis -----------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_8_2_5_the_centre_authorises_the_local_outlet_to_help_with_a_crisis(
    backend: str, tmp_path: Path
) -> None:
    # 当客户服务中心得到危机事件报告后, 可授权各地服务部或派员协助进行处理: the crisis stays the centre's
    # (major, escalated once); the Shanghai dealer it authorises calls the customer and replies; another
    # region's dealer has no say; the outlet does not classify or settle the crisis itself.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        crisis = CrisisFacts(
            problems={CrisisProblem.PROPERTY_LOSS},
            economic_loss=True,
            recourse={Recourse.COMPENSATION_DEMANDED},
        )
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "水管爆裂泡坏楼下天花板, 要求赔偿", crisis=crisis
        ).ticket.id
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.refer_to_outlet(w.manager, cid, dealer_id=w.dealer_sh.id, note="授权网点到场协助")
        desk.contact_customer(w.dealer_sh_staff, cid, note="已到场安抚客户, 拍照取证")
        with pytest.raises((PermissionDenied, NotFound)):
            desk.complaints.reply_from_outlet(w.dealer_bj_staff, cid, reply="?")
        with pytest.raises((PermissionDenied, NotFound)):
            desk.complaints.classify(w.dealer_sh_staff, cid, crisis=CrisisFacts())
        with pytest.raises((PermissionDenied, NotFound)):
            desk.complaints.propose_solution(w.dealer_sh_staff, cid, solution="赔偿 500 元")
        desk.complaints.reply_from_outlet(
            w.dealer_sh_staff, cid, reply="损失约 3000 元, 请中心定夺", handled=False
        )
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.MAJOR and len(file.escalations) == 1
        assert _escalations(desk, "13800000009") == 1


# -- 第八条 2(6): the outcome, the callback within seven days, and what it finds handled again -------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("reviewed", [False, True])
def test_article_8_2_6_a_problem_found_at_the_callback_is_handled_again_without_unjudging_the_handling(
    backend: str, reviewed: bool, tmp_path: Path
) -> None:
    # 用户投诉处理完毕后, 应将处理结果登记好, 并要求在投诉处理后的七天内进行回访…;
    # 对于回访发现的问题应及时再处理.
    # Called in Monday 2 March 10:00, answered at once and handled at 15:00 (its resolution due Wednesday 4
    # March 18:00, met). At the callback on Friday 6 March the leak is back: the complaint is handled again
    # in a new cycle with its own due — the first handling stays on time in the live SLA, the KPI and the
    # breach report, whether or not the complaint had been reviewed (a closed complaint was already so).
    # Before session 31 a complaint not yet closed went back on its first clock: the handling done on time
    # became a resolution breach two days after it, in a month already reported.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(3, 2, 10))
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        clock.set(_at(3, 2, 15))
        _handle(desk, w, cid)
        if reviewed:
            desk.complaints.review(w.manager, cid, root_cause="valve_defect", improvement="更换阀门供应商")
        first = desk.sla(w.manager, cid)["resolution"]
        assert first.met_at == _at(3, 2, 15) and not first.breached
        assert _resolution_verdicts(desk, clock.now()) == (1, 0)

        clock.set(_at(3, 6, 10))
        back = desk.record_callback(w.agent, cid, problem_back=True, satisfaction=2, comment="又开始漏水")
        assert back.ticket.state == "investigating"
        again = desk.sla(w.manager, cid)["resolution"]
        assert not again.breached and again.due_at is not None and again.due_at > clock.now()
        assert _resolution_verdicts(desk, clock.now())[1] == 0
        assert sla_breaches(desk, w.manager, MARCH, as_of=clock.now()).total.resolution_breached == 0
        (entry,) = desk.complaints.complaint_log(w.manager)
        assert entry.outcome == "" and entry.callback_due_at is None
        assert desk.callbacks.pending(w.manager) == []

        # handled again the same afternoon: a new seven-day callback is owed from then
        clock.set(_at(3, 6, 16))
        desk.complaints.propose_solution(w.agent, cid, solution="整机更换")
        desk.complaints.agree_solution(w.agent, cid)
        desk.complaints.give_feedback(w.agent, cid, outcome="已整机更换")
        assert desk.ticket(w.manager, cid).callback_due_at == _at(3, 14, 0)
        assert not desk.sla(w.manager, cid)["resolution"].breached
        assert _resolution_verdicts(desk, clock.now()) == (1, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_8_2_6_a_low_score_at_the_complaints_callback_is_handled_again_in_a_new_cycle(
    backend: str, tmp_path: Path
) -> None:
    # The callback finds the customer still unhappy (score 1, the problem not named back): the complaint
    # goes back to investigating as a problem found at the callback, handled again with a due of its own;
    # the first handling, on time, stays so.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(3, 2, 10))
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门师傅态度差").ticket.id
        _handle(desk, w, cid, outcome="已批评教育维修人员并致歉")
        clock.set(_at(3, 6, 10))
        desk.callbacks.record(
            w.agent, cid, checklist=CallbackChecklist(polite=False), problem_back=False, satisfaction=1
        )
        assert desk.ticket(w.manager, cid).state == "investigating"
        status = desk.sla(w.manager, cid)["resolution"]
        assert not status.breached and status.due_at is not None and status.due_at > clock.now()
        assert _resolution_verdicts(desk, clock.now())[1] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_article_8_2_6_the_customer_rejecting_the_outcome_is_no_new_handling(
    backend: str, tmp_path: Path
) -> None:
    # The customer who rejects the outcome when told (it is not settled, 处理完毕 is not reached) keeps the
    # complaint on its first clock: handled on Monday at 15:00, rejected at once, still open on Thursday
    # — the resolution due Wednesday 18:00 is breached. Only a handling the customer accepted and the
    # callback then found wanting starts again.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(3, 2, 10))
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        clock.set(_at(3, 2, 15))
        _handle(desk, w, cid)
        desk.complaints.reject_outcome(w.customer_zh, cid, reason="只换阀门不够, 要求换机")
        clock.set(_at(3, 5, 10))
        assert desk.sla(w.manager, cid)["resolution"].breached
        with pytest.raises(InvalidTransition):  # nothing handled stands to call back about
            desk.record_callback(w.agent, cid, problem_back=True, satisfaction=1)
