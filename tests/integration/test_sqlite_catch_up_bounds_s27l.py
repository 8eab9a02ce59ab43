"""A SQLite file's catch-ups refuse a batch count that is not one, typed, before any batch (session 27, l).

Why: ``SqliteStore.backfill_late_gap`` (session 27), ``backfill_reporting``, ``fill_sweep_tables`` and
``split_events`` are public (an operator runs them ahead of the first report or sweep), but only
``upkeep`` checked ``max_batches``: ``"2"`` let Python's ``TypeError`` out, and ``0``, ``-1``, ``True``
or ``1.5`` ran a number of batches nobody asked for (none, one, two) without a word — config a caller
passes is used or refused. Each is now an ``OutOfBounds`` naming ``max_batches`` (``batch`` for the
tickets per transaction of ``split_events``), and a good count still runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.errors import OutOfBounds

CATCH_UPS = ("backfill_late_gap", "backfill_reporting", "fill_sweep_tables", "split_events", "upkeep")
BAD_COUNTS: list[object] = ["2", 0, -1, True, 1.5, Decimal(2), float("nan"), 2**70, [1]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(f"sqlite:///{tmp_path / 'catch-up.db'}")
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize("method", CATCH_UPS)
@pytest.mark.parametrize("bad", BAD_COUNTS, ids=repr)
def test_a_catch_up_refuses_a_batch_count_that_is_not_one(
    store: SqliteStore, method: str, bad: object
) -> None:
    with pytest.raises(OutOfBounds) as refused:
        getattr(store, method)(max_batches=bad)
    assert (refused.value.field, refused.value.least) == ("max_batches", 1)


@pytest.mark.parametrize("bad", [0, -1, True, "200", 1.5, 10_001])
def test_splitting_events_refuses_a_batch_size_that_is_not_one(store: SqliteStore, bad: object) -> None:
    with pytest.raises(OutOfBounds) as refused:
        store.split_events(batch=bad)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.most) == ("batch", 10_000)


@pytest.mark.parametrize("method", CATCH_UPS)
def test_a_good_count_still_runs(store: SqliteStore, method: str) -> None:
    assert getattr(store, method)(max_batches=1) is not None
    if method != "upkeep":
        assert getattr(store, method)() is not None  # None: to the end
