# mypy: disable-error-code="attr-defined"
"""PostgreSQL that keeps up (issue 21): a command is two round trips, and nothing it saves is stale.

Round trips are read from libpq's own protocol trace of the connection a command used: one round
trip is the client sending and then waiting for the server's answer, i.e. each change of direction
from frontend messages to backend messages. The caches that save them (the ticket memo, the
entities read with the ticket, the deferred writes) are checked against writes made behind their
back by another connection. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer
from aftersales.domain.work import CustomerNote
from aftersales.errors import ConfigurationError, DuplicateError, NotFound, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema_url() as schema_url:
        yield schema_url


class Trips:
    """Counts round trips on every connection a store hands out, from libpq's protocol trace."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from psycopg.pq import Trace

        from aftersales.adapters.postgres import PostgresStore

        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by the fixture
        acquire, release = PostgresStore.acquire, PostgresStore.release

        def traced_acquire(store: Any) -> Any:
            conn = acquire(store)
            conn.pgconn.trace(self.file.fileno())
            conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
            return conn

        def untraced_release(store: Any, conn: Any) -> None:
            conn.pgconn.untrace()
            release(store, conn)

        monkeypatch.setattr(PostgresStore, "acquire", traced_acquire)
        monkeypatch.setattr(PostgresStore, "release", untraced_release)

    def count(self) -> tuple[int, list[str]]:
        """Round trips so far (each F→B turn) and the frontend messages sent."""
        self.file.seek(0)
        trips, last, sent = 0, "", []
        text = self.file.read()
        if os.environ.get("TRACE_DUMP"):
            print(text)
        for line in text.splitlines():
            side = line[:2]  # "F\t" or "B\t"; a query's text may go on over several lines
            if side == "B\t" and last == "F\t":
                trips += 1
            if side == "F\t":
                sent.append(line.split("\t")[2])
            if side in ("F\t", "B\t"):
                last = side
        self.file.seek(0)
        self.file.truncate()
        return trips, sent


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[Trips]:
    counter = Trips(monkeypatch)
    try:
        yield counter
    finally:
        monkeypatch.undo()
        counter.file.close()


def _desk(url: str) -> tuple[ServiceDesk, str]:
    desk = ServiceDesk.open(url, pack="general_maintenance")
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000")))
    ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
    return desk, ticket


def test_a_command_is_one_round_trip_to_read_and_one_to_write_and_commit(url: str, trips: Trips) -> None:
    desk, ticket = _desk(url)
    try:
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")  # statements get prepared
        trips.count()
        for n in range(3):
            result = desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次反馈")
            count, sent = trips.count()
            assert count == 2, sent
            # The read: BEGIN and EXECUTE of the prepared SELECT in one simple query; the writes and
            # COMMIT: one pipeline of prepared statements with bound values, one Sync (session 36).
            assert (sent.count("Sync"), sent.count("Query")) == (1, 1), sent
            assert sent.index("Query") < sent.index("Bind") and sent[-1] == "Sync", sent
            # Prepared once per connection: the one Parse is COMMIT's, unnamed.
            assert n == 0 or sent.count("Parse") == 1, sent
            # A view: BEGIN and the SELECT, then ROLLBACK (which leaves the prepared statements be:
            # the next command prepares nothing again, or it would take more round trips).
            assert result.ticket.version == desk.ticket(AGENT, ticket).version
            assert trips.count()[0] == 2
        # With an idempotency key the key's look-up travels with the ticket's read (session 31; was one
        # round trip more).
        desk.note_to_customer(AGENT, ticket, text="带键", idempotency_key="k-1")
        assert trips.count()[0] == 2
    finally:
        desk.shutdown()


def test_a_note_appends_its_text_to_the_search_row_and_a_reindex_writes_the_document(
    url: str, trips: Trips
) -> None:
    import psycopg

    from aftersales.ports.text_search import FIELD_SEPARATOR

    desk, ticket = _desk(url)
    schema = url.rsplit("schema=", 1)[1]

    def stored() -> tuple[str, str]:
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
            found = conn.execute("SELECT text, idents FROM ticket_search WHERE ticket_id = %s", (ticket,))
            row = found.fetchone()
            assert row is not None
            return row[0], row[1]

    def notes() -> list[str]:
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
            found = conn.execute(
                "SELECT n.text FROM ticket_search_notes n JOIN ticket_search s ON s.pos = n.pos"
                " WHERE s.ticket_id = %s ORDER BY n.n",
                (ticket,),
            )
            return [row[0] for row in found.fetchall()]

    def keys_and_labels() -> tuple[set[str], set[str]]:
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
            keys = conn.execute(
                "SELECT key FROM ticket_search_keys k JOIN ticket_search s ON s.pos = k.pos"
                " WHERE s.ticket_id = %s",
                (ticket,),
            ).fetchall()
            labels = conn.execute("SELECT label FROM ticket_labels WHERE ticket_id = %s", (ticket,))
            return {k for (k,) in keys}, {label for (label,) in labels.fetchall()}

    try:
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")  # statements get prepared
        desk.tag(AGENT, ticket, add=["批量"])  # tags come after notes in the document
        text, idents = stored()
        assert text.split(FIELD_SEPARATOR)[-2:] == ["工程师已出发", "批量"]
        trips.count()
        desk.note_to_customer(AGENT, ticket, text="下水堵塞")
        trips.file.seek(0)
        sent = [line for line in trips.file.read().splitlines() if line.startswith("F")]
        writes = sent[[n for n, line in enumerate(sent) if "\tQuery\t" in line][-1] + 1 :]
        assert trips.count()[0] == 2
        # The note's text alone is sent (not the identifiers: the phone), as a row of its own beside the
        # search row, which stays as it was (session 32: its trigram indexes are not rewritten).
        # (The same flush carries the note's message to the customer, addressed to that phone.)
        # Bound as the second of the two values of a prepared insert (libpq's trace writes its bytes
        # as \xNN): position and text.
        escaped = "".join(f"\\x{b:02x}" for b in "下水堵塞".encode())
        note_row = re.compile(rf'Bind\t "" "\w+" \d+(?: \d+)* 2 \d+ \'\d+\' 12 \'{re.escape(escaped)}\'')
        assert len([line for line in writes if note_row.search(line)]) == 1, writes
        assert stored() == (text, idents)
        assert notes() == ["下水堵塞"]
        assert [v.id for v in desk.search(AGENT, "堵塞").items] == [ticket]
        assert [v.id for v in desk.search(AGENT, "漏水 堵塞 批量").items] == [ticket]
        keys, labels = keys_and_labels()
        assert "13900000000" in keys and "tag:批量" in labels
        # Another searched change re-indexes the ticket: the document's own text and order; its keys
        # and labels (not read with the ticket) become the document's, no more, no fewer.
        desk.tag(AGENT, ticket, add=["加急"], remove=["批量"])
        text, _ = stored()
        assert text.split(FIELD_SEPARATOR)[-3:] == ["工程师已出发", "下水堵塞", "加急"]
        assert notes() == []  # in the row's text now
        assert [v.id for v in desk.search(AGENT, "堵塞 加急").items] == [ticket]
        assert keys_and_labels() == (keys, labels - {"tag:批量"} | {"tag:加急"})
    finally:
        desk.shutdown()


def test_commands_see_writes_made_behind_the_caches_back(url: str) -> None:
    import psycopg

    desk, ticket = _desk(url)
    schema = url.rsplit("schema=", 1)[1]
    try:
        desk.note_to_customer(AGENT, ticket, text="一")  # now kept parsed by this store
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as other:
            # Another process rewrites the row without bumping the version: never served stale.
            other.execute(
                "UPDATE tickets SET data = jsonb_set(data, '{description}', '\"改过的描述\"') WHERE id = %s",
                (ticket,),
            )
            other.execute(
                "UPDATE entities SET data = jsonb_set(data, '{tier}', '\"vip\"')"
                " WHERE kind = 'customer' AND id = 'c1'"
            )
        result = desk.note_to_customer(AGENT, ticket, text="二")
        assert desk.ticket(AGENT, ticket).description == "改过的描述"
        assert [n.text for n in desk.ticket(AGENT, ticket).notes][-2:] == ["一", "二"]
        assert result.ticket.version == desk.ticket(AGENT, ticket).version
        from aftersales.adapters.postgres import open_postgres

        store = open_postgres(url)
        try:
            with store() as uow:
                assert uow.customers.get("c1").tier is CustomerTier.VIP
        finally:
            store.close()
    finally:
        desk.shutdown()


@pytest.mark.parametrize("kept", [0, 1])
def test_a_small_or_no_ticket_memo_serves_the_same_tickets(url: str, kept: int) -> None:
    desk = ServiceDesk.open(f"{url}&ticket_cache={kept}", pack="general_maintenance")
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        tickets = [
            desk.open_ticket(AGENT, customer_id="c1", description=f"报修 {n}").ticket.id for n in range(3)
        ]
        for round_ in range(3):
            for t in tickets:
                desk.note_to_customer(AGENT, t, text=f"{t}:{round_}")
        for t in tickets:
            assert [n.text for n in desk.ticket(AGENT, t).notes] == [f"{t}:{r}" for r in range(3)]
    finally:
        desk.shutdown()


def _message(n: int) -> OutboxMessage:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return OutboxMessage(f"M{n}", "ticket.note", {"n": n}, f"m-{n}", at)


def test_a_commands_deferred_duplicate_fails_its_commit_and_writes_nothing(url: str) -> None:
    from aftersales.adapters.postgres import open_postgres

    desk, ticket = _desk(url)
    desk.shutdown()
    store = open_postgres(url)
    try:
        with store() as uow:
            uow.outbox.put([_message(1)])
            uow.idempotency.put("k", "{}")
            uow.commit()
        with store() as uow:
            before = [m.id for m in uow.outbox.pending(1000)]
        for duplicate in ("outbox", "idempotency"):
            with store() as uow:
                locked = uow.tickets.get_for_update(ticket)
                version = locked.version
                locked.note_to_customer(AGENT.ref, locked.last_event_at, CustomerNote("不会留下"))
                uow.tickets.save(locked)
                if duplicate == "outbox":
                    uow.outbox.put([_message(2), _message(1)])  # sent with the commit
                else:
                    uow.idempotency.put("k", "{}")
                with pytest.raises(DuplicateError):
                    uow.commit()
            with store() as uow:
                assert uow.tickets.get(ticket).version == version
                assert [m.id for m in uow.outbox.pending(1000)] == before
        # The store keeps working, and a command after the failures commits.
        with store() as uow:
            locked = uow.tickets.get_for_update(ticket)
            locked.note_to_customer(AGENT.ref, locked.last_event_at, CustomerNote("留下"))
            uow.tickets.save(locked)
            uow.outbox.put([_message(3)])
            uow.commit()
        with store() as uow:
            assert uow.tickets.get(ticket).notes[-1].text == "留下"
            assert sorted(m.id for m in uow.outbox.pending(1000)) == sorted([*before, "M3"])
    finally:
        store.close()


def test_an_engineers_team_and_a_customers_tier_come_with_the_ticket(url: str) -> None:
    from aftersales.adapters.postgres import open_postgres

    desk, ticket = _desk(url)
    desk.shutdown()
    store = open_postgres(url)
    try:
        with store() as uow:
            uow.engineers.add(Engineer(EngineerId("e1"), "李工", team="north"))
            uow.commit()
        with store() as uow:
            locked = uow.tickets.get_for_update(ticket)
            assert ("customer", "c1") in uow.entity_texts
            assert uow.customers.get("c1").name == "张伟"
            uow.engineers.save(Engineer(EngineerId("e1"), "李工", team="south"))  # deferred
            assert uow.engineers.get("e1").team == "south"  # this transaction sees its own write
            assert locked.id == ticket
            uow.commit()
        with store() as uow:
            assert uow.engineers.get("e1").team == "south"
    finally:
        store.close()


def test_entities_no_command_uses_are_left_out_of_the_read_and_still_served(url: str, trips: Trips) -> None:
    from aftersales.adapters.postgres_entity_reads import OPTIONAL

    desk, ticket = _desk(url)
    store: Any = desk.store
    try:
        with store() as uow:
            uow.engineers.add(Engineer(EngineerId("e1"), "李工", team="north"))
            uow.commit()
        assert store.entity_reads.kinds() == {"customer", *OPTIONAL}  # a new store reads them all
        for n in range(80):  # notes ask for the customer alone
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次")
        assert store.entity_reads.kinds() == {"customer"}
        trips.count()
        desk.note_to_customer(AGENT, ticket, text="再一次")
        assert trips.count()[0] == 2  # still one round trip to read, one to write and commit
        for _ in range(8):  # an engineer left out is read by its own statement: the same answer
            with store() as uow:
                uow.tickets.get_for_update(ticket)
                assert uow.engineers.get("e1").team == "north"
                uow.rollback()
        assert "engineer" in store.entity_reads.kinds()  # used again: read along again
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            assert uow.customers.get("c1").name == "张伟"
            uow.rollback()
    finally:
        desk.shutdown()


def test_a_save_that_changes_no_row_column_writes_the_document_alone(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftersales.adapters import postgres_pipeline
    from aftersales.adapters.postgres import open_postgres
    from aftersales.ports.queries import TicketFilter

    desk, ticket = _desk(url)
    desk.shutdown()
    sent: list[str] = []
    defer = postgres_pipeline.Transaction.defer

    def recorded(self: Any, sql: str, *args: Any, **kwargs: Any) -> None:
        sent.append(sql)
        defer(self, sql, *args, **kwargs)

    monkeypatch.setattr(postgres_pipeline.Transaction, "defer", recorded)
    store = open_postgres(url)
    try:
        with store() as uow:  # a note: no row column changes
            found = uow.tickets.get_for_update(ticket)
            found.notes = (*found.notes, CustomerNote("到了"))
            uow.tickets.save(found)
            uow.commit()
        assert [s for s in sent if s.startswith("UPDATE tickets")] == [
            "UPDATE tickets SET version = %s, data = %s WHERE id = %s AND version = %s"
        ]
        sent.clear()
        with store() as uow:  # a changed row column: the whole row, then the document alone
            found = uow.tickets.get_for_update(ticket)
            found.region = "华东"
            uow.tickets.save(found)
            found.notes = (*found.notes, CustomerNote("又到了"))
            uow.tickets.save(found)
            uow.commit()
        updates = [s for s in sent if s.startswith("UPDATE tickets")]
        assert len(updates) == 2 and "region = %s" in updates[0] and "region" not in updates[1], updates
        with store() as uow:
            assert uow.tickets.count(TicketFilter(region="华东")) == 1
            stored = uow.tickets.get(ticket)
            assert (stored.region, [n.text for n in stored.notes][-2:]) == ("华东", ["到了", "又到了"])
            assert stored.version == found.version == 3
    finally:
        store.close()


def test_the_entity_kinds_read_along_follow_a_moving_average_of_use() -> None:
    from aftersales.adapters.postgres_entity_reads import EntityReads

    reads = EntityReads()
    for _ in range(200):
        reads.record(["dealer"] if _ % 3 == 0 else [])  # a third of the commands use the dealer
    assert reads.kinds() == {"customer", "dealer"}
    for _ in range(200):
        reads.record([])
    assert reads.kinds() == {"customer"}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("ticket_cache=-1", ValidationError),
        ("ticket_cache=many", ValidationError),
        ("colour=red", ConfigurationError),
    ],
)
def test_bad_or_unknown_url_options_are_refused(query: str, error: type[Exception]) -> None:
    from aftersales.adapters.postgres import open_postgres

    with pytest.raises(error) as caught:
        open_postgres(f"postgresql://nobody@127.0.0.1:1/none?{query}")
    assert "url" in str(caught.value) or getattr(caught.value, "field", None) == "url"


def test_opening_a_ticket_on_a_unit_takes_two_round_trips(url: str, trips: Trips) -> None:
    from aftersales.domain.ids import AssetId, ProductId
    from aftersales.domain.products import Asset, Product

    desk, _first = _desk(f"{url}&pool_min=1&pool_max=1")  # one connection: its statements prepared once
    store: Any = desk.store
    try:
        with store() as uow:
            uow.products.add(Product(ProductId("p1"), "M-1", "连体座便器", "toilet"))
            uow.assets.add(Asset(AssetId("a1"), ProductId("p1"), "SN-1", CustomerId("c1"), batch="B7"))
            uow.commit()
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="a1")  # statements prepared
        trips.count()
        for word in ("溢流", "异响"):
            ticket = desk.open_ticket(
                AGENT, customer_id="c1", description=f"水箱{word}", asset_id="a1"
            ).ticket
            # BEGIN with the customer, the unit and its product, the contracts covering the unit and
            # the number's counter (locked), read ahead in one query; then the counter's update, the
            # ticket, its search row and outbox messages with COMMIT.
            count, sent = trips.count()
            assert count == 2, sent
            assert (ticket.product_id, ticket.batch) == ("p1", "B7")
            assert [t.id for t in desk.search(AGENT, word).items] == [ticket.id]
            trips.count()
    finally:
        desk.shutdown()


def test_the_ticket_kept_after_a_command_is_keyed_by_the_row_it_wrote(url: str) -> None:
    import psycopg

    desk, ticket = _desk(url)
    store: Any = desk.store
    schema = url.rsplit("schema=", 1)[1]
    try:
        for n in range(3):
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次")
            kept = store.tickets_kept.peek(ticket)
            with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as other:
                row = other.execute(
                    "SELECT version::text || ':' || xmin::text FROM tickets WHERE id = %s", (ticket,)
                ).fetchone()
            # The key the next command's read sends matches: the server leaves the JSON out.
            assert kept is not None and row is not None and kept[0] == row[0]
    finally:
        desk.shutdown()


def test_concurrent_intakes_queue_on_the_number_counter_instead_of_failing(url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    desk, _first = _desk(url)
    try:
        with ThreadPoolExecutor(8) as pool:
            opened = list(
                pool.map(
                    lambda n: desk.open_ticket(AGENT, customer_id="c1", description=f"报修 {n}").ticket.id,
                    range(40),
                )
            )
        # Every intake got its own number, none ran out of retries on the counter's version check.
        assert len(set(opened)) == 40
        numbers = sorted(int(t.rsplit("-", 1)[1]) for t in [*opened, _first])
        assert numbers == list(range(1, 42))
    finally:
        desk.shutdown()


def test_a_read_made_ahead_answers_once_and_a_write_ends_the_read_ahead(url: str, trips: Trips) -> None:
    from aftersales.ports.read_ahead import ReadAhead
    from aftersales.service.numbering import TicketCounter

    desk, _first = _desk(url)
    store: Any = desk.store
    trips.count()
    try:
        with store() as uow:
            uow.read_ahead(
                ReadAhead(
                    entities=(("customers", "c1"), ("engineers", "nobody"), ("no_such_repo", "x")),
                    documents=((TicketCounter, "ticket:1999"),),
                )
            )
            assert uow.customers.get("c1").name == "张伟"  # taken from the read made ahead
            with pytest.raises(NotFound):
                uow.engineers.get("nobody")  # its absence too
            with pytest.raises(NotFound):
                uow.documents.get(TicketCounter, "ticket:1999")
            uow.rollback()
        # The reads in one round trip (with BEGIN), then the ROLLBACK.
        count, sent = trips.count()
        assert count == 2, sent
        with store() as uow:
            uow.read_ahead(ReadAhead(entities=(("customers", "c1"),)))
            # A write ends the read-ahead: the customer is read again, as this transaction wrote it.
            uow.run("UPDATE entities SET data = jsonb_set(data, '{name}', '\"李娜\"') WHERE id = 'c1'")
            assert uow.customers.get("c1").name == "李娜"
            uow.rollback()
        with store() as uow:
            assert uow.customers.get("c1").name == "张伟"
    finally:
        desk.shutdown()


def test_an_intakes_ticket_insert_waits_for_the_commit_and_a_duplicate_fails_it(url: str) -> None:
    from aftersales.service.numbering import TicketCounter

    desk, first = _desk(url)
    store: Any = desk.store
    try:
        with store() as uow:
            counter = uow.documents.get(TicketCounter, f"ticket:{first.split('-')[1]}")  # e.g. SR-2026-000001
            uow.documents.save(TicketCounter(counter.id, counter.last + 1, counter.version))
            ticket = uow.tickets.get(first)
            ticket.version = 0
            uow.tickets.add(ticket)  # held by the counter's lock: sent with the commit
            with pytest.raises(DuplicateError):
                uow.commit()
        with store() as uow:  # nothing of it was written: the counter is where it was
            assert uow.documents.get(TicketCounter, counter.id).last == counter.last
    finally:
        desk.shutdown()


def test_a_ticket_another_process_appended_to_is_read_whole(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    import aftersales.adapters.postgres_tickets as tickets_module
    from aftersales.domain.ticket import Ticket
    from aftersales.serialization import loads

    parsed: list[int] = []  # how many events each read of a changed row parsed
    structure = tickets_module.structure

    def counting(data: Any, cls: Any) -> Any:
        parsed.append(len(data["events"]))
        return structure(data, cls)

    monkeypatch.setattr(tickets_module, "structure", counting)

    desk, ticket = _desk(url)
    other = ServiceDesk.open(url, pack="general_maintenance")  # another store: its own memo
    schema = url.rsplit("schema=", 1)[1]
    store: Any = desk.store
    try:
        desk.note_to_customer(AGENT, ticket, text="第一次")  # this process keeps the ticket parsed
        for n in range(2):
            other.note_to_customer(AGENT, ticket, text=f"别处 {n}")

        def stored() -> Any:
            with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
                row = conn.execute(
                    "SELECT version, data::text FROM tickets WHERE id = %s", (ticket,)
                ).fetchone()
            assert row is not None
            whole = loads(row[1], Ticket)
            whole.version = row[0]
            return whole

        parsed.clear()
        with store() as uow:
            read = uow.tickets.get(ticket)
        assert parsed == [2]  # only the two events appended elsewhere were parsed
        # The kept events and the two appended elsewhere, as a whole parse of the row gives them.
        assert read.events == stored().events and read.notes == stored().notes
        assert [e.action for e in read.events[-3:]] == ["note_to_customer"] * 3
        assert read.version == stored().version

        # A row whose event log is not the kept one continued (rewritten behind the store's back):
        # parsed whole, never spliced onto the kept events.
        desk.note_to_customer(AGENT, ticket, text="再一次")
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
            conn.execute(
                "UPDATE tickets SET data = jsonb_set(data, '{events}', (data->'events') - (-1))"
                " WHERE id = %s",
                (ticket,),
            )
        with store() as uow:
            read = uow.tickets.get(ticket)
        assert read.events == stored().events
        assert read.notes[-1].text == "再一次" and read.events[-1].action == "note_to_customer"
    finally:
        other.shutdown()
        desk.shutdown()


def test_ticket_documents_are_compressed_with_lz4_where_the_server_has_it(url: str) -> None:
    import psycopg

    desk = ServiceDesk.open(url, pack="sanitary_ware")
    try:
        customer = Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        desk.register_customer(MANAGER, customer)
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="漏水 " * 400).ticket.id  # > 2 kB
        for n in range(3):
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次 " * 50)
        schema = url.rpartition("schema=")[2]
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            has_lz4 = conn.execute(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
            ).fetchone()
            conn.execute(f'SET search_path = "{schema}"')
            found = conn.execute("SELECT pg_column_compression(data) FROM tickets WHERE id = %s", (ticket,))
            method = found.fetchone()
        assert method is not None
        assert method[0] == ("lz4" if has_lz4 and has_lz4[0] else "pglz")
        view = desk.ticket(AGENT, ticket)
        assert view.description == "漏水 " * 400 and [n.text for n in view.notes][-1] == "第 2 次 " * 50
    finally:
        desk.shutdown()


def test_more_threads_than_pooled_connections_all_get_one_and_close_closes_the_kept_ones(url: str) -> None:
    import threading

    from aftersales.adapters.postgres import PostgresStore

    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=2", pack="sanitary_ware")
    store: Any = desk.store
    assert isinstance(store, PostgresStore)
    customer = Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
    desk.register_customer(MANAGER, customer)
    tickets = [desk.open_ticket(AGENT, customer_id="c1", description=f"漏水 {n}").ticket.id for n in range(6)]
    errors: list[BaseException] = []

    def work(ticket: str) -> None:
        try:
            for n in range(5):
                desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次")
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in tickets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for ticket in tickets:
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == [f"第 {n} 次" for n in range(5)]
    kept = list(store._idle)
    assert 1 <= len(kept) <= 2  # the pool's connections, at most its size
    desk.shutdown()
    assert all(conn.closed for conn in kept)
