"""Words, not raw codes, at every edge (issues 19, 22, 24; session 39 n, the host peer tester's leftovers).

1. A pack's own fault cause named in a reason ("why") read as the code,
   ``故障原因"seal_defect"不属收费范围``, in ``TicketView.reasons``, ``to_dict`` (the FastAPI example's
   ``GET /tickets/{id}``) and the batch incident's notice, while the charge-sheet paper showed the pack's
   label. Every renderer of reasons now asks the desk's pack vocabulary first
   (``aftersales.i18n.pack_words``); a code it does not label reads as itself.

2. The holder of a customer registered without an address read "for Bob Lee, none, is assigned to you"
   (``assigned_unaddressed`` now, as session 38's ``assigned_undated`` for "by none").
3. The engineer of a dealer who kept a part heard it charged, not the charge paid back (seed 002 退料 1).

On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from test_seed002_money import PART, SH, _repair, story

from aftersales import pack_words, render_reasons, to_dict, to_json
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer
from aftersales.domain.reasons import Reason
from aftersales.i18n.reasons import render_reason
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]

BACKENDS = ["memory", "sqlite", "postgres"]
FAULTS = FaultCatalog(
    FaultCatalogParams(
        causes={"seal_defect": {"zh_Hans": "密封圈老化", "zh_Hant": "密封圈老化失效", "en": "aged seal"}}
    )
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pack_fault_cause_reads_in_the_packs_words_in_views_json_and_notices(
    backend: str, tmp_path: Path
) -> None:
    notifier = MemoryNotifier()
    options = {"overrides": {"faults": FAULTS}, "notifier": notifier}
    with world_desk(backend, tmp_path, pack="sanitary_ware", **options) as (desk, clock, world):
        unit = attrs.evolve(world.asset, id=AssetId("asset-2"), serial="SN-2", customer_id=world.cust_en.id)
        desk.register_asset(world.manager, unit)
        tickets = []
        for customer, asset in ((world.cust_zh.id, "asset-1"), (world.cust_en.id, "asset-2")):
            opened = desk.open_ticket(world.agent, customer_id=customer, description="漏水", asset_id=asset)
            tid = opened.ticket.id
            desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
            desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
            desk.start_work(world.junior, tid)
            clock.advance(timedelta(minutes=10))
            desk.add_fault_record(
                world.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal"
            )
            tickets.append(tid)
        # 2 of the batch's 2 units: a batch incident, escalated to the general manager (seed 004 第七条 5(2)).
        desk.deliver()
        (notice,) = notifier.to("13800000009")
        assert "“密封圈老化”" in notice.body and "seal_defect" not in notice.body, notice.body

        desk.charges.assess(world.junior, tickets[0])  # in warranty: the cause is not chargeable
        view = desk.ticket(world.manager, tickets[0])
        assert "故障原因“密封圈老化”不属收费范围" in view.reasons("zh_Hans")[max(view.reasons("zh_Hans"))]
        assert "故障原因「密封圈老化失效」不屬收費範圍" in str(view.reasons("zh_Hant"))
        page = to_dict(view, locale="en")
        assert 'the cause "aged seal" is not chargeable' in page["events"][-1]["reasons"]
        assert "seal_defect" not in str([e["reasons"] for e in page["events"]])
        assert "aged seal" in to_json(view, locale="en")
        assert to_dict(view)["events"][-1]["payload"]["reasons"][1]["params"] == {"cause": "seal_defect"}

        # A host rendering a stored event itself passes the desk's words; a code the pack does not
        # label reads as itself (an explanation in codes beats none).
        words = pack_words(desk.policies)
        assert 'the cause "aged seal" is not chargeable' in render_reasons(view.events[-1], "en", words)
        unknown = Reason("cause_not_chargeable", {"cause": "pipe_frozen"})
        assert render_reason(unknown, "en", words) == 'the cause "pipe_frozen" is not chargeable'


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_holder_of_a_customer_with_no_address_is_asked_to_get_it_not_told_none(
    backend: str, tmp_path: Path
) -> None:
    """2. The ``assigned`` notice read "for Bob Lee, none, is assigned to you" (地址：无) for a customer
    registered without an address; now it asks the holder to get the address from the customer."""
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=notifier) as (desk, _clock, world):
        bob = Customer(
            CustomerId("cust-bob"), "Bob Lee", Contact("Bob Lee", email="bob@example.com"), region="SH"
        )
        desk.register_customer(world.manager, bob)
        tid = desk.open_ticket(world.agent, customer_id=bob.id, description="leaking tap").ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)  # an English reader
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id, reason="closer")  # a Chinese one
        desk.deliver()
        (english,) = notifier.to("wang.sr@venus.example")[:1]
        assert "for Bob Lee is assigned to you. The customer has no address on record" in english.body
        assert "none" not in english.body, english.body
        (chinese,) = notifier.to("13700000001")
        assert "客户：Bob Lee，地址：无。请与客户确认上门地址" in chinese.body, chinese.body


def test_the_dealers_engineer_who_kept_a_part_hears_its_charge_paid_back(story: Story) -> None:
    """3. Seed 002 退料 1: a part kept by a dealer's own engineer is charged to the dealer, both told; the
    refund (``kept_charge_refunded``) went to the dealer alone. One rule tells both of both now."""
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    fitter = PartyRef.engineer("eng-dealer-sh")
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=fitter, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # not back within 30 days: charged to the dealer
    materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    clock.set(datetime(2026, 4, 10, 10, 0, tzinfo=SH))
    desk.fees.record_payment(world.manager, slip.id, Money("75.00", "CNY"))
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))  # the part is back after all
    back = materials.register_return(world.agent, request_id=request.id, part=PART)
    materials.inspect_return(world.agent, back.id, accepted=True)
    materials.book_return(world.agent, back.id)
    credit = desk.fees.refund_kept_charge(world.manager, slip.id, reason="配件已退回，经协商退还")
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    for phone in ("13900000001", "13600000001"):  # the dealer who paid, the fitter who kept it
        told = [m for m in notifier.to(phone) if credit.id in m.body]
        assert len(told) == 1, (phone, [m.subject for m in notifier.to(phone)])
