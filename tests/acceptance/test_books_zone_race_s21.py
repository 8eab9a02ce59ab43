"""Session 21: two desks writing the first command to an empty store at once, on SQLite and PostgreSQL.

Session 20 left open whether the loser of the race on the books zone's stamp got a ``DuplicateError``
(the stamp's insert) instead of the ``ConfigurationError`` naming ``settings.timezone`` a later write
gets. It does not on this code: on SQLite the first statement takes the write lock (``BEGIN
IMMEDIATE``), so the second desk reads the stamp the first committed; on PostgreSQL a stamp inserted
meanwhile is a ``DuplicateError`` the stamp step reads as "another desk stamped it" and checks that
desk's zone against its own. These tests keep it so: two desks in different zones, started together
(and on PostgreSQL, both made to read "no stamp" before either inserts): one succeeds, the other gets the
``ConfigurationError`` and wrote nothing; in the same zone, both succeed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import aftersales.service.zone_stamp as zone_stamp
from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import ProductId
from aftersales.errors import ConfigurationError, NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, store_url

SHANGHAI, LONDON = "Asia/Shanghai", "Europe/London"


def _open(url: str, clock: ManualClock, timezone: str) -> ServiceDesk:
    return ServiceDesk.open(
        url, pack="office_equipment", clock=clock, staff=STAFF, settings={"timezone": timezone}
    )


def _both_read_no_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each desk's first read of "no stamp" until the other has made it too (PostgreSQL: no lock
    orders two registrations of different products, so both go on to insert the stamp)."""
    met = threading.Barrier(2, timeout=30)
    read = zone_stamp.books_zone
    waited: set[int] = set()

    def books_zone(uow: UnitOfWork) -> zone_stamp.BooksZone | None:
        stamp = read(uow)
        me = threading.get_ident()
        if stamp is None and me not in waited:
            waited.add(me)
            met.wait()
        return stamp

    monkeypatch.setattr(zone_stamp, "books_zone", books_zone)


def _products(desk: ServiceDesk) -> set[str]:
    """Which of the two products the store holds."""
    found: set[str] = set()
    with desk.store() as uow:
        for id_ in ("p-a", "p-b"):
            with contextlib.suppress(NotFound):
                found.add(str(uow.products.get(id_).id))
    return found


def _race(first: ServiceDesk, second: ServiceDesk) -> dict[str, BaseException | None]:
    """Each desk registers a product of its own, started together; what each raised (``None``: none)."""
    world = make_world()
    start = threading.Barrier(2, timeout=30)
    out: dict[str, BaseException | None] = {}

    def run(name: str, desk: ServiceDesk) -> Callable[[], None]:
        def go() -> None:
            start.wait()
            try:
                desk.register_product(world.manager, attrs.evolve(world.product, id=ProductId(f"p-{name}")))
                out[name] = None
            except BaseException as exc:  # the test reads what was raised
                out[name] = exc

        return go

    threads = [threading.Thread(target=run(n, d)) for n, d in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_first_writes_in_two_zones_at_once_the_loser_gets_the_configuration_error(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    with (
        store_url(backend, tmp_path) as url,
        _open(url, clock, SHANGHAI) as a,
        _open(url, clock, LONDON) as b,
    ):
        if backend == "postgres":
            _both_read_no_stamp(monkeypatch)
        out = _race(a, b)
        monkeypatch.undo()
        lost = [(name, exc) for name, exc in out.items() if exc is not None]
        assert len(lost) == 1, out
        loser, refused = lost[0]
        assert isinstance(refused, ConfigurationError) and refused.key == "settings.timezone", refused
        assert _products(a) == {"p-b" if loser == "a" else "p-a"}  # the loser wrote nothing


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_first_writes_in_one_zone_at_once_both_succeed(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    with (
        store_url(backend, tmp_path) as url,
        _open(url, clock, SHANGHAI) as a,
        _open(url, clock, SHANGHAI) as b,
    ):
        if backend == "postgres":
            _both_read_no_stamp(monkeypatch)
        out = _race(a, b)
        monkeypatch.undo()
        assert out == {"a": None, "b": None}
        assert _products(a) == {"p-a", "p-b"}
