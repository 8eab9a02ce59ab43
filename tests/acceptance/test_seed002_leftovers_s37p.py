"""Seed 002 leftovers a peer tester noticed in session 37 (task d), fixed by task p.

* 叫修处理流程 电话指导 → 结案 (fees are computed only after 现场检修): a line free because the call was
  handled by phone guidance says only that, not also "out of warranty: chargeable".
* 分工 1 乙方负责所售产品的全过程服务, 分工 6 乙方接到用户的叫修(或者是甲方的电话通知)后…24小时之内: the
  office dispatching a dealer's own fitter directly is the maker's notice to the dealer, so the dealer's
  desk is told of the assignment; a dealer giving the job to its fitter itself is not told again.
Each runs on memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_seed_002_scenarios_s23 import FEES, OUT_OF_WARRANTY

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DEALER_PHONE = "13900000001"  # the Pudong dealer's service desk
FITTER_PHONE = "13600000001"  # the Pudong dealer's own fitter


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_line_free_by_phone_guidance_carries_only_that_reason(backend: str, tmp_path: Path) -> None:
    """A toilet bought in 2021 keeps flushing (2 March 2026); the office guides the user by phone and
    nobody goes. The labour, travel and fee lines are free because of the phone guidance alone: before,
    each also read "out of warranty: chargeable" beside "phone guidance, no fee"."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (desk, clock, w):
        clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
        desk.register_asset(w.manager, OUT_OF_WARRANTY)
        tid = desk.open_ticket(
            w.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
        ).ticket.id
        desk.triage(w.agent, tid, nature="flush_valve_leak", severity=Severity.LOW, plan=Plan.REMOTE)
        desk.add_fault_record(
            w.agent, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="guide_user"
        )
        sheet = desk.charges.assess(w.agent, tid, travel_zone="pudong")
        assert sheet.phase == "out_of_warranty" and sheet.lines
        for line in sheet.lines:
            assert not line.line.chargeable
            assert [r.code for r in line.reasons] == ["phone_guidance_no_fee"], line.line.kind


def _sent(desk: ServiceDesk, address: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.subject + "\n" + m.body for m in notifier.to(address)]


def _leak(desk: ServiceDesk, clock: ManualClock, w: World, at: datetime) -> str:
    clock.set(at)
    tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="进水阀漏水", asset_id=w.asset.id)
    desk.triage(w.agent, tid.ticket.id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    return tid.ticket.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealer_hears_when_the_office_dispatches_its_own_fitter_not_when_it_does(
    backend: str, tmp_path: Path
) -> None:
    """A leak called in on Friday 2 October 2026 (National Day) at 10:00: the office sends the Pudong
    dealer's own fitter directly. The job is the dealer's and its 24 hours bind the dealer, so the
    dealer's desk is told whom the office sent and by when (before, only the fitter heard). A second leak
    passed to the dealer, who gives it to the same fitter itself, tells the dealer nothing more."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier()) as (desk, clock, w):
        direct = _leak(desk, clock, w, datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI))
        desk.dispatch(w.agent, direct, engineer_id=w.eng_dealer.id)
        assert any(direct in m and "已派给您" in m for m in _sent(desk, FITTER_PHONE))
        (told,) = [m for m in _sent(desk, DEALER_PHONE) if direct in m]
        assert "浦东师傅" in told and "2026年10月3日 10:00" in told  # the fitter, and the dealer's 24 hours

        own = _leak(desk, clock, w, datetime(2026, 10, 2, 11, 0, tzinfo=SHANGHAI))
        desk.dispatch(w.agent, own, dealer_id=w.dealer_sh.id)
        before = _sent(desk, DEALER_PHONE)
        clock.advance(timedelta(minutes=20))
        desk.dispatch(w.dealer_sh_staff, own, engineer_id=w.eng_dealer.id, reason="本店师傅上门")
        assert any(own in m for m in _sent(desk, FITTER_PHONE))
        assert _sent(desk, DEALER_PHONE) == before
