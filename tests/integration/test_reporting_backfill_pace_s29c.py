"""The reporting back-fill sizes its batches by the dearest recent lock time (issue 21, session 29).

A first report on a 1 M-ticket file measured a longest hold of the write lock of 65-108 ms (session 28):
each batch was sized from the last one's own rate and grew 1.5x a batch, so one batch that ran fast by
chance set a size the next, slowed on a loaded machine, could not keep to. Now the rate is the dearest of
the last batches', and a batch over the 30 ms ceiling halves the next and stops growth for a while. The
lock times are given to the back-fill here (its ``write_batch`` reports them), so the sizes it asks for are
checked without timing anything; the rows written are the reference rows, and a kill leaves a resumable
position (test_reporting_backfill covers the kill itself).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.integration.test_reporting_backfill import _expected, _old_file, _report_rows, _tickets

from aftersales.adapters import reporting_sqlite_schema
from aftersales.adapters.reporting_sqlite_schema import BackfillProgress, backfill_reporting, backfill_state
from aftersales.adapters.sqlite import SqliteStore

NORMAL = 1e-4  # lock seconds per ticket: 100 tickets fill the 10 ms aim
LUCKY = 1e-5


def _paced(monkeypatch: pytest.MonkeyPatch, rate: Callable[[int], float]) -> list[int]:
    """Each batch reports ``rate(batch number)`` lock seconds per ticket written; returns the sizes."""
    real = reporting_sqlite_schema.write_batch
    sizes: list[int] = []

    def reported(conn: sqlite3.Connection, body: Any, *args: Any) -> tuple[Any, float]:
        written, _ = real(conn, body, *args)
        if written is not None:
            sizes.append(written)
        return written, (written or 0) * rate(len(sizes))

    monkeypatch.setattr(reporting_sqlite_schema, "write_batch", reported)
    return sizes


def _run(path: Path, **options: Any) -> BackfillProgress:
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    try:
        # a generous reading budget: only the lock times size the batches
        return backfill_reporting(conn, batch_seconds=10.0, pause=0.0, **options)
    finally:
        store.release(conn)
        store.close()


def test_one_lucky_batch_does_not_size_the_next_past_the_aim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(1500)
    _old_file(path, tickets)
    sizes = _paced(monkeypatch, lambda n: LUCKY if n == 4 else NORMAL)
    done = _run(path)
    assert done.tickets == len(tickets)
    assert sizes[:4] == [50, 75, 100, 100]  # grown to the aim's 100 tickets, then held
    assert max(sizes[4:-1]) <= 100, sizes  # the lucky fourth batch (a tenth of the rate) changed nothing
    assert _report_rows(path) == _expected(tickets)


def test_a_batch_over_the_ceiling_halves_the_next_and_growth_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(1500)
    _old_file(path, tickets)
    # the fourth batch (100 tickets) held the lock 40 ms (preempted, say); its rows no dearer after
    sizes = _paced(monkeypatch, lambda n: 4e-4 if n == 4 else NORMAL)
    done = _run(path, max_batches=8)
    assert sizes[:5] == [50, 75, 100, 100, 25]  # half, and no more than fit at the slow batch's rate
    assert sizes[5:8] == [25, 25, 25]  # not grown again while that rate is among the last batches
    after, finished = _state(path)
    assert (
        not finished
        and done.tickets == sum(sizes)
        and after == sorted(t.id for t in tickets)[done.tickets - 1]
    )
    monkeypatch.undo()
    assert _run(path).tickets == len(tickets) - done.tickets  # resumed from the committed position
    assert _report_rows(path) == _expected(tickets)


def _state(path: Path) -> tuple[str, bool]:
    conn = sqlite3.connect(path)
    try:
        return backfill_state(conn)
    finally:
        conn.close()
