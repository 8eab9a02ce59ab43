"""A ledger export filtered on breached tickets writes the same rows on every store (issue 21, session 34).

SQLite's export reads a breached filter as one range of the state index per open state, merged by
(received, id) (``adapters/ledger_state_arms``; its plans: ``tests/integration/
test_breached_export_plan_s34b.py``). The bytes must be those of the ticket path (the export reading whole
tickets, as the memory store's does) on SQLite and PostgreSQL, and those of the memory store.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aftersales.ports.queries import TicketFilter
from aftersales.reports import export_ledger
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import SH
from .stores import STORES, open_desk
from .test_ledger_fast_path import _TicketPath

MANAGER = Actor.manager("mgr", "王经理")
AT = datetime(2026, 4, 2, 12, tzinfo=SH)
FILTERS = [
    TicketFilter(breached_at=AT),
    TicketFilter(breached_at=datetime(2026, 3, 20, 12, tzinfo=SH)),
    TicketFilter(breached_at=AT, states=("assigned", "in_progress", "closed")),
    TicketFilter(breached_at=AT, region="sh-xuhui"),
    TicketFilter(breached_at=AT, received_from=datetime(2026, 3, 10, tzinfo=SH)),
]


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path, at=AT)


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The memory store's exports of :data:`FILTERS` (the ticket path)."""
    out: list[bytes] = []
    for desk in open_desk("memory", tmp_path_factory.mktemp("memory"), at=AT):
        out = [_export(desk, f) for f in FILTERS]
    return out


def _export(desk: Any, filters: TicketFilter) -> bytes:
    out = io.BytesIO()
    export_ledger(desk, MANAGER, out, filters=filters)
    return out.getvalue()


def test_a_breached_export_is_the_same_on_every_store(desk: ServiceDesk, expected: list[bytes]) -> None:
    assert len(expected[0].splitlines()) > 3  # the month has breached tickets at AT
    for f, memory in zip(FILTERS, expected, strict=True):
        written = _export(desk, f)
        assert written == memory, f
        if callable(getattr(desk.store, "ledger_rows", None)):  # SQL stores: the fast path, as the slow
            assert written == _export(_TicketPath(desk), f), f
