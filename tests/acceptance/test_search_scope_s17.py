# mypy: disable-error-code="arg-type"
"""What a customer reads of a ticket through search, the ledger and the ticket itself, on memory, SQLite
and PostgreSQL: the staff's labels stay the staff's.

Tags are the labels the staff put on tickets to find and group them (a dealer's "难缠客户", a risk flag,
"vip"); only staff and the system may tag (``tag`` in the permission table). Seed 003 gives the customer
the progress of their own service (客户可通过服务平台或电话查询服务进度), not the staff's bookkeeping — as
for an internal note ("客户脾气急") or the staff's words on their triage (reader_view). So a customer
reads no tags, finds no ticket by one, filters no list by one, and puts none on at intake.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import PermissionDenied
from aftersales.ports.queries import TicketFilter
from aftersales.ports.ticket_search import SearchRequest
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

RISK = "难缠客户"


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World
    clock: ManualClock


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, "sanitary_ware") as (desk, clock, world):
        yield Desk(desk, world, clock)


def _tagged(shop: Desk) -> str:
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶漏水", asset_id="asset-1"
    ).ticket.id
    desk.tag(world.agent, tid, add=[RISK, "vip"])
    return tid


def test_a_customer_reads_no_tags_on_its_ticket(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _tagged(shop)
    customer = world.customer_zh
    # Staff read the labels they put on (the dealer's staff too: its customer's ticket).
    assert desk.ticket(world.agent, tid).tags == ("vip", RISK)
    assert desk.ticket(world.dealer_sh_staff, tid).tags == ("vip", RISK)
    # The customer reads neither the tags nor the steps that put them on (before: both, in every view).
    seen = desk.ticket(customer, tid)
    assert seen.tags == ()
    assert [e.action for e in seen.events if e.action == "tag"] == []
    assert RISK not in seen.to_json()
    (listed,) = desk.ledger(customer).items
    assert listed.tags == () and RISK not in listed.to_json()
    (found,) = desk.search(customer, "漏水").items
    assert found.tags == ()
    assert RISK not in desk.export_ledger(customer)
    assert RISK in desk.export_ledger(world.agent)


def test_a_customer_finds_no_ticket_by_its_tag(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _tagged(shop)
    assert [v.id for v in desk.search(world.agent, "难缠").items] == [tid]
    # Before: the customer found its ticket by the staff's label, learning that it carries it.
    assert desk.search(world.customer_zh, "难缠").items == ()
    assert desk.search(world.customer_zh, "vip").items == ()
    assert [v.id for v in desk.search(world.customer_zh, "漏水").items] == [tid]


def test_a_customer_filters_no_list_by_a_tag(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _tagged(shop)
    by_tag = TicketFilter(tags=[RISK])
    assert [v.id for v in desk.ledger(world.agent, by_tag).items] == [tid]
    customer = world.customer_zh
    # Before: the customer's ledger, count and search answered the filter (one ticket: it is labelled so).
    with pytest.raises(PermissionDenied):
        desk.ledger(customer, by_tag)
    with pytest.raises(PermissionDenied):
        desk.count(customer, by_tag)
    with pytest.raises(PermissionDenied):
        desk.search(customer, "漏水", by_tag)
    assert desk.count(customer) == 1


def test_a_customer_puts_no_tags_on_a_call_it_opens(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    customer = world.customer_zh
    # Before: a customer could not tag its ticket, but could at intake ("vip" put it in the staff's lists).
    with pytest.raises(PermissionDenied):
        desk.open_ticket(customer, customer_id="cust-zh", description="马桶漏水", tags=["vip"])
    assert desk.count(world.agent) == 0
    desk.open_ticket(customer, customer_id="cust-zh", description="马桶漏水")
    assert desk.count(world.agent, TicketFilter(tags=["vip"])) == 0
    assert desk.count(world.agent) == 1


def _calls(shop: Desk, *descriptions: str) -> list[str]:
    ids = []
    for description in descriptions:
        ids.append(
            shop.desk.open_ticket(shop.world.agent, customer_id="cust-zh", description=description).ticket.id
        )
        shop.clock.advance(timedelta(minutes=1))
    return ids


def test_an_internal_match_leaves_no_cursor_for_the_customer(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    first, second = _calls(shop, "马桶漏水", "座圈松动")
    for tid in (first, second):
        desk.note_to_customer(world.agent, tid, text="客户脾气急", visible=False)
    assert len(desk.search(world.agent, "脾气急").items) == 2
    # Before: no ticket but a cursor (a hidden match exists), which encodes the hidden hit's place.
    page = desk.search(world.customer_zh, "脾气急", page=SearchRequest(limit=1))
    assert page.items == () and page.next_cursor is None
    page = desk.search(world.customer_zh, "脾气急", page=SearchRequest(limit=5))
    assert page.items == () and page.next_cursor is None


def test_a_customers_search_pages_are_full_and_end_with_the_last_hit(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    oldest, hidden, newest = _calls(shop, "马桶漏水", "座圈松动", "水箱漏水")
    desk.note_to_customer(world.agent, hidden, text="疑似漏水批次", visible=False)
    assert [v.id for v in desk.search(world.agent, "漏水").items] == [newest, hidden, oldest]
    customer, one = world.customer_zh, SearchRequest(limit=1)
    page = desk.search(customer, "漏水", page=one)
    assert [v.id for v in page.items] == [newest] and page.next_cursor is not None
    # Before: the second page was empty (the hidden hit dropped) with a cursor to a third.
    page = desk.search(customer, "漏水", page=SearchRequest(limit=1, cursor=page.next_cursor))
    assert [v.id for v in page.items] == [oldest]
    assert page.next_cursor is None
    page = desk.search(customer, "漏水", page=SearchRequest(limit=2))
    assert [v.id for v in page.items] == [newest, oldest] and page.next_cursor is None
