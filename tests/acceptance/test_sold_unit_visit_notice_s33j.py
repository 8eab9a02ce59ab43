"""The seller told that their maintenance visit is off when the unit is sold before the work began.

Seed 000 服务回访 (the customer served is asked about the service) and seed 001 五(三) (客户沟通: keep the
customer informed of their service) want the customer kept informed; a visit promised to the seller that
will not come is news to them. Since session 33 the sale calls such a visit off (its ticket cancelled by
the desk, reason ``unit_sold``), but only the dealer holding the job was told: the seller waited for an
engineer who would not come. Now the seller gets ``maintenance_visit_called_off`` (the visit and its
due day; nothing of the buyer), once, in their locale. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from test_sold_unit_visit_s33e import BUYER_PHONE, SELLER_PHONE, Story, _seller_visit, story

__all__ = ["story"]


def test_the_seller_is_told_their_visit_is_off_and_nothing_of_the_buyer(story: Story) -> None:
    desk, clock, world, notifier = story
    visit_id, _ticket_id, due = _seller_visit(desk, clock, world)
    desk.deliver(1000)
    told = len(notifier.sent)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")
    desk.deliver(1000)
    (notice,) = [m for m in notifier.sent[told:] if m.recipient == SELLER_PHONE]
    assert visit_id in notice.subject
    assert due.isoformat() in notice.body or f"{due.month}月{due.day}日" in notice.body
    assert "cust-bj" not in notice.body and "李四" not in notice.body  # the buyer is not the seller's news
    assert not any(m.recipient == BUYER_PHONE for m in notifier.sent[told:])  # their visit comes later
    # Sold again later or the job re-run: the seller is told once.
    desk.maintenance.generate_due(world.system)
    desk.deliver(1000)
    assert [m.recipient for m in notifier.sent[told:]].count(SELLER_PHONE) == 1


def test_a_visit_being_worked_at_the_sale_is_not_called_off_and_the_seller_is_not_told_so(
    story: Story,
) -> None:
    desk, clock, world, notifier = story
    _visit_id, ticket_id, _due = _seller_visit(desk, clock, world)
    desk.start_work(world.dealer_sh_staff, ticket_id)
    desk.deliver(1000)
    told = len(notifier.sent)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")
    desk.deliver(1000)
    assert not any(m.recipient == SELLER_PHONE for m in notifier.sent[told:])
