"""Issue 21 / seed 002 退料: a party's overdue read reads arrivals and relays only when something is due.

``desk.materials.overdue`` read the party's ledger, then the returns registered or accepted and the
relays in transit (three indexed queries, one a relay's) on every call. Arrivals and relays only take
lines off what is past its deadline, so when nothing is past due the answer is the ledger's alone: the
three queries are not made (measured session 32, 20 lines out in time: SQLite 1,557 → 1,392 µs, PostgreSQL
8.4 → 7.6 ms per read on the shared dev machine). With a line past due they are, and the answer is
unchanged: a part in transit still keeps its line off. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from test_seed002_readings_s24 import PART, SH, host
from test_seed002_relay_s31e import DEALER, _fitted_and_handed_in

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import PartReturn
from aftersales.domain.return_relay import RelayedReturn
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]


def _counting(desk: ServiceDesk, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The document kinds each read of ``desk`` queries, in order."""
    kinds: list[str] = []
    store = desk.context.store

    @contextlib.contextmanager
    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with store(*args, **kwargs) as uow:
            query = uow.documents.query

            def spy(cls: type[Any], **equals: object) -> Any:
                kinds.append(cls.DOCUMENT_KIND)
                return query(cls, **equals)

            uow.documents.query = spy
            yield uow

    monkeypatch.setattr(desk.context, "store", counted)
    return kinds


def test_nothing_past_due_reads_no_arrivals_and_something_past_due_reads_them_as_before(
    host: tuple[ServiceDesk, ManualClock, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, world = host
    _ticket_id, _relay_id = _fitted_and_handed_in(desk, clock, world)  # due by 2 April, in transit
    kinds = _counting(desk, monkeypatch)
    assert desk.materials.overdue(world.agent, DEALER) == []  # 1 April: in time
    assert PartReturn.DOCUMENT_KIND not in kinds and RelayedReturn.DOCUMENT_KIND not in kinds
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the deadline, still on the road
    assert desk.materials.overdue(world.agent, DEALER) == []  # the relay keeps the line off
    assert RelayedReturn.DOCUMENT_KIND in kinds
    kinds.clear()
    late = desk.materials.overdue(world.agent, DEALER, at=datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    assert late == [] and RelayedReturn.DOCUMENT_KIND in kinds
    with desk.store() as uow:
        assert [r.part for r in uow.documents.query(RelayedReturn)] == [PART]
