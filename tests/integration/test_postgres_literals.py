# mypy: disable-error-code="attr-defined"
"""A command's statements as literals (issue 21): rendered as psycopg renders them, read back intact,
and its read and writes prepared once per connection, again if the session lost them. Skipped only when
``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import AftersalesError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
TRICKY = "it's C:\\temp\\ 'x' %s %% $1 -- /* 漏水 */ \\' ''"


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema_url() as schema_url:
        yield schema_url


def test_literals_are_what_psycopg_renders_and_read_back_the_same() -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    from aftersales.adapters.postgres_literals import render, standard_strings
    from aftersales.serialization import encode_json

    values: list[Any] = [TRICKY, "", "\u00e9\U0001f600", 0, -5, 2**62, True, False, None]
    document = {"text": TRICKY, "n": -1, "list": [1, "a'b"]}
    sql = "SELECT " + ", ".join(["%s"] * (len(values) + 1))
    with psycopg.connect(DSN or "", autocommit=True) as conn:
        assert standard_strings(conn)
        params = [*values, Jsonb(document, dumps=encode_json)]
        mogrify = psycopg.ClientCursor(conn).mogrify
        text = render(sql, params, mogrify)
        assert list(conn.execute(text, prepare=False).fetchone() or ()) == [*values, document]
        plain = ["it's", "", "漏水", 0, -5, True, None]  # psycopg writes backslashes as E'\\'
        assert render("SELECT %s, %s, %s, %s, %s, %s, %s", plain, mogrify) == mogrify(
            "SELECT %s, %s, %s, %s, %s, %s, %s", plain
        )
        # 1 - -5 is 6: a negative number never makes "--", a comment.
        assert conn.execute(render("SELECT 1 -%s", [-5], mogrify), prepare=False).fetchone() == (6,)
        # Lists of text (keys, labels) read back as given, typed by their context like psycopg's.
        lists: list[Any] = [[TRICKY, 'a"b', "c\\d", "{,}", "", "NULL", "漏水"], []]
        text = render("SELECT %s::text[], %s::text[]", lists, mogrify)
        assert list(conn.execute(text, prepare=False).fetchone() or ()) == lists
        # What it does not render itself (a float, a list of numbers or with a NULL, a NUL) goes to
        # psycopg's rendering.
        calls: list[str] = []

        def fallback(sql: str, params: Any) -> str:
            calls.append(sql)
            return str(mogrify(sql, params))

        odd = [1.5, [1], ["a", None]]
        assert render("SELECT %s, %s, %s", odd, fallback) == mogrify("SELECT %s, %s, %s", odd)
        with pytest.raises(psycopg.DataError):
            render("SELECT %s", ["a\x00b"], fallback)
        assert calls == ["SELECT %s, %s, %s", "SELECT %s"]


def _desk(url: str) -> tuple[ServiceDesk, str]:
    desk = ServiceDesk.open(url, pack="general_maintenance")
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000")))
    ticket = desk.open_ticket(AGENT, customer_id="c1", description=TRICKY).ticket.id
    return desk, ticket


def test_commands_write_any_text_as_given(url: str) -> None:
    desk, ticket = _desk(url)
    try:
        desk.note_to_customer(AGENT, ticket, text=TRICKY)
        desk.note_to_customer(AGENT, ticket, text=TRICKY + "\n第二行")
        with pytest.raises(AftersalesError):  # PostgreSQL text holds no NUL: a typed error, nothing written
            desk.note_to_customer(AGENT, ticket, text="a\x00b")
        view = desk.ticket(AGENT, ticket)
        assert view.description == TRICKY
        assert [n.text for n in view.notes] == [TRICKY, TRICKY + "\n第二行"]
        assert [t.id for t in desk.search(AGENT, "C:\\temp").items] == [ticket]
    finally:
        desk.shutdown()


def test_a_read_statement_the_session_lost_is_prepared_again(url: str) -> None:
    from aftersales.adapters.postgres_tickets import LOCK_NAME

    desk, ticket = _desk(f"{url}&pool_min=1&pool_max=1")
    store: Any = desk.store
    try:
        desk.note_to_customer(AGENT, ticket, text="一")  # the read is prepared on the one connection
        conn = store.acquire()
        conn.pgconn.exec_(f"DEALLOCATE {LOCK_NAME}".encode())  # behind the store's back
        store.release(conn)
        desk.note_to_customer(AGENT, ticket, text="二")
        desk.note_to_customer(AGENT, ticket, text="三")
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == ["一", "二", "三"]
    finally:
        desk.shutdown()


def _prepared_names(store: Any) -> list[str]:
    conn = store.acquire()
    try:
        return [r[0] for r in conn.execute("SELECT name FROM pg_prepared_statements ORDER BY name")]
    finally:
        store.release(conn)


def test_a_commands_writes_travel_prepared_and_a_session_that_lost_them_prepares_them_again(url: str) -> None:
    from aftersales.adapters.postgres_tickets import LOCK_NAME

    desk, ticket = _desk(f"{url}&pool_min=1&pool_max=1")
    store: Any = desk.store
    try:
        desk.note_to_customer(AGENT, ticket, text="一")  # the ticket's update, search row, outbox rows
        writes = [n for n in _prepared_names(store) if n.startswith("aftersales_w_")]
        assert len(writes) >= 3
        conn = store.acquire()
        for name in [LOCK_NAME, *writes]:  # behind the store's back
            conn.pgconn.exec_(f"DEALLOCATE {name}".encode())
        store.release(conn)
        desk.note_to_customer(AGENT, ticket, text=TRICKY)
        desk.note_to_customer(AGENT, ticket, text="三")
        again = [n for n in _prepared_names(store) if n.startswith("aftersales_w_")]
        assert len(again) >= 3 and set(again) <= set(writes)  # the same statements, prepared again
        view = desk.ticket(AGENT, ticket)
        assert [n.text for n in view.notes] == ["一", TRICKY, "三"]
        assert [t.id for t in desk.search(AGENT, "C:\\temp").items] == [ticket]
    finally:
        desk.shutdown()


def test_a_failed_commit_leaves_its_prepared_writes_usable(url: str) -> None:
    from aftersales.adapters import postgres_pipeline

    desk, ticket = _desk(f"{url}&pool_min=1&pool_max=1")
    store: Any = desk.store
    try:
        with pytest.raises(AftersalesError):  # a NUL fails the commit query that also prepares the writes
            desk.note_to_customer(AGENT, ticket, text="a\x00b")
        desk.note_to_customer(AGENT, ticket, text="一")
        desk.note_to_customer(AGENT, ticket, text="二")
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == ["一", "二"]
        conn = store.acquire()
        try:
            known = postgres_pipeline._PREPARED[conn]
            assert set(known) <= set(_prepared_names_on(conn))
            assert all(known.values())
        finally:
            store.release(conn)
    finally:
        desk.shutdown()


def _prepared_names_on(conn: Any) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM pg_prepared_statements")]


def test_a_store_that_must_not_keep_statements_still_reads_in_one_round_trip(url: str) -> None:
    desk, ticket = _desk(f"{url}&prepare_threshold=1000")
    store: Any = desk.store
    try:
        for n in range(3):
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次")
        conn = store.acquire()
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM pg_prepared_statements").fetchall()]
        finally:
            store.release(conn)
        assert names == []
        assert [n.text for n in desk.ticket(AGENT, ticket).notes] == [f"第 {n} 次" for n in range(3)]
    finally:
        desk.shutdown()
