# mypy: disable-error-code="attr-defined"
"""A PostgreSQL bulk import sends its ticket, completion and search rows by ``COPY`` and stores what
the ``INSERT`` statements stored (issue 21, session 34 d).

``add_many`` ran ``executemany`` of the ticket ``INSERT`` and the completions' upsert: psycopg adapted
every parameter of every row in Python, the server executed a statement per ticket (the tickets' insert
alone 17–22 µs of client CPU a row; by ``COPY`` 7–10 µs). The rows stored must not change: texts a
``COPY`` stream has to escape (tab, newline, carriage return, backslash, ``\\N``) and absent columns
come back as a single ``add`` stores them. A taken id is still a ``DuplicateError`` with nothing of the
batch stored, also when it is taken after the batch's own check (the ``COPY`` itself then fails), and
the unit of work goes on.
The parties' words the import's search documents read are taken out of the stored JSON by the server
(``party_words``), as SQLite does, instead of a ``Customer`` built per customer: the same words.
Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from aftersales import serialization
from aftersales.adapters import postgres, postgres_tickets
from aftersales.adapters.postgres import open_postgres
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError
from aftersales.ports.batch_search import CustomerWords, party_words_of
from aftersales.ports.ticket_search import search_document
from aftersales.testing.storage_contract import contract_ticket

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]

AWKWARD = ("tab\there", "line\nbreak", "carriage\rreturn", "back\\slash \\N \\t", "\\N", "引号 'x' \"y\" 😀")


def _tickets() -> list[Ticket]:
    """Tickets in every state the contract drives, some with texts a COPY stream escapes, some with
    no dealer, batch or due."""
    states = ("new", "triaged", "assigned", "resolved", "closed", "cancelled")
    found = []
    for n in range(1, 25):
        fields: dict[str, Any] = {}
        if n <= len(AWKWARD):
            fields["description"] = AWKWARD[n - 1]
            fields["batch"] = AWKWARD[-n]
        found.append(contract_ticket(n, state=states[n % len(states)], **fields))
    return found


@pytest.fixture
def urls() -> Iterator[tuple[str, str]]:
    import psycopg

    schemas = [f"cp_{uuid.uuid4().hex[:16]}" for _ in range(2)]
    sep = "&" if "?" in (DSN or "") else "?"
    try:
        yield f"{DSN}{sep}schema={schemas[0]}", f"{DSN}{sep}schema={schemas[1]}"
    finally:
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _rows(url: str, table: str) -> list[tuple[Any, ...]]:
    import psycopg

    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(DSN or "") as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_a_batch_stores_the_rows_single_adds_store(urls: tuple[str, str]) -> None:
    bulk_url, single_url = urls
    for url, bulk in ((bulk_url, True), (single_url, False)):
        store = open_postgres(url)
        try:
            with store() as uow:
                docs = [search_document(t, None) for t in _tickets()]
                if bulk:
                    uow.tickets.add_many(_tickets())
                    uow.search.put_many(docs)
                else:
                    for ticket, doc in zip(_tickets(), docs, strict=True):
                        uow.tickets.add(ticket)
                        uow.search.put(doc)
                uow.commit()
        finally:
            store.close()
    bulk_rows = _rows(bulk_url, "tickets")
    assert len(bulk_rows) == 24
    assert {row[18] for row in bulk_rows} >= set(AWKWARD)  # description, as given
    assert bulk_rows == _rows(single_url, "tickets")
    for table in ("ticket_search", "ticket_search_keys", "ticket_labels"):
        assert _rows(bulk_url, table) == _rows(single_url, table), table
    assert {row[2] for row in _rows(bulk_url, "ticket_search")} >= {
        search_document(t, None).text for t in _tickets()[: len(AWKWARD)]
    }
    completions = _rows(bulk_url, "ticket_completions")
    assert len(completions) >= 4  # the closed ones
    assert completions == _rows(single_url, "ticket_completions")
    store = open_postgres(bulk_url)
    try:
        with store() as uow:  # and read back as the tickets they were
            for ticket in _tickets():
                assert uow.tickets.get(ticket.id).description == ticket.description
    finally:
        store.close()


def test_the_rows_travel_as_one_copy(urls: tuple[str, str]) -> None:
    from psycopg.pq import Trace

    from aftersales.adapters.postgres import PostgresStore

    store = open_postgres(urls[0])
    trace = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed below
    acquire = PostgresStore.acquire

    def traced(self: Any) -> Any:
        conn = acquire(self)
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        return conn

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(PostgresStore, "acquire", traced)
            with store() as uow:
                uow.tickets.add_many(_tickets())
                uow.search.put_many(search_document(t, None) for t in _tickets())
                uow.commit()
        trace.seek(0)
        sent = trace.read()
        assert sent.count("COPY tickets (") == 1
        assert "INSERT INTO tickets" not in sent  # not one statement a row
        assert sent.count("COPY ticket_completions (") == 1  # the tickets imported done
        assert "INSERT INTO ticket_completions" not in sent
        assert sent.count("COPY ticket_search (") == 1
        assert "INSERT INTO ticket_search (" not in sent
    finally:
        store.close()
        trace.close()
    assert len(_rows(urls[0], "tickets")) == 24


def test_a_taken_id_stores_nothing_of_the_batch(urls: tuple[str, str]) -> None:
    store = open_postgres(urls[0])
    try:
        with store() as uow:
            uow.tickets.add(contract_ticket(7))
            uow.commit()
        with store() as uow, pytest.raises(DuplicateError):
            uow.tickets.add_many([contract_ticket(n) for n in range(1, 10)])
    finally:
        store.close()
    assert [row[0] for row in _rows(urls[0], "tickets")] == ["T-0007"]


def test_an_id_taken_after_the_batch_check_fails_the_copy_and_the_unit_goes_on(
    urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another desk stores one of the batch's ids between the batch's check and its COPY: the COPY
    # itself meets the taken key.
    store = open_postgres(urls[0])
    real = postgres_tickets.copy_rows

    def raced(uow: Any, statement: str, rows: Any) -> None:
        other = open_postgres(urls[0])
        try:
            with other() as theirs:
                theirs.tickets.add(contract_ticket(5))
                theirs.commit()
        finally:
            other.close()
        real(uow, statement, rows)

    monkeypatch.setattr(postgres_tickets, "copy_rows", raced)
    try:
        with store() as uow:
            with pytest.raises(DuplicateError):
                uow.tickets.add_many([contract_ticket(n) for n in range(1, 10)])
            monkeypatch.setattr(postgres_tickets, "copy_rows", real)
            uow.tickets.add_many([contract_ticket(n) for n in range(20, 23)])  # the unit goes on
            uow.commit()
    finally:
        store.close()
    assert [row[0] for row in _rows(urls[0], "tickets")] == ["T-0005", "T-0020", "T-0021", "T-0022"]


def _parties() -> tuple[dict[str, Customer], dict[str, Dealer], dict[str, Asset]]:
    customers = {
        "c1": Customer(
            CustomerId("c1"), "王芳", Contact("王芳", phone="+86 139 1234 5678"), CustomerTier.VIP, "SH"
        ),
        "c2": Customer(
            CustomerId("c2"), "Ｌｉ Ｌｅｉ Co.", Contact("李雷", phone="021-6234 5678"), region="SH"
        ),
        "c3": Customer(CustomerId("c3"), "赵六 \\ 'x'", Contact("赵六"), CustomerTier.IMPORTANT, "SH"),
    }
    dealers = {"d1": Dealer(DealerId("d1"), "浦东特约 No.1", "SH", frozenset({"SH"}))}
    assets = {"a1": Asset(AssetId("a1"), ProductId("P1"), "SN-2026-０００42")}
    return customers, dealers, assets


def test_party_words_are_those_of_the_records(urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The import's search documents and close check read these words: selected by the server out of the
    # stored JSON, they must be what the records give (name, contact's name and phone, tier).
    customers, dealers, assets = _parties()
    store = open_postgres(urls[0])
    try:
        with store() as uow:
            for customer in customers.values():
                uow.customers.add(customer)
            uow.dealers.add(dealers["d1"])
            uow.assets.add(assets["a1"])
            uow.commit()
        built: list[object] = []
        real = serialization.structure

        def counted(data: Any, cls: Any) -> Any:
            built.append(cls)
            return real(data, cls)

        monkeypatch.setattr(postgres, "structure", counted)
        with store() as uow:
            words = uow.party_words(["c1", "c2", "c3", "gone"], ["d1", "d9"], ["a1", "a9"])
        assert words == party_words_of(customers, dealers, assets)
        assert words.customers["c3"] == CustomerWords("赵六 \\ 'x'", "赵六", None, CustomerTier.IMPORTANT)
        assert built == []  # no record built
    finally:
        store.close()
