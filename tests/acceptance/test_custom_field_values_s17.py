# mypy: disable-error-code="arg-type"
"""A number field's value is one text however it was typed, so filters find it, on memory, SQLite and
PostgreSQL.

Custom fields are stored as canonical text so that "equal values compare equal in filters"
(domain.custom_fields). A non-whole number kept the zeros it was typed with: 2.50 was stored "2.50",
and the ledger filtered by 2.5 (or search's filter, or a second ticket set to 2.5) did not find it. A
number too large for any text (1e999999999) escaped as decimal.Overflow; a date and time given for a
date field was stored as the instant's text, which the field's typed reading could not read back. A
NUL or a lone surrogate in a text field was stored by one store and refused by another with the driver's
untyped error (PostgreSQL: DataError; SQLite: UnicodeEncodeError).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

FIELDS = CustomFieldSet.of(
    CustomField("water_pressure", FieldType.NUMBER),
    CustomField("install_date", FieldType.DATE),
    CustomField("site_note", FieldType.TEXT),
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path, "fields.db"))
        desk = stack.enter_context(
            ServiceDesk.open(
                url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF, custom_fields=FIELDS
            )
        )
        world = make_world()
        register(desk, world)
        yield desk, world


def test_a_number_is_one_text_however_typed(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    agent = world.agent
    first = desk.open_ticket(
        agent, customer_id="cust-zh", description="水压低", custom_fields={"water_pressure": "2.50"}
    )
    second = desk.open_ticket(agent, customer_id="cust-en", description="水压低")
    desk.set_custom_fields(agent, second.ticket.id, {"water_pressure": Decimal("2.5")})
    assert desk.ticket(agent, first.ticket.id).custom_fields["water_pressure"] == "2.5"  # before: "2.50"
    both = [first.ticket.id, second.ticket.id]
    for typed in (Decimal("2.5"), Decimal("2.50"), Decimal("2.500")):
        wanted = TicketFilter(custom_fields={"water_pressure": typed})
        assert sorted(v.id for v in desk.ledger(agent, wanted).items) == both, typed
        assert sorted(v.id for v in desk.search(agent, "水压低", wanted).items) == both, typed


def test_a_number_keeps_every_digit_and_one_too_large_is_refused(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    agent = world.agent
    tid = desk.open_ticket(agent, customer_id="cust-zh", description="水压低").ticket.id
    exact = "1.2345678901234567890123456789012"
    desk.set_custom_fields(agent, tid, {"water_pressure": exact})
    assert desk.ticket(agent, tid).custom_fields["water_pressure"] == exact
    for huge in ("1e999999999", "1e-999999999"):
        with pytest.raises(ValidationError) as refused:  # before: decimal.Overflow, or a billion zeros
            desk.set_custom_fields(agent, tid, {"water_pressure": huge})
        assert refused.value.field == "fields.water_pressure"
    assert desk.ticket(agent, tid).custom_fields["water_pressure"] == exact


def test_a_date_field_takes_a_day_not_an_instant(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    agent = world.agent
    tid = desk.open_ticket(agent, customer_id="cust-zh", description="安装").ticket.id
    instant = datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValidationError) as refused:  # before: stored "2026-03-09T23:30:00+08:00"
        desk.set_custom_fields(agent, tid, {"install_date": instant})
    assert refused.value.field == "fields.install_date"
    desk.set_custom_fields(agent, tid, {"install_date": date(2026, 3, 9)})
    stored = desk.ticket(agent, tid).custom_fields
    assert desk.custom_fields.typed(stored) == {"install_date": date(2026, 3, 9)}


def test_a_text_field_takes_text_every_store_can_keep(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    agent = world.agent
    tid = desk.open_ticket(
        agent, customer_id="cust-zh", description="漏水", custom_fields={"site_note": "三楼"}
    )
    for bad in ("阀门\x00损坏", "\ud800", "a\x1bb"):
        with pytest.raises(ValidationError) as refused:
            desk.set_custom_fields(agent, tid.ticket.id, {"site_note": bad})
        assert refused.value.field == "fields.site_note"
        with pytest.raises(ValidationError):
            desk.open_ticket(
                agent, customer_id="cust-zh", description="漏水", custom_fields={"site_note": bad}
            )
    desk.set_custom_fields(agent, tid.ticket.id, {"site_note": "三楼\n靠窗"})
    assert desk.ticket(agent, tid.ticket.id).custom_fields == {"site_note": "三楼\n靠窗"}
    assert desk.count(agent) == 1


def test_a_choice_no_store_can_keep_is_refused_when_declared() -> None:
    with pytest.raises(ConfigurationError):
        CustomField("colour", FieldType.CHOICE, choices=("white\x00", "black"))
