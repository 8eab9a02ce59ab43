"""No job fee is written on a ticket whose job was called off (seed 002 材料收费; session 20's cancellation).

Session 20: a ticket's cancellation cancels its unpaid job slips, since nothing is owed for work never
done (seed 002 counts 售后服务销售收入 from the fee slips). Yet ``desk.fees.issue_slip`` still wrote a new
job slip on the cancelled ticket, counted as the month's income, while the materials desk already refused
to request parts for it (``ticket_cancelled``). A slip for parts the customer kept (事实占有) is still
written: they were shipped, and are owed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales import ChargeKind, ChargeLine, Money, SlipOrigin
from aftersales.errors import PolicyError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("91", "CNY"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_ticket_takes_no_job_slip_but_an_unreturned_part_is_still_charged(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="冲水阀漏水").ticket.id
        desk.cancel(world.agent, tid, reason="客户自行修好")
        month = desk.fees.month_of(clock.now())
        before = desk.fees.monthly_revenue(world.manager, month)

        with pytest.raises(PolicyError) as refused:
            desk.fees.issue_slip(world.manager, tid, lines=[LABOUR])
        assert refused.value.code == "ticket_cancelled"
        assert desk.fees.slips_of(world.manager, tid) == []
        assert desk.fees.monthly_revenue(world.manager, month) == before

        part = ChargeLine(ChargeKind.MATERIALS, "WN-CB-01", Money("120", "CNY"))
        kept = desk.fees.issue_slip(world.manager, tid, lines=[part], origin=SlipOrigin.UNRETURNED_MATERIALS)
        assert [s.id for s in desk.fees.slips_of(world.manager, tid)] == [kept.id]
