# mypy: disable-error-code="attr-defined"
"""A keyed ticket command's idempotency look-up travels with its ticket's read (issue 21, session 31).

The runner looked a command's key up before it read the ticket: on PostgreSQL a round trip of its own,
and one more for the reads the command names ahead (a dispatch's engineer), which then no longer went
with the ticket's read (a keyed note three round trips, a keyed dispatch five). The runner now reads
the ticket first and names the key ahead with it (``ReadAhead.keys``): PostgreSQL makes the look-up in
the ticket's round trip, after its lock. The answers are the stores' as before: a replay, a key reused
for another request (on another ticket, or on one that does not exist), a new key on an unknown ticket.
The round trips are counted only when ``AFTERSALES_PG_DSN`` is set; the answers on every store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import IdempotencyKeyReused, NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
        return
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'keys.db'}"
        return
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"k_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{sep}schema={schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _desk(url: str) -> tuple[ServiceDesk, str, str]:
    desk = ServiceDesk.open(url, pack="general_maintenance")
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000")))
    first = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
    second = desk.open_ticket(AGENT, customer_id="c1", description="龙头滴水").ticket.id
    return desk, str(first), str(second)


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
@pytest.mark.parametrize("command", ["note", "dispatch"])
def test_a_keyed_command_looks_its_key_up_in_the_tickets_round_trip(
    url: str, trips: Trips, command: str
) -> None:
    from aftersales.domain.classification import Plan, Severity
    from aftersales.domain.ids import EngineerId
    from aftersales.domain.parties import Engineer

    desk, ticket, _other = _desk(url)
    try:
        desk.register_engineer(MANAGER, Engineer(EngineerId("eng-1"), "李工", team="t1"))
        desk.register_engineer(MANAGER, Engineer(EngineerId("eng-2"), "王工", team="t1"))
        desk.triage(AGENT, ticket, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(AGENT, ticket, engineer_id="eng-1")

        def run(n: int) -> object:
            if command == "note":
                return desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次", idempotency_key=f"k-{n}")
            engineer = ("eng-1", "eng-2")[n % 2]
            return desk.dispatch(
                AGENT, ticket, engineer_id=engineer, reason=f"换人 {n}", idempotency_key=f"k-{n}"
            )

        run(0)  # statements get prepared
        trips.count()
        for n in range(1, 4):
            done = run(n)
            count, sent = trips.count()
            # BEGIN with the ticket locked, the key (and a dispatch's engineer) after the lock; the writes
            # with COMMIT (was 3 for a note, 5 for a dispatch: the key first, then the rest on its own).
            assert count == 2, sent
            # The read one simple query, the writes one pipeline with one Sync (session 36).
            assert (sent.count("Query"), sent.count("Sync")) == (1, 1), sent
            assert not done.replayed  # type: ignore[attr-defined]
        assert run(3).replayed  # type: ignore[attr-defined]  # the same key and request: the first result
        trips.count()  # (the replay's plain read of the ticket got prepared)
        assert run(3).replayed  # type: ignore[attr-defined]
        # The ticket and the key, then ROLLBACK: the ticket as it stands is the one held (was 3).
        assert trips.count()[0] == 2
        view = desk.ticket(AGENT, ticket)
        if command == "note":
            assert [note.text for note in view.notes] == [f"第 {n} 次" for n in range(4)]
        else:
            assert view.assignee is not None and view.assignee.id == "eng-2"
    finally:
        desk.shutdown()


def test_keyed_commands_answer_as_before_on_every_store(any_url: str) -> None:
    desk, ticket, other = _desk(any_url)
    try:
        first = desk.note_to_customer(AGENT, ticket, text="已派工", idempotency_key="k-1")
        again = desk.note_to_customer(AGENT, ticket, text="已派工", idempotency_key="k-1")
        assert again.replayed and not first.replayed
        assert [e.seq for e in again.events] == [e.seq for e in first.events]
        assert again.ticket.version == first.ticket.version
        # The same key for another request: on another ticket, with other words, on no ticket at all.
        with pytest.raises(IdempotencyKeyReused):
            desk.note_to_customer(AGENT, other, text="已派工", idempotency_key="k-1")
        with pytest.raises(IdempotencyKeyReused):
            desk.note_to_customer(AGENT, ticket, text="另一句", idempotency_key="k-1")
        with pytest.raises(IdempotencyKeyReused):
            desk.note_to_customer(AGENT, "T-NOPE", text="已派工", idempotency_key="k-1")
        # A new key on an unknown ticket: not found, and the key stays free.
        with pytest.raises(NotFound):
            desk.note_to_customer(AGENT, "T-NOPE", text="已派工", idempotency_key="k-2")
        done = desk.note_to_customer(AGENT, other, text="已派工", idempotency_key="k-2")
        assert not done.replayed
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == ["已派工"]
        assert [n.text for n in desk.ticket(AGENT, other).notes] == ["已派工"]
        # Another actor's key of the same name is another key (scoped by actor and command).
        other_agent = Actor.agent("agent-2")
        assert not desk.note_to_customer(other_agent, ticket, text="再说", idempotency_key="k-1").replayed
    finally:
        desk.shutdown()


def _note(ticket: object, text: str) -> None:
    from aftersales.domain.work import CustomerNote

    ticket.notes = (*ticket.notes, CustomerNote(text))  # type: ignore[attr-defined]


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
def test_a_ticket_read_again_under_its_lock_is_answered_without_a_round_trip(url: str, trips: Trips) -> None:
    from aftersales.adapters.postgres import open_postgres

    desk, ticket, _other = _desk(url)
    desk.shutdown()
    store = open_postgres(f"{url}&pool_min=1&pool_max=1")
    try:
        with store() as uow:  # written by this store: kept parsed
            written = uow.tickets.get_for_update(ticket)
            _note(written, "工程师已出发")
            uow.tickets.save(written)
            uow.commit()
        for _ in range(2):  # the first time statements get prepared
            trips.count()
            with store() as uow:
                locked = uow.tickets.get_for_update(ticket)
                uow.customers.get("c1")
                _note(locked, "未保存")  # the caller's change, not saved: the row is as read
                again = uow.tickets.get(ticket)
                assert [n.text for n in again.notes] == ["工程师已出发"]
                assert again is not locked and again.version == locked.version
                _note(again, "也未保存")
                assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发"]
                uow.rollback()
            # BEGIN with the ticket locked, ROLLBACK: the row this transaction holds, read twice again,
            # took no round trip (was 4).
            count, sent = trips.count()
            assert count == 2, sent
        with store() as uow:
            locked = uow.tickets.get_for_update(ticket)
            _note(locked, "未保存")
            uow.tickets.save(locked)  # written: the next read is the server's, this write's row
            assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发", "未保存"]
            uow.rollback()
        with store() as uow:
            assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发"]
    finally:
        store.close()


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
def test_a_held_ticket_read_again_brings_the_entities_it_would_have_brought(url: str, trips: Trips) -> None:
    """The locking read leaves out entities recent commands did not use; the plain read brings them all:
    while one of them is not known in the transaction, the read goes to the server as before, so the
    entity's ``get`` after it sends no statement of its own."""
    from aftersales.adapters.postgres import open_postgres
    from aftersales.domain.classification import Plan, Severity
    from aftersales.domain.ids import EngineerId
    from aftersales.domain.parties import Engineer

    desk, ticket, _other = _desk(url)
    desk.register_engineer(MANAGER, Engineer(EngineerId("eng-1"), "李工", team="t1"))
    desk.triage(AGENT, ticket, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(AGENT, ticket, engineer_id="eng-1")
    desk.shutdown()
    store = open_postgres(f"{url}&pool_min=1&pool_max=1")
    try:
        with store() as uow:  # written by this store: kept parsed
            written = uow.tickets.get_for_update(ticket)
            _note(written, "工程师已出发")
            uow.tickets.save(written)
            uow.commit()
        for n in range(2):  # the first time statements get prepared
            store.entity_reads._kinds = frozenset({"customer"})  # as after many notes: the customer only
            store.entity_reads._states.clear()  # (and in the ticket's state: session 38)
            trips.count()
            with store() as uow:
                uow.tickets.get_for_update(ticket)
                assert ("engineer", "eng-1") not in uow.entity_texts
                assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发"]
                assert ("engineer", "eng-1") in uow.entity_texts  # brought by the plain read
                assert uow.engineers.get("eng-1").team == "t1"
                uow.rollback()
            count, sent = trips.count()
            # BEGIN with the ticket (and the customer), the ticket with every entity, ROLLBACK
            assert count == 3 or n == 0, sent
    finally:
        store.close()


def test_a_ticket_read_again_in_its_command_is_the_stored_one_on_every_store(any_url: str) -> None:
    """What a plain read of a ticket the unit of work locked gives: the stored row, not the caller's
    unsaved changes; after a save, the saved one."""
    desk, ticket, _other = _desk(any_url)
    desk.note_to_customer(AGENT, ticket, text="工程师已出发")
    store = desk.store
    try:
        with store() as uow:
            locked = uow.tickets.get_for_update(ticket)
            _note(locked, "未保存")
            assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发"]
            uow.tickets.save(locked)
            assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发", "未保存"]
            uow.rollback()
        with store() as uow:
            assert [n.text for n in uow.tickets.get(ticket).notes] == ["工程师已出发"]
    finally:
        desk.shutdown()


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
def test_keyed_retries_waiting_for_the_ticket_run_the_step_once(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same keyed note from two desks while a third session holds the ticket's row: both wait for
    the lock. The key is read after the lock, so the one served second finds the first's result and
    replays it without running its step (before, both read the key before the lock, found none, and
    both ran the note; the second was answered only when its commit failed on the key)."""
    import threading
    import time

    import psycopg

    from aftersales.adapters.postgres_tickets import PostgresTickets

    LOCK_PREFIX = "aftersales_ticket_"  # the locking read's prepared name (the query text is cut short)
    desk_a, ticket, _other = _desk(url)
    desk_b = ServiceDesk.open(url, pack="general_maintenance")
    saves: list[str] = []
    save = PostgresTickets.save

    def counted_save(repo: PostgresTickets, ticket_: object) -> None:
        saves.append(threading.current_thread().name)
        save(repo, ticket_)

    monkeypatch.setattr(PostgresTickets, "save", counted_save)
    results: dict[str, object] = {}

    def run(name: str, desk: ServiceDesk) -> None:
        try:
            results[name] = desk.note_to_customer(AGENT, ticket, text="已派工", idempotency_key="k-race")
        except Exception as exc:  # reported by the assertions below
            results[name] = exc

    schema = url.rsplit("schema=", 1)[1]
    threads = [threading.Thread(target=run, args=(n, d), name=n) for n, d in (("a", desk_a), ("b", desk_b))]
    try:
        with psycopg.connect(DSN or "", options=f"-c search_path={schema}") as holder:
            holder.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (ticket,))
            for thread in threads:
                thread.start()
            with psycopg.connect(DSN or "", autocommit=True) as watch:
                for _ in range(2000):  # until both wait for the row
                    found = watch.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND query LIKE %s",
                        (f"%{LOCK_PREFIX}%",),
                    ).fetchone()
                    if found is not None and found[0] == 2:
                        break
                    time.sleep(0.01)
                else:
                    rows = watch.execute(
                        "SELECT state, wait_event_type, wait_event, left(query, 150) FROM pg_stat_activity"
                        " WHERE state <> 'idle'"
                    ).fetchall()
                    pytest.fail(f"the two commands never both waited for the ticket {rows} {results}")
            holder.rollback()
        for thread in threads:
            thread.join(30)
        assert sorted(type(r).__name__ for r in results.values()) == ["CommandResult", "CommandResult"], (
            results
        )
        assert sorted(r.replayed for r in results.values()) == [False, True]  # type: ignore[attr-defined]
        assert len(saves) == 1, saves  # the step ran once (twice on the old code)
        assert [n.text for n in desk_a.ticket(AGENT, ticket).notes] == ["已派工"]
    finally:
        desk_a.shutdown()
        desk_b.shutdown()
