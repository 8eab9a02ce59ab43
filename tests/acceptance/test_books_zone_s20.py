# mypy: disable-error-code="arg-type"
"""A desk in another books time zone than its store's is refused, on SQLite and PostgreSQL (a memory store
does not outlive its desk).

Two desks on one store (or a desk restarted) with different ``settings={"timezone": ...}`` dated the
same tickets in two zones: a callback's whole local days, a fee slip's month, a KPI month's boundary.
A ticket opened at 09:00 on 1 April in Shanghai was in March for a desk keeping its books in New York.
The first desk stamps the store with its zone (as the calendar of the stored due times is stamped); a
desk in another zone is a ``ConfigurationError`` naming ``settings.timezone`` and both zones, and
``ServiceDesk.move_books_zone`` is the deliberate way to move the books.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import AftersalesError, ConfigurationError, PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, make_world, register, store_url

APRIL = datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)


def _open(url: str, clock: ManualClock, timezone: str | None = None) -> ServiceDesk:
    settings = None if timezone is None else {"timezone": timezone}
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, settings=settings)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_in_another_books_zone_is_refused(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(APRIL), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, clock) as first:  # the calendar's zone: Asia/Shanghai
            register(first, world)
            tid = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
            with pytest.raises(ConfigurationError) as raised, _open(url, clock, "America/New_York"):
                pass  # a second desk at the same time
            assert raised.value.key == "settings.timezone"
            assert "America/New_York" in str(raised.value) and "Asia/Shanghai" in str(raised.value)
        # Restarted in another zone: refused too; in the same zone (named or not): opened.
        with pytest.raises(ConfigurationError) as again:
            _open(url, clock, "America/New_York")
        assert again.value.key == "settings.timezone"
        with _open(url, clock, "Asia/Shanghai") as same:
            assert same.ticket(world.manager, tid).id == tid
        with _open(url, clock) as default:
            assert default.ticket(world.manager, tid).id == tid


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_books_are_moved_deliberately(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(APRIL), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, clock) as first:
            register(first, world)
        with pytest.raises(PermissionDenied):
            ServiceDesk.move_books_zone(url, world.agent, "America/New_York", clock=clock)
        with pytest.raises(ConfigurationError) as unknown:
            ServiceDesk.move_books_zone(url, world.manager, "Mars/Olympus", clock=clock)
        assert unknown.value.key == "timezone"
        with _open(url, clock) as still:  # nothing moved
            assert str(still.zone) == "Asia/Shanghai"
        stamp = ServiceDesk.move_books_zone(url, world.manager, "America/New_York", clock=clock)
        assert stamp.timezone == "America/New_York"
        with _open(url, clock, "America/New_York") as moved:
            assert str(moved.zone) == "America/New_York"
        with pytest.raises(ConfigurationError):
            _open(url, clock, "Asia/Shanghai")


@pytest.mark.parametrize(
    ("url", "actor", "timezone"),
    [
        (5, None, "Europe/London"),
        ("foo://x", None, "Europe/London"),
        ("memory://", "manager", "Europe/London"),
        ("memory://", None, 5),
        ("memory://", None, "\ud800"),
        ("memory://", None, ""),
    ],
)
def test_moving_the_books_with_bad_arguments_is_a_typed_error(
    url: object, actor: object, timezone: object
) -> None:
    manager = make_world().manager if actor is None else actor
    with pytest.raises(AftersalesError):
        ServiceDesk.move_books_zone(url, manager, timezone)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_desks_opened_before_any_write_the_second_zones_first_write_is_refused(
    backend: str, tmp_path: Path
) -> None:
    # Neither found a stamp when it opened: the first write stamps its zone, the other desk's first
    # write is refused (and writes nothing), so the store never holds books of two zones.
    clock, world = ManualClock(APRIL), make_world()
    with (
        store_url(backend, tmp_path) as url,
        _open(url, clock) as first,
        _open(url, clock, "Europe/London") as other,
    ):
        register(first, world)
        with pytest.raises(ConfigurationError) as raised:
            other.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸")
        assert raised.value.key == "settings.timezone"
        assert first.count(world.manager) == 0
