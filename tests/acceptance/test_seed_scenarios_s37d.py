"""Seeds 000–002 walked by a peer tester (session 37, d), through the public API, on the real 2026 calendar.

* Seed 002 分工 1 (乙方负责所售产品的全过程服务) and 分工 6 (乙方接到用户的叫修(或者是甲方的电话通知)
  后…24小时之内): the job is the dealer's while its own fitter does it. Handing it to the fitter
  does not take it from the dealer, so the dealer's desk is not told "已改派他人，您无需再上门处理"; and
  when the maker's office takes it from the fitter for its own engineer, the dealer — whose job it
  was — is told so, not the fitter alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DEALER_PHONE = "13900000001"  # 陈店长, the Pudong dealer's service desk (zh_Hans)
FITTER_PHONE = "13600000001"  # 浦东师傅, the Pudong dealer's own fitter
JUNIOR_PHONE = "13700000001"  # 李工, the maker's own engineer


def _sent(desk: ServiceDesk, address: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.subject + "\n" + m.body for m in notifier.to(address)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_1_the_job_stays_the_dealers_with_its_own_fitter_and_the_dealer_hears_when_it_is_taken(
    backend: str, tmp_path: Path
) -> None:
    """A leak called in on Wednesday 30 September 2026 at 16:00, the eve of National Day, passed to the
    Pudong dealer, who gives it to its own fitter at 16:30: the fitter is told to go, the dealer's desk is
    told nothing was taken from it. On 1 October (a holiday) the fitter cannot go and the office gives the
    job to its own engineer 李工: the fitter and the dealer are both told the job was given to someone else,
    with the office's reason."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier()) as (desk, clock, w):
        clock.set(datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="进水阀漏水", asset_id=w.asset.id
        ).ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)
        before = len(_sent(desk, DEALER_PHONE))
        clock.advance(timedelta(minutes=30))
        desk.dispatch(w.dealer_sh_staff, tid, engineer_id=w.eng_dealer.id, reason="本店师傅上门")
        assert any("已派给您" in m for m in _sent(desk, FITTER_PHONE))
        assert not [m for m in _sent(desk, DEALER_PHONE)[before:] if "改派" in m]

        clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="浦东师傅节日无法上门")
        assert any("已派给您" in m for m in _sent(desk, JUNIOR_PHONE))
        for address in (FITTER_PHONE, DEALER_PHONE):
            (taken,) = [m for m in _sent(desk, address) if "改派" in m]
            assert tid in taken and "原因：浦东师傅节日无法上门" in taken
