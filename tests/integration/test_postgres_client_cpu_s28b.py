# mypy: disable-error-code="attr-defined"
"""PostgreSQL client work per command (issue 21, session 28).

A command's writes travel as one query of literals (:mod:`aftersales.adapters.postgres_pipeline`).
The ticket's document comes from the serializer as UTF-8 bytes; it was decoded to text to be quoted
and the whole query encoded back (some 20 µs of client CPU per 3 kB of Chinese text, measured). Now
the query is assembled as UTF-8 bytes and the document goes in as it is. And a command's locking read
served from the store's memo derived the ticket's row columns again, which its last save had
derived already: now they are kept with the ticket. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_postgres_literals import DSN, TRICKY, _desk, url

from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.service.actors import Actor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["url"]  # the fixture, shared with the literal tests
AGENT = Actor.agent("agent-1")


def test_utf8_literals_are_the_text_literals_encoded_and_read_back_the_same() -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    from aftersales.adapters.postgres_literals import literals, literals_utf8, render, render_utf8
    from aftersales.serialization import encode_json, encode_json_utf8

    values: list[Any] = [
        TRICKY,
        "",
        "\u00e9\U0001f600",
        0,
        -5,
        2**62,
        True,
        False,
        None,
        ["a'b", '"', "漏水"],
    ]
    document = {"text": TRICKY, "n": -1, "list": [1, "a'b"]}
    sql = "SELECT " + ", ".join([*["%s"] * (len(values) - 1), "%s::text[]", "%s"])  # the list typed
    with psycopg.connect(DSN or "", autocommit=True) as conn:
        mogrify = psycopg.ClientCursor(conn).mogrify
        as_text = [*values, Jsonb(document, dumps=encode_json)]
        as_bytes = [*values, Jsonb(document, dumps=encode_json_utf8)]
        query = render_utf8(sql, as_bytes, mogrify)
        assert query == render(sql, as_text, mogrify).encode()
        assert literals_utf8(as_bytes) == [t.encode() for t in literals(as_text) or ()]
        assert list(conn.execute(query, prepare=False).fetchone() or ()) == [*values, document]
        # What it does not write itself goes to psycopg's rendering, as the text literals do.
        calls: list[str] = []

        def fallback(sql: str, params: Any) -> str:
            calls.append(sql)
            return str(mogrify(sql, params))

        assert literals_utf8([1.5]) is None and literals_utf8(["a\x00b"]) is None
        assert literals_utf8([Jsonb({"a": 1}, dumps=lambda _obj: b"{\x00}")]) is None
        assert (
            render_utf8("SELECT %s, %s", [1.5, "x"], fallback)
            == mogrify("SELECT %s, %s", [1.5, "x"]).encode()
        )
        with pytest.raises(psycopg.DataError):
            render_utf8("SELECT %s", ["a\x00b"], fallback)
        assert calls == ["SELECT %s, %s", "SELECT %s"]


def test_a_commands_document_is_written_as_the_serializers_bytes(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psycopg.types.json import Jsonb

    from aftersales.adapters import postgres_pipeline

    desk, ticket = _desk(url)
    try:
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")  # statements get prepared
        as_text: list[Any] = []
        literals = postgres_pipeline.literals

        def spied(params: Any) -> Any:
            as_text.extend(p for p in params if isinstance(p, Jsonb))
            return literals(params)

        monkeypatch.setattr(postgres_pipeline, "literals", spied)
        desk.note_to_customer(AGENT, ticket, text=TRICKY)
        # The ticket's document and the outbox message went as bytes, never rendered as text.
        assert as_text == []
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == ["工程师已出发", TRICKY]
    finally:
        desk.shutdown()


def test_a_locking_read_served_from_the_memo_takes_the_row_columns_its_save_derived(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftersales.adapters import postgres_tickets

    desk, ticket = _desk(url)
    try:
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")  # the memo keeps what this desk saved
        derived: list[str] = []
        row_values = postgres_tickets.row_values

        def counted(t: Any, version: int | None = None) -> tuple[object, ...]:
            derived.append(t.id)
            return row_values(t, version)

        monkeypatch.setattr(postgres_tickets, "row_values", counted)
        for n in range(3):
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次反馈")
        assert derived == [ticket] * 3  # each save's own; the reads derived none (were 6)
        monkeypatch.undo()
        # A save that changes the row's columns still writes them (the kept columns are compared).
        desk.cancel(AGENT, ticket, reason="客户取消")
        with desk.store() as uow:
            rows = uow.tickets.query_rows(TicketFilter(), PageRequest(limit=5))
        assert [(r.id, r.state) for r in rows.items] == [(ticket, desk.ticket(AGENT, ticket).state)]
    finally:
        desk.shutdown()


def test_opening_a_ticket_for_a_dealers_customer_reads_the_dealer_with_the_customer(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intake indexes the ticket for search under its dealer's name, and read the dealer by a statement
    of its own after the customer and the unit: a round trip. Now the customer's read (and the unit's)
    brings its dealer along."""
    from test_postgres_round_trips import Trips

    from aftersales.domain.contact import Contact
    from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
    from aftersales.domain.parties import Customer, Dealer
    from aftersales.domain.products import Asset, Product
    from aftersales.service.desk import ServiceDesk

    manager = Actor.manager("mgr-1")
    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware")
    try:
        desk.register_dealer(manager, Dealer(DealerId("d1"), "上海浦东特约承销商", "SH", frozenset({"SH"})))
        contact = Contact("张伟", phone="13900000000")
        desk.register_customer(
            manager, Customer(CustomerId("c1"), "张伟", contact, region="SH", dealer_id="d1")
        )
        desk.register_product(manager, Product(ProductId("p1"), "WC-1", "智能马桶", "toilet"))
        desk.register_asset(manager, Asset(AssetId("a1"), ProductId("p1"), "SN-1", CustomerId("c1")))
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="a1")  # statements prepared
        trips = Trips(monkeypatch)
        try:
            trips.count()
            ticket = desk.open_ticket(AGENT, customer_id="c1", description="水箱溢流", asset_id="a1").ticket
            count, sent = trips.count()
        finally:
            monkeypatch.undo()
            trips.file.close()
        # BEGIN with the customer and its dealer, the unit and its product, the counter; then the writes
        # with COMMIT (was 3: the dealer by its own statement, with the counter's and ticket's writes).
        assert count == 2, sent
        assert ticket.dealer_id == "d1"
        assert [t.id for t in desk.search(AGENT, "溢流").items] == [ticket.id]
        assert ticket.id in [t.id for t in desk.search(AGENT, "浦东").items]  # indexed under its dealer
        with desk.store() as uow:  # a customer's read brings its dealer: no statement of its own
            uow.customers.get("c1")
            assert uow.entity_texts[("dealer", "d1")] is not None
            assert uow.dealers.get("d1").name == "上海浦东特约承销商"
    finally:
        desk.shutdown()


def test_an_intakes_reads_made_ahead_go_through_libpq_alone(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reads an intake names ahead (customer, unit, counter) went through a psycopg cursor, its
    result sets walked one by one: some 200 Python calls of the intake's 1,600. Now through libpq, as a
    command's locking ticket read."""
    import sys

    import psycopg

    desk, _ticket = _desk(url)
    try:
        desk.open_ticket(AGENT, customer_id="c1", description="漏水")  # statements prepared
        callers: list[str] = []
        cursor = psycopg.Connection.cursor

        def spied(self: Any, *args: Any, **kwargs: Any) -> Any:
            callers.append(sys._getframe(1).f_code.co_name)
            return cursor(self, *args, **kwargs)

        monkeypatch.setattr(psycopg.Connection, "cursor", spied)
        opened = desk.open_ticket(AGENT, customer_id="c1", description="水箱溢流").ticket
        assert "read_ahead" not in callers
        assert opened.customer_id == "c1"
        assert [t.id for t in desk.search(AGENT, "溢流").items] == [opened.id]
    finally:
        desk.shutdown()
