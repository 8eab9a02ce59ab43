# mypy: disable-error-code="arg-type"
"""Seed 002: the callback falls due to the dealer who did the job, beside the maker's office.

分工 1 乙方负责所售产品的全过程服务(包括安装调试、维修、回访等); 8 乙方有义务配合甲方对本区域的用户进行回访和
满意度调查工作. Session 35 (h), a peer tester: the ``callbacks_due`` job told the maker's agents only
("待回访：工单 …"), so the dealer who repaired the unit heard of the callback it owed only from the SLA
warning an hour before the deadline. The pack ``sanitary_ware`` now sets ``[notification]
callback_due_to = ["agent", "dealer_staff"]``; a job the maker's own engineer did, and a complaint's
callback (the centre's, seed 004 第八条 2(6)), reach the office only. The setting is used or refused.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales import ConfigurationError, Plan, ServiceDesk, Severity
from aftersales.adapters import ManualClock, MemoryNotifier
from conftest import STAFF, START, World, make_world, register, store_url

DEALER_PHONE = "13900000001"  # the Shanghai dealer's contact (conftest's world)
AGENTS = "callcentre@venus.example"
DUE = "待回访："


def _repaired(desk: ServiceDesk, clock: ManualClock, w: World, *, by_dealer: bool = True) -> str:
    """张伟's leaking tank repaired on site and accepted: by the territory's dealer, or by the maker's
    own senior engineer."""
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="水箱漏水", asset_id=w.asset.id
    ).ticket.id
    desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    if by_dealer:
        desk.dispatch(w.agent, tid)
        hands = w.dealer_sh_staff
    else:
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="经销商无人")
        hands = w.senior
    clock.advance(timedelta(hours=2))
    desk.start_work(hands, tid)
    desk.add_fault_record(hands, tid, symptom="leak", cause="seal_worn", action="replace_seal")
    desk.resolve(hands, tid, summary="更换密封圈")
    desk.confirm(w.customer_zh, tid)
    return tid


def _due_notices(desk: ServiceDesk, notifier: MemoryNotifier, address: str) -> list[str]:
    desk.deliver(1000)
    return [f"{m.subject}\n{m.body}" for m in notifier.to(address) if m.subject.startswith(DUE)]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_dealer_who_did_the_repair_is_told_its_callback_is_due_once(backend: str, tmp_path: Path) -> None:
    clock, notifier, w = ManualClock(START), MemoryNotifier(), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, notifier=notifier, staff=STAFF) as desk,
    ):
        register(desk, w)
        tid = _repaired(desk, clock, w)
        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 1
        (dealer,) = _due_notices(desk, notifier, DEALER_PHONE)
        (office,) = _due_notices(desk, notifier, AGENTS)
        # The callback is due 72 hours after the acceptance (Monday 11:00 → Thursday 11:00).
        for notice in (dealer, office):
            assert tid in notice and "张伟" in notice and "2026年3月5日 11:00" in notice
        # Once: a later run announces nothing again, to either of them.
        clock.advance(timedelta(hours=1))
        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 0
        assert len(_due_notices(desk, notifier, DEALER_PHONE)) == 1
        assert len(_due_notices(desk, notifier, AGENTS)) == 1
        # The dealer makes it (its region's callback) and lists it among its own.
        assert [c.ticket_id for c in desk.callbacks.pending(w.dealer_sh_staff)] == [tid]
        desk.record_callback(w.dealer_sh_staff, tid, problem_back=False, satisfaction=5)


def test_the_makers_own_job_and_a_complaints_callback_reach_the_office_only(tmp_path: Path) -> None:
    clock, notifier, w = ManualClock(START), MemoryNotifier(), make_world()
    with ServiceDesk.open(
        "memory://", pack="sanitary_ware", clock=clock, notifier=notifier, staff=STAFF
    ) as desk:
        register(desk, w)
        own = _repaired(desk, clock, w, by_dealer=False)
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门太慢", [own]).ticket.id
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.propose_solution(w.manager, cid, solution="致歉")
        desk.complaints.agree_solution(w.manager, cid)
        desk.complaints.give_feedback(w.manager, cid, outcome="已致歉,客户接受")
        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 2
        assert _due_notices(desk, notifier, DEALER_PHONE) == []
        office = _due_notices(desk, notifier, AGENTS)
        assert len(office) == 2 and any(own in n for n in office) and any(cid in n for n in office)


def _pack(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(
        f'[pack]\nname = "p"\nextends = "office_equipment"\n\n[notification]\n{line}\n', encoding="utf-8"
    )
    return path


def test_the_setting_is_used_by_another_pack_and_the_default_tells_the_office_only(tmp_path: Path) -> None:
    for pack, told in (
        ("office_equipment", 0),
        (str(_pack(tmp_path, 'callback_due_to = ["agent", "dealer_staff"]')), 1),
    ):
        clock, notifier, w = ManualClock(START), MemoryNotifier(), make_world()
        with ServiceDesk.open("memory://", pack=pack, clock=clock, notifier=notifier, staff=STAFF) as desk:
            register(desk, w)
            tid = desk.open_ticket(
                w.agent, customer_id=w.cust_zh.id, description="水箱漏水", asset_id=w.asset.id
            ).ticket.id
            desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)
            desk.start_work(w.dealer_sh_staff, tid)
            desk.resolve(w.dealer_sh_staff, tid, summary="更换密封圈")
            desk.confirm(w.customer_zh, tid)
            desk.jobs.run_due(only=("callbacks_due",))
            assert len(_due_notices(desk, notifier, DEALER_PHONE)) == told
            assert len(_due_notices(desk, notifier, AGENTS)) == 1


@pytest.mark.parametrize(
    "roles", ["[]", '["dealer_staff"]', '["agent", "engineer"]', '["customer"]', '["agent", "nobody"]']
)
def test_a_list_without_the_office_or_with_a_role_that_makes_no_callback_is_refused(
    tmp_path: Path, roles: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(_pack(tmp_path, f"callback_due_to = {roles}")))
    assert (refused.value.key or "").startswith("notification.callback_due_to")
