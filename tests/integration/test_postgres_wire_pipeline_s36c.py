"""A command's writes as one libpq pipeline of bound parameters (session 36, issue 21).

The writes and ``COMMIT`` travel as prepared statements with their values bound (no literal for the
server's lexer to read), in one pipeline with one ``Sync``. Two desks — two stores, each with its own
pool and ticket memo — writing the same ticket from two threads must lose no update, and values a
literal would have had to quote arrive as they were. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
QUOTED = 'O\'Brien 说："C:\\temp" 已处理\n第二行 🚰'
"""Quotes, a backslash, a newline and a character outside the BMP: what a literal has to escape."""


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema_url() as schema_url:
        yield schema_url


def test_two_desks_writing_one_ticket_through_the_pipeline_lose_no_update(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftersales.adapters import postgres_pipeline

    pipelines: list[int] = []
    run = postgres_pipeline.run_pipeline

    def counted(pgconn: Any, steps: Any, encoding: str) -> list[Any]:
        pipelines.append(len(steps))
        return run(pgconn, steps, encoding)

    monkeypatch.setattr(postgres_pipeline, "run_pipeline", counted)
    first = ServiceDesk.open(url, pack="general_maintenance")
    second = ServiceDesk.open(url, pack="general_maintenance")
    try:
        first.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = first.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        start = first.ticket(AGENT, ticket).version
        each = 12
        failures: list[BaseException] = []

        def notes(desk: ServiceDesk, name: str) -> None:
            try:
                for n in range(each):
                    desk.note_to_customer(AGENT, ticket, text=f"{name} {n} {QUOTED}")
            except BaseException as exc:  # reported below, in the test's thread
                failures.append(exc)

        threads = [threading.Thread(target=notes, args=(d, k)) for d, k in ((first, "甲"), (second, "乙"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        for desk in (first, second):  # either desk reads what both wrote
            view = desk.ticket(AGENT, ticket)
            texts = [note.text for note in view.notes]
            assert sorted(texts) == sorted(f"{k} {n} {QUOTED}" for k in ("甲", "乙") for n in range(each))
            assert view.version == start + 2 * each
            seqs = [event.seq for event in view.events]
            assert seqs == list(range(len(seqs)))
        assert len(pipelines) >= each  # the notes' writes went as pipelines (a few may not: a first save)
    finally:
        first.shutdown()
        second.shutdown()


def test_values_bound_as_text_parameters() -> None:
    from enum import StrEnum

    from psycopg.types.json import Jsonb

    from aftersales.adapters.postgres_literals import parameters_utf8

    class State(StrEnum):
        OPEN = "open"

    raw = b'{"a": "\xe6\xbc\x8f"}'
    assert parameters_utf8(
        ["漏水 '", 7, -3, True, False, None, State.OPEN, Jsonb(raw, dumps=lambda v: v)]
    ) == [
        "漏水 '".encode(),
        b"7",
        b"-3",
        b"t",
        b"f",
        None,
        b"open",
        raw,
    ]
    assert parameters_utf8(["a\x00b"]) is None  # libpq would cut the value at its NUL
    assert parameters_utf8([["x", "y"]]) is None  # arrays: the literal path
    assert parameters_utf8([1.5]) is None


def test_a_pipeline_cut_short_never_goes_back_to_the_pool(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from aftersales.adapters import postgres_wire_pipeline

    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="general_maintenance")
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        desk.note_to_customer(AGENT, ticket, text="一")
        collect = postgres_wire_pipeline._collect

        def interrupted(pgconn: Any, count: int) -> list[Any]:
            raise KeyboardInterrupt  # sent, its answers not read yet

        monkeypatch.setattr(postgres_wire_pipeline, "_collect", interrupted)
        with pytest.raises(KeyboardInterrupt):  # the interrupt itself, not a StorageError in its place
            desk.note_to_customer(AGENT, ticket, text="中断")
        monkeypatch.setattr(postgres_wire_pipeline, "_collect", collect)
        # The one pooled connection held unread answers: closed, and the pool opens another.
        desk.note_to_customer(AGENT, ticket, text="二")
        texts = [note.text for note in desk.ticket(AGENT, ticket).notes]
        assert texts[0] == "一" and texts[-1] == "二"
        assert texts[1:-1] in ([], ["中断"])  # sent whole with its COMMIT: the server may have run it
    finally:
        desk.shutdown()
