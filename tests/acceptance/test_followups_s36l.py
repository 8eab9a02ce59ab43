"""Follow-ups of session 36's seed testers (l): the library's own reasons in words, the special case told.

* Seed 003 二 3 (特急问题则启动应急小组) with 二 4 (派工信息实时推送给工程师): the engineer a critical job is
  taken from for the emergency team reads why in his language, not the stored "critical: emergency team".
* Seed 002 分工 6 (24小时之内…特殊情况不得超过48小时): the dealer told to fix the call in 24 hours is told of
  the special case approved and the new due; before, its dispatch notice's 24-hour time was the last word.
* Seed 000 6.验收确认 / 7.服务回访 with seed 003 过程透明 (客户可…查询服务进度): the history a customer reads
  in a language words the reopen a callback made, not the stored "callback: the problem is back".
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.teams import Team, TeamKind
from aftersales.domain.ticket import CALLBACK_REWORK_REASON
from aftersales.i18n.stored_reasons import EMERGENCY_TEAM
from aftersales.service.desk import ServiceDesk
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
JUNIOR_PHONE = "13700000001"  # 李工, zh_Hans
DEALER_PHONE = "13900000001"  # 陈店长 of the Pudong dealer, zh_Hans


def _sent(desk: ServiceDesk, address: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.subject + "\n" + m.body for m in notifier.to(address)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_engineer_a_job_is_taken_from_for_the_emergency_team_reads_why_in_chinese(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, notifier=MemoryNotifier()) as (desk, _clock, w):
        team = Team("emergency", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, [w.eng_junior.id])
        desk.teams.save_team(w.manager, team)
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="整栋楼停水，设备冒烟"
        ).ticket.id
        desk.triage(w.agent, tid, nature="smoke", severity=Severity.SEVERE, production_stopped=True)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        result = desk.teams.dispatch_critical(w.manager, tid)
        assert result.events[-1].reason == EMERGENCY_TEAM  # the history keeps the code
        (taken,) = [m for m in _sent(desk, JUNIOR_PHONE) if "改派" in m]
        assert "原因：特急问题，已转应急小组处理" in taken and EMERGENCY_TEAM not in taken


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealer_hears_the_special_case_and_the_customer_reads_the_callbacks_reopen_in_words(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier()) as (desk, clock, w):
        staff = w.dealer_sh_staff
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶一直冲水").ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)  # Monday 2 March 09:00: fixed by Tuesday 09:00
        (dispatched,) = _sent(desk, DEALER_PHONE)
        assert "2026年3月3日 09:00" in dispatched
        clock.advance(timedelta(hours=3))
        desk.extend_sla(w.manager, tid, "resolution", timedelta(hours=48), "配件需从台州发货")
        told = _sent(desk, DEALER_PHONE)[1:]
        assert told == [
            f"工单 {tid} 特殊情况已获批准\n特殊情况已获批准：工单 {tid} 的解决时限延长至 48 小时，"
            "请在 2026年3月4日 09:00 前完成。原因：配件需从台州发货"
        ]
        # The callback finds the problem back, the customer saying nothing more: the job is reopened with
        # the library's own reason, which the customer reads in words in their history.
        desk.start_work(staff, tid)
        desk.add_fault_record(staff, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust")
        desk.resolve(staff, tid, summary="调整冲水阀")
        desk.confirm(w.customer_zh, tid, note="好了")
        clock.advance(timedelta(hours=1))
        desk.record_callback(w.agent, tid, problem_back=True)
        view = desk.ticket(w.customer_zh, tid)
        (reopen,) = [e for e in view.events if e.reason == CALLBACK_REWORK_REASON]
        assert view.reasons("zh_Hant")[reopen.seq][-1] == "回訪發現問題復發"
        (shown,) = [e for e in view.to_dict(locale="zh_Hans")["events"] if e["seq"] == reopen.seq]
        assert shown["reasons"][-1] == "回访发现问题复发" and shown["reason"] == CALLBACK_REWORK_REASON
