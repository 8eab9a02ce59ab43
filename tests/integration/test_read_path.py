# mypy: disable-error-code="arg-type"
"""The read path (issue 18): read-only units of work on memory, SQLite and PostgreSQL.

A read-only unit of work (``store.reader()``, ``reader_of(store)``) refuses every write with a typed
``ReadOnlyError`` and changes nothing; on SQLite it takes no write lock, so a writer in another
connection commits while a read is open, and the read keeps its snapshot. The kept tickets a reader
serves are checked against the row's committed version: a save that was rolled back, or a change
made through another store object (another process), is never served stale.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import NotFound, ReadOnlyError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import ReadingStore, StoreFactory, reader_of
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.testing.storage_contract import T0, contract_ticket

DSN = os.environ.get("AFTERSALES_PG_DSN")


def _pg_url(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


def _url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "memory":
        yield "memory://"
        return
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'read.db'}"
        return
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"r_{uuid.uuid4().hex[:16]}"
    try:
        yield _pg_url(DSN, schema)
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _url(request.param, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The stores that run statements, keep tickets by text and may be shared by processes."""
    yield from _url(request.param, tmp_path)


def _filled(url: str) -> StoreFactory:
    opened = open_storage(url)
    with opened() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.customers.add(Customer(CustomerId("C1"), "张伟", Contact("张伟", phone="13900000000")))
        uow.commit()
    return opened


@pytest.fixture
def sql_store(sql_url: str) -> Iterator[StoreFactory]:
    opened = _filled(sql_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def store(url: str) -> Iterator[StoreFactory]:
    opened = _filled(url)
    try:
        yield opened
    finally:
        opened.close()


def _message() -> OutboxMessage:
    return OutboxMessage("m-1", "ticket.noted", {"ticket": "T-0001"}, "m-1", T0)


WRITES: dict[str, Callable[..., object]] = {
    "tickets.add": lambda uow: uow.tickets.add(contract_ticket(2)),
    "tickets.add_many": lambda uow: uow.tickets.add_many([contract_ticket(3)]),
    "tickets.save": lambda uow: uow.tickets.save(uow.tickets.get("T-0001")),
    "tickets.get_for_update": lambda uow: uow.tickets.get_for_update("T-0001"),
    "customers.add": lambda uow: uow.customers.add(Customer(CustomerId("C9"), "李娜", Contact("李娜"))),
    "customers.save": lambda uow: uow.customers.save(Customer(CustomerId("C1"), "王芳", Contact("王芳"))),
    "outbox.put": lambda uow: uow.outbox.put([_message()]),
    "idempotency.put": lambda uow: uow.idempotency.put("k-1", '{"t": "T-0001"}'),
}


def test_the_bundled_stores_offer_a_read_path(store: StoreFactory) -> None:
    assert isinstance(store, ReadingStore)
    with reader_of(store) as uow:
        assert getattr(uow, "read_only", False) is True


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_read_only_unit_of_work_refuses_every_write(store: StoreFactory, write: str) -> None:
    with store.reader() as uow:  # type: ignore[attr-defined]
        with pytest.raises(ReadOnlyError) as refused:
            WRITES[write](uow)
        assert refused.value.operation  # names what was attempted
        uow.commit()  # ends the read: nothing to make durable
    with store() as uow:  # nothing changed
        assert uow.tickets.get("T-0001").version == contract_ticket(1).version
        assert uow.customers.get("C1").name == "张伟"
        with pytest.raises(NotFound):
            uow.tickets.get("T-0002")
        with pytest.raises(NotFound):
            uow.tickets.get("T-0003")
        with pytest.raises(NotFound):
            uow.customers.get("C9")
        assert uow.idempotency.get("k-1") is None
        assert [m.id for m in uow.outbox.pending()] == []


def test_a_write_statement_is_refused_before_the_database_sees_it(sql_store: StoreFactory) -> None:
    store = sql_store
    with store.reader() as uow:  # type: ignore[attr-defined]
        with pytest.raises(ReadOnlyError, match="UPDATE"):
            uow.run("UPDATE tickets SET version = 99")
        with pytest.raises(ReadOnlyError, match="DELETE"):
            uow.run("  delete FROM tickets")
    with store() as uow:
        assert uow.tickets.get("T-0001").version == contract_ticket(1).version


def test_a_reader_reads_what_was_committed(store: StoreFactory) -> None:
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
        ticket.description = "changed and committed"
        uow.tickets.save(ticket)
        uow.commit()
    with store.reader() as uow:  # type: ignore[attr-defined]
        read = uow.tickets.get("T-0001")
        assert read.description == "changed and committed"
        assert read.version == ticket.version
        assert uow.customers.get("C1").name == "张伟"
        with pytest.raises(NotFound):
            uow.tickets.get("T-4040")
        read.description = "changed by the caller"  # a copy: the store is not changed through it
    with store.reader() as uow:  # type: ignore[attr-defined]
        assert uow.tickets.get("T-0001").description == "changed and committed"


def test_a_rolled_back_save_is_never_served_to_a_reader(sql_url: str, sql_store: StoreFactory) -> None:
    """The store keeps the text of every ticket it saves, before the commit; a rollback, then another
    writer's commit of the same version number, must not make a reader serve the rolled-back text."""
    url, store = sql_url, sql_store
    with store.reader() as uow:  # type: ignore[attr-defined]
        uow.tickets.get("T-0001")  # confirmed as the committed version
    with store() as uow:
        ticket = uow.tickets.get_for_update("T-0001")
        ticket.description = "rolled back"
        uow.tickets.save(ticket)
        uow.rollback()
    other = open_storage(url)  # another process, say: its own kept tickets
    try:
        with other() as uow:
            ticket = uow.tickets.get_for_update("T-0001")
            ticket.description = "committed elsewhere"
            uow.tickets.save(ticket)
            uow.commit()
    finally:
        other.close()
    for _ in range(2):  # the first read confirms the new row, the second is served by version
        with store.reader() as uow:  # type: ignore[attr-defined]
            assert uow.tickets.get("T-0001").description == "committed elsewhere"
    with store() as uow:
        assert uow.tickets.get("T-0001").description == "committed elsewhere"


def test_a_change_by_another_store_object_is_read_at_once(sql_url: str, sql_store: StoreFactory) -> None:
    url, store = sql_url, sql_store
    for n in range(3):
        with store.reader() as uow:  # type: ignore[attr-defined]
            before = uow.tickets.get("T-0001")
        other = open_storage(url)
        try:
            with other() as uow:
                ticket = uow.tickets.get_for_update("T-0001")
                ticket.description = f"edit {n}"
                uow.tickets.save(ticket)
                uow.commit()
        finally:
            other.close()
        with store.reader() as uow:  # type: ignore[attr-defined]
            after = uow.tickets.get("T-0001")
        assert after.version == before.version + 1
        assert after.description == f"edit {n}"


def test_a_read_keeps_one_snapshot_while_another_store_commits(sql_url: str, sql_store: StoreFactory) -> None:
    other = open_storage(sql_url)
    try:
        with sql_store.reader() as uow:  # type: ignore[attr-defined]
            first = uow.tickets.get("T-0001")
            with other() as writing:
                ticket = writing.tickets.get_for_update("T-0001")
                ticket.description = "committed during the read"
                writing.tickets.save(ticket)
                writing.commit()
            again = uow.tickets.get("T-0001")
            assert (again.version, again.description) == (first.version, first.description)
        with sql_store.reader() as uow:  # type: ignore[attr-defined]
            assert uow.tickets.get("T-0001").description == "committed during the read"
    finally:
        other.close()


def test_sqlite_a_read_does_not_block_a_writer_and_keeps_its_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.db"
    store = SqliteStore(f"sqlite:///{path}")
    try:
        with store() as uow:
            uow.tickets.add(contract_ticket(1))
            uow.commit()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # never waits for a lock

        def write(description: str) -> None:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "UPDATE tickets SET version = version + 1,"
                " data = json_set(data, '$.description', ?) WHERE id = 'T-0001'",
                (description,),
            )
            other.execute("COMMIT")

        with store.reader() as uow:
            first = uow.tickets.get("T-0001")  # the read transaction is open, its snapshot taken
            write("written while a read was open")  # would raise "database is locked" if blocked
            again = uow.tickets.get("T-0001")
            assert (again.version, again.description) == (first.version, first.description)
        with store.reader() as uow:
            now = uow.tickets.get("T-0001")
            assert now.version == first.version + 1
            assert now.description == "written while a read was open"
        # The contrast: a unit of work that writes holds the write lock from its first statement.
        with store() as uow:
            uow.tickets.get("T-0001")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                write("refused while a command is open")
        other.close()
    finally:
        store.close()


def test_sqlite_a_long_read_does_not_hold_up_the_desks_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    agent = Actor.agent("agent-1")
    desk = ServiceDesk.open(url, pack="general_maintenance")
    writer = ServiceDesk.open(url, pack="general_maintenance")
    try:
        desk.register_customer(
            Actor.manager("m1"), Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(agent, customer_id="c1", description="报修").ticket.id
        done = threading.Event()
        with desk.context.reader() as uow:
            held = uow.tickets.get(ticket)

            def note() -> None:
                writer.note_to_customer(agent, ticket, text="已联系客户", visible=True)
                done.set()

            thread = threading.Thread(target=note)
            thread.start()
            thread.join(timeout=timedelta(seconds=5).total_seconds())
            assert done.is_set(), "the command waited for a read"
            assert uow.tickets.get(ticket).version == held.version  # still the read's snapshot
        assert desk.ticket(agent, ticket).version == held.version + 1
    finally:
        writer.shutdown()
        desk.shutdown()


@pytest.fixture(params=["memory", "sqlite"])
def sharing_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """The stores whose read-only units of work hand out their kept tickets (``get_shared``)."""
    opened = _filled(next(_url(request.param, tmp_path)))
    try:
        yield opened
    finally:
        opened.close()


def test_a_shared_read_is_the_kept_ticket_and_follows_every_commit(sharing_store: StoreFactory) -> None:
    store = sharing_store
    for _ in range(2):  # the first read (SQLite) confirms the kept ticket as the committed version
        with store.reader() as uow:  # type: ignore[attr-defined]
            first = uow.tickets.get_shared("T-0001")
    with store.reader() as uow:  # type: ignore[attr-defined]
        again = uow.tickets.get_shared("T-0001")
        copied = uow.tickets.get("T-0001")
        with pytest.raises(NotFound):
            uow.tickets.get_shared("T-4040")
    assert again is first  # no copy
    assert copied is not first and copied.version == first.version
    with store() as uow:
        ticket = uow.tickets.get_for_update("T-0001")
        ticket.description = "after the shared reads"
        uow.tickets.save(ticket)
        uow.commit()
    with store.reader() as uow:  # type: ignore[attr-defined]
        now = uow.tickets.get_shared("T-0001")
    assert (now.version, now.description) == (first.version + 1, "after the shared reads")
    assert first.description != "after the shared reads"  # what was handed out is never changed


def test_desk_sla_reads_without_changing_what_the_store_keeps(tmp_path: Path) -> None:
    desk = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'sla.db'}",
        pack="general_maintenance",
        clock=ManualClock(T0 + timedelta(hours=1)),
    )
    agent = Actor.agent("agent-1")
    try:
        desk.register_customer(
            Actor.manager("m1"), Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(agent, customer_id="c1", description="报修").ticket.id
        before = desk.ticket(agent, ticket)
        statuses = [desk.sla(agent, ticket) for _ in range(3)]
        assert statuses[0] == statuses[1] == statuses[2]
        after = desk.ticket(agent, ticket)
        assert (after.version, after.events, after.response_due_at) == (
            before.version,
            before.events,
            before.response_due_at,
        )
        desk.note_to_customer(agent, ticket, text="已联系客户", visible=True)
        assert desk.ticket(agent, ticket).version == before.version + 1
        assert desk.sla(agent, ticket) != statuses[0]  # the response was met by the note
    finally:
        desk.shutdown()


def test_sqlite_desk_sla_is_one_autocommit_select_of_the_version(tmp_path: Path) -> None:
    desk = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'trace.db'}",
        pack="general_maintenance",
        clock=ManualClock(T0 + timedelta(hours=1)),
    )
    agent = Actor.agent("agent-1")
    try:
        desk.register_customer(
            Actor.manager("m1"), Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(agent, customer_id="c1", description="报修").ticket.id
        first = desk.sla(agent, ticket)  # the reader's connection made, the kept ticket confirmed
        store = desk.store
        assert isinstance(store, SqliteStore)
        statements: list[str] = []
        for conn in store._all:
            conn.set_trace_callback(statements.append)
        assert desk.sla(agent, ticket) == first
        (select,) = statements  # one autocommit read: the version and the customer, not the JSON
        assert select.startswith("SELECT t.version, c.data FROM tickets t"), select
    finally:
        desk.shutdown()


def test_a_statement_level_read_sees_each_commit(url: str, store: StoreFactory) -> None:
    """``snapshot=False``: no transaction around the read (SQLite: autocommit statements; PostgreSQL:
    read committed; memory: no writer turn), so a commit made meanwhile is seen by the next statement."""
    other = open_storage(url) if not url.startswith("memory") else store
    try:
        with reader_of(store, snapshot=False) as uow:
            first = uow.tickets.get("T-0001")
            with other() as writing:  # never waits for the read (memory: the turn is free)
                ticket = writing.tickets.get_for_update("T-0001")
                ticket.description = "committed between two statements"
                writing.tickets.save(ticket)
                writing.commit()
            again = uow.tickets.get("T-0001")
            assert again.version == first.version + 1
            assert again.description == "committed between two statements"
            with pytest.raises(ReadOnlyError):
                uow.tickets.save(again)
    finally:
        if other is not store:
            other.close()


def test_memory_snapshot_read_holds_the_writer_turn_and_a_statement_read_does_not() -> None:
    store = _filled("memory://")
    entered = threading.Event()

    def write() -> None:
        with store() as uow:
            entered.set()
            ticket = uow.tickets.get_for_update("T-0001")
            ticket.description = "after the snapshot"
            uow.tickets.save(ticket)
            uow.commit()

    with reader_of(store) as uow:  # a snapshot: no command publishes until it ends
        writer = threading.Thread(target=write)
        writer.start()
        assert not entered.wait(0.2)
        assert uow.tickets.get("T-0001").description != "after the snapshot"
    writer.join(timeout=5)
    assert entered.is_set()
    with reader_of(store, snapshot=False) as uow:
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=5)
        assert not writer.is_alive()  # the command ran while the read was open
        assert uow.tickets.get("T-0001").version == contract_ticket(1).version + 2


def test_sqlite_readers_in_many_threads_share_the_pool_without_error(tmp_path: Path) -> None:
    store = _filled(f"sqlite:///{tmp_path / 'threads.db'}")
    errors: list[BaseException] = []
    versions: list[int] = []

    def reads() -> None:
        try:
            for n in range(150):
                with reader_of(store, snapshot=n % 2 == 0) as uow:
                    versions.append(uow.tickets.get("T-0001").version)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=reads) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    store.close()
    assert errors == []
    assert versions == [contract_ticket(1).version] * 1200
