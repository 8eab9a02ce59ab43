"""Issues 22–26 as a host embeds them, read by a peer tester (session 38, r).

* Issue 25 (personal data under PIPL) with seed 002 退料 1, 5: a part lent to one of the maker's own
  engineers and kept past its deadline is charged to the engineer (a fee slip they pay), and paid back
  when the part comes back (``desk.fees.refund_kept_charge``, session 38). The engineer's own export
  (``desk.staff_records.export_staff``, PIPL art. 45: staff are persons too) held neither the charge they
  paid nor the refund, nor the loan ledger they were charged from. On memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from test_seed002_money import PART, SH, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]


def test_an_engineers_own_export_holds_the_kept_part_charge_they_paid_and_its_refund(story: Story) -> None:
    desk, clock, world = story
    eng = world.eng_junior.id  # the maker's own engineer (no dealer): charged himself
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-in"
    ).ticket.id
    clock.advance(timedelta(minutes=10))
    desk.triage(world.agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid, engineer_id=eng)
    desk.start_work(world.junior, tid)
    request = desk.materials.request(
        world.junior, tid, party=PartyRef.engineer(eng), lines=[MaterialsLine(PART, 1)], urgent=True
    )
    desk.materials.check(world.agent, request.id)
    desk.materials.approve(world.manager, request.id)
    desk.materials.pick(world.agent, request.id)
    desk.materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    desk.materials.receive(world.junior, request.id)  # due back within 30 days
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    desk.materials.run_overdue_chargebacks(world.system)
    (charge,) = desk.fees.slips_of(world.manager, tid)
    assert (charge.payer_kind, charge.payer_id) == ("engineer", eng)
    clock.set(datetime(2026, 4, 10, 10, 0, tzinfo=SH))
    desk.fees.record_payment(world.manager, charge.id, Money("75.00", "CNY"))  # 李工 paid it
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))
    back = desk.materials.register_return(world.agent, request_id=request.id, part=PART)
    desk.materials.inspect_return(world.agent, back.id, accepted=True)
    desk.materials.book_return(world.agent, back.id)
    credit = desk.fees.refund_kept_charge(world.manager, charge.id, reason="配件已退回，退还李工")

    data = json.loads(desk.staff_records.export_staff(world.junior, eng))["data"]
    slips = {s["id"]: s for s in data["fee_slips"]}
    assert list(slips) == [charge.id, credit.id]
    assert slips[charge.id]["payments"][0]["amount"] == {"amount": "75.00", "currency": "CNY"}
    assert slips[credit.id]["credits_slip"] == charge.id
    ledger = data["loan_ledger"]
    assert ledger["id"] == f"engineer:{eng}"
    assert [e["part"] for e in ledger["entries"] if e["kind"] == "issued"] == [PART]
    # Another engineer's export holds none of it.
    other = json.loads(desk.staff_records.export_staff(world.manager, world.eng_senior.id))["data"]
    assert (other["loan_ledger"], other["fee_slips"]) == (None, [])
