# mypy: disable-error-code="arg-type"
"""The daily run opens its visits a batch at a time: numbers, dispatch, notices as for single tickets (26)."""

from __future__ import annotations

from datetime import date, timedelta

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.products import Asset
from aftersales.service.desk import ServiceDesk
from conftest import World


def plans_due_on(desk: ServiceDesk, world: World, due: date, per_dealer: int) -> dict[str, str]:
    """``per_dealer`` units each of a Shanghai and a Beijing customer, planned for ``due``: unit → dealer."""
    bj = Customer(
        CustomerId("cust-bj"), "刘洋", Contact("刘洋", phone="13611112222", locale="zh_Hans"),
        region="BJ", dealer_id=world.dealer_bj.id,
    )  # fmt: skip
    desk.register_customer(world.manager, bj)
    dealers: dict[str, str] = {}
    for i in range(per_dealer * 2):
        customer, dealer = (world.cust_zh.id, world.dealer_sh.id) if i % 2 else (bj.id, world.dealer_bj.id)
        asset = Asset(AssetId(f"b-{i:03d}"), world.product.id, f"SN-B-{i:05d}", customer_id=customer)
        desk.register_asset(world.manager, asset)
        desk.maintenance.create_plan(world.manager, asset_id=asset.id, first_due=due)
        dealers[asset.id] = dealer
    return dealers


def test_a_runs_visits_are_numbered_in_sequence_and_go_to_each_customers_dealer(
    desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    before = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
    dealers = plans_due_on(desk, world, date(2026, 3, 10), 6)
    report = desk.maintenance.generate_due(world.system)
    assert len(report.generated) == 12 and report.undispatched == ()
    first = int(before.rsplit("-", 1)[1])
    numbers = sorted(int(v.ticket_id.rsplit("-", 1)[1]) for v in report.generated if v.ticket_id)
    assert numbers == list(range(first + 1, first + 13))  # one counter write, the same numbers as one by one
    for visit in report.generated:
        assert visit.ticket_id is not None
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assert ticket.assignee is not None and ticket.assignee.id == dealers[visit.asset_id]
        assert ticket.dealer_id == dealers[visit.asset_id]
    after = desk.open_ticket(world.agent, customer_id="cust-zh", description="水箱不出水").ticket.id
    assert int(after.rsplit("-", 1)[1]) == first + 13  # the sequence goes on after the batch


def test_every_visit_is_announced_to_its_customer_and_its_dealer(
    desk: ServiceDesk, world: World, clock: ManualClock, notifier: MemoryNotifier
) -> None:
    plans_due_on(desk, world, date(2026, 3, 12), 3)
    desk.deliver()
    earlier = len(notifier.sent)
    clock.advance(timedelta(hours=1))
    report = desk.maintenance.generate_due(world.system)
    desk.deliver()
    sent = notifier.sent[earlier:]
    assert len(report.generated) == 6
    for visit in report.generated:
        assert visit.ticket_id is not None
        told = {m.recipient for m in sent if visit.ticket_id in m.body}
        customer = "13611112222" if visit.customer_id == "cust-bj" else "13912345678"
        dealer = "service@chaoyang-dealer.example" if visit.customer_id == "cust-bj" else "13900000001"
        assert told == {customer, dealer}
    # Seen by search like any ticket, with its customer's phone.
    found = desk.search(world.manager, "13611112222")
    beijing = {v.ticket_id for v in report.generated if v.customer_id == "cust-bj"}
    assert beijing <= {t.id for t in found.items}
