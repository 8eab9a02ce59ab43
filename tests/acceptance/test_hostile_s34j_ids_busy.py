"""Hostile attacks on this morning's host ids and SQLite busy timeout (session 34 j, against s34 a).

Broke (fail on the old code):
- ``SequentialIds(store=<the desk's own SQLite store>)`` numbered nothing: the desk asks for a call's
  number inside the command's write transaction, the generator bumps its counter in a second write
  transaction on the same file, which waits for the first: every intake stood the busy timeout, then
  ``StoreBusy``. The desk now refuses the pairing when it is built (``ConfigurationError`` naming ``ids``),
  whether the generator was given the desk's store object or another store on the same file.
- The same on PostgreSQL, another way: a generator given the desk's own store drew a second connection
  from the pool the command holds one of; four concurrent intakes on ``pool_max=2``: three failed after
  the pool's 10 s. Refused too; a store of its own on the same database (its own pool) numbers them.
- SQLite's ``StoreBusy`` said ``begin: the database stayed locked`` without naming which database: an
  operator with several desk files could not tell which one was held. It names the file now.

Held (kept as tests): a busy timeout of 0.001 s fails fast and writes nothing, 600 s is accepted and
600.5 refused; a keyed command that met a busy store and then went through is applied once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.ids import SequentialIds
from aftersales.adapters.sqlite import SqliteStore
from aftersales.errors import ConfigurationError, InvalidStoreOption, StoreBusy
from aftersales.policies.registry import resolve_policies
from aftersales.ports.storage_registry import open_storage
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url, table_count


def _desk(store: object, ids: SequentialIds | None = None) -> ServiceDesk:
    return ServiceDesk(
        store,  # type: ignore[arg-type]
        policies=resolve_policies("office_equipment"),
        clock=ManualClock(START),
        staff=STAFF,
        ids=ids,
    )


def _call(desk: ServiceDesk, world: World, key: str | None = None) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="来电：复印机卡纸", idempotency_key=key
    ).ticket.id


@contextlib.contextmanager
def write_locked(db: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the file's write lock."""
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
        if other.in_transaction:
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_generator_counting_in_the_desks_own_sqlite_store_is_refused_at_construction(
    tmp_path: Path,
) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'desk.db'}?busy_timeout=0.5")
    try:
        with pytest.raises(ConfigurationError) as refused:
            _desk(store, SequentialIds(store=store))
        assert refused.value.key == "ids"
        assert "SQLite" in str(refused.value)
    finally:
        store.close()


def test_a_generator_counting_in_the_desks_own_sqlite_memory_store_is_refused() -> None:
    # One unit of work at a time there: every intake was a StorageError ("allows one unit of work at a time").
    store = SqliteStore("sqlite:///:memory:")
    try:
        with pytest.raises(ConfigurationError) as refused:
            _desk(store, SequentialIds(store=store))
        assert refused.value.key == "ids"
    finally:
        store.close()
    other, counters = SqliteStore("sqlite:///:memory:"), SqliteStore("sqlite:///:memory:")
    world = make_world()
    try:
        with _desk(other, SequentialIds(store=counters)) as desk:  # two databases: fine
            register(desk, world)
            assert _call(desk, world) == "T-000001"
    finally:
        counters.close()


def test_a_generator_counting_in_another_store_on_the_same_file_is_refused_and_the_store_closed(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}?busy_timeout=0.5"
    counters = open_storage(url)
    try:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack="office_equipment", ids=SequentialIds(store=counters))
        assert refused.value.key == "ids"
    finally:
        counters.close()


def test_a_generator_counting_in_another_sqlite_file_numbers_the_calls(tmp_path: Path) -> None:
    counters = SqliteStore(f"sqlite:///{tmp_path / 'ids.db'}")
    world = make_world()
    try:
        with _desk(SqliteStore(f"sqlite:///{tmp_path / 'desk.db'}"), SequentialIds(store=counters)) as desk:
            register(desk, world)
            assert [_call(desk, world), _call(desk, world)] == ["T-000001", "T-000002"]
    finally:
        counters.close()


def test_a_generator_counting_in_the_desks_own_memory_store_works(tmp_path: Path) -> None:
    world = make_world()
    store = open_storage("memory://")
    with _desk(store, SequentialIds(store=store)) as desk:
        register(desk, world)
        assert [_call(desk, world), _call(desk, world)] == ["T-000001", "T-000002"]


def test_a_generator_counting_in_the_desks_own_postgres_store_is_refused(tmp_path: Path) -> None:
    # Its pool: under as many concurrent intakes as the pool holds, each held a connection and waited for
    # a second (measured on pool_max=2: 3 of 4 intakes failed after the pool's 10 s).
    with store_url("postgres", tmp_path) as url:
        store = open_storage(url)
        try:
            with pytest.raises(ConfigurationError) as refused:
                _desk(store, SequentialIds(store=store))
            assert refused.value.key == "ids"
        finally:
            store.close()


def test_a_generator_with_a_postgres_store_of_its_own_numbers_concurrent_calls(tmp_path: Path) -> None:
    world = make_world()
    with store_url("postgres", tmp_path) as url:
        counters = open_storage(url)  # the same database, a pool of its own
        try:
            with _desk(open_storage(f"{url}&pool_max=2"), SequentialIds(store=counters)) as desk:
                register(desk, world)
                taken: list[str] = []
                calls = [threading.Thread(target=lambda: taken.append(_call(desk, world))) for _ in range(4)]
                for call in calls:
                    call.start()
                for call in calls:
                    call.join(60)
                # Four calls, four numbers (a call re-run after a conflict may leave a gap).
                assert len(set(taken)) == 4 and all(t.startswith("T-") for t in taken)
                assert [desk.ticket(world.manager, t).id for t in taken] == taken
        finally:
            counters.close()


def test_store_busy_names_the_file(tmp_path: Path) -> None:
    db = tmp_path / "branch-north.db"
    world = make_world()
    with _desk(SqliteStore(f"sqlite:///{db}?busy_timeout=0.05")) as desk:
        register(desk, world)
        with write_locked(db), pytest.raises(StoreBusy) as busy:
            _call(desk, world)
        assert str(db) in str(busy.value)


def test_a_busy_timeout_of_a_millisecond_fails_fast_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    world = make_world()
    with _desk(SqliteStore(f"sqlite:///{db}?busy_timeout=0.001")) as desk:
        register(desk, world)
        with write_locked(db), pytest.raises(StoreBusy):
            _call(desk, world)
        assert table_count(db, "tickets") == 0
        assert _call(desk, world).startswith("SR-")  # the lock released: numbered from the first


def test_the_longest_busy_timeout_is_accepted_and_one_beyond_refused(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    store = SqliteStore(f"sqlite:///{db}?busy_timeout=600")
    assert store.busy_timeout == 600.0
    store.close()
    with pytest.raises(InvalidStoreOption) as refused:
        SqliteStore(f"sqlite:///{db}?busy_timeout=600.5")
    assert refused.value.option == "busy_timeout"


def test_a_keyed_command_that_met_a_busy_store_is_applied_once(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    world = make_world()
    with _desk(SqliteStore(f"sqlite:///{db}?busy_timeout=5")) as desk:
        register(desk, world)
        with write_locked(db) as other:
            # The lock is let go while the command waits for it: it goes through, once.
            release = threading.Timer(0.3, lambda: other.execute("ROLLBACK"))
            release.start()
            first = _call(desk, world, key="call-1")
            release.join()
        assert _call(desk, world, key="call-1") == first  # the retry is answered, not applied again
        assert table_count(db, "tickets") == 1
        assert desk.ticket(world.manager, first).id == first
