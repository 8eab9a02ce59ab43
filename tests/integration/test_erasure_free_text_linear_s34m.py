"""Erasing a customer whose tickets each have their own free text costs in proportion to the tickets
(session 34 m), with the same finds as the row-by-row rule, on memory, SQLite and PostgreSQL.

Left by session 34 g: with a distinct description and note per ticket, the SQL stores ran one LIKE scan
of the outbox and of the idempotency rows per piece of free text, every needle was tried on every string
of every row, and every memo entry of the process was asked of every needle: messages x tickets again.
Now the needles are prepared once per scrub (``domain.needle_set.NeedleSet``, ``ports.erasure.ScrubPlan``,
``ports.erasure.QuotedNeedles``) and each row is read once; what is replaced is what the old rule
replaced, which the tests below check against it on random rows.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import AGENT, NAME, NOW, STORES, Opened, opened, seed
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales import Actor
from aftersales.adapters import sqlite as sqlite_adapter
from aftersales.domain import needle_set
from aftersales.domain.erasure import ERASED, WITHHELD
from aftersales.domain.needle_set import NeedleSet, replace_each
from aftersales.ports.erasure import (
    QuotedNeedles,
    ScrubPlan,
    WholeValue,
    quotes_any,
    scrub_idempotency_row,
    scrub_message,
    scrub_needles,
)
from aftersales.ports.outbox import OutboxMessage
from aftersales.serialization import encode_json

OFFICER = Actor.privacy_officer("dpo-1")

# Pieces the random texts and needles are made of: the marks' own characters and brackets, quotes and
# backslashes (JSON escapes), Chinese words, and ASCII in two cases (SQLite's LIKE ignores the case).
PARTS = [
    "[",
    "]",
    "erased",
    "ed]",
    "[er",
    "withheld",
    '"',
    "\\",
    "张伟",
    "欧阳",
    "漏水",
    "上门",
    "Ab",
    "ab",
    " ",
    "a",
    "d",
]
texts = st.lists(st.sampled_from(PARTS), max_size=8).map("".join)

EXAMPLES = 1000 if os.environ.get("AFTERSALES_FUZZ") == "full" else 200
"""Random cases per property: a thousand with ``AFTERSALES_FUZZ=full`` (as the public-API fuzz), else
200 (each run draws new ones; a thousand were a minute of CI's two cores)."""
needle_lists = st.lists(texts, max_size=8)


@given(needle_lists, texts, st.sampled_from([ERASED, WITHHELD, "XY", "a", "]x["]))
@settings(max_examples=EXAMPLES, deadline=None)
def test_a_needle_set_replaces_as_each_needle_in_turn(needles: list[str], text: str, mark: str) -> None:
    prepared = NeedleSet(needles)
    assert prepared.present(text) == {n for n in needles if n in text}
    assert prepared.replace(text, mark) == replace_each(text, needles, mark)


def test_many_short_needles_are_found_as_each_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(needle_set, "_DIRECT", 0)  # looked up among the text's pieces, not tried one by one
    rnd = random.Random(3434)
    for _ in range(1500):
        needles = ["".join(rnd.choices(PARTS, k=rnd.randint(0, 2))) for _ in range(rnd.randint(0, 9))]
        text = "".join(rnd.choices(PARTS, k=rnd.randint(0, 9)))
        prepared = NeedleSet(needles)
        assert prepared.present(text) == {n for n in needles if n in text}, (needles, text)
        assert prepared.replace(text, ERASED) == replace_each(text, needles, ERASED), (needles, text)


@given(needle_lists, texts)
@settings(max_examples=EXAMPLES, deadline=None)
def test_quoted_needles_answer_as_each_asked_in_turn(needles: list[str], text: str) -> None:
    assert quotes_any(text, QuotedNeedles(needles)) is quotes_any(text, list(needles))


IDS = ["c-1", "SR-2026-000001", "SR-2026-000002", "st-9"]


def _payload(rnd: random.Random, n: int) -> dict[str, Any]:
    words = lambda: "".join(rnd.choices(PARTS, k=rnd.randint(0, 6)))  # noqa: E731
    payload: dict[str, Any] = {"body": words(), "lines": [words(), words()], words() or "k": words()}
    if rnd.random() < 0.6:
        payload["ticket_id" if rnd.random() < 0.5 else "ticket"] = rnd.choice([*IDS, "SR-2099-000009"])
    if rnd.random() < 0.3:
        payload["comment"] = rnd.choice(["不满意", " 不满意 ", "态度差", words()])
    return payload


def _case(rnd: random.Random, pieces: int) -> tuple[tuple[str, ...], list[str], list[str]]:
    """The person's strings, their free text (``pieces`` of it, some short words) and their ids."""
    word = lambda: "".join(rnd.choices(PARTS, k=rnd.randint(1, 4)))  # noqa: E731
    needles = tuple(dict.fromkeys(w for w in (word() for _ in range(3)) if len(w.strip()) >= 2))
    free: list[str] = [word() for _ in range(pieces)]
    free += [WholeValue("不满意"), WholeValue("态度差")][: rnd.randint(0, 2)]
    return needles, free, rnd.sample(IDS, rnd.randint(1, len(IDS)))


@pytest.mark.parametrize("seed_", range(40))
def test_a_scrub_plan_answers_as_the_row_rule(seed_: int) -> None:
    rnd = random.Random(seed_)
    needles, free, within = _case(rnd, rnd.randint(0, 30))
    plan = ScrubPlan(needles, free, within)
    for n in range(100):
        message = OutboxMessage(
            f"E{n}", "notification", _payload(rnd, n), rnd.choice([*IDS, "k"]) + ":1:x", NOW
        )
        texts = [encode_json(dict(message.payload)), message.idempotency_key]
        old = scrub_needles(texts, needles, free, within)
        wanted = plan.for_row(texts)
        assert wanted.needles == old
        assert scrub_message(message, wanted) == scrub_message(message, old)
        key, result = message.idempotency_key, encode_json(dict(message.payload))
        assert scrub_idempotency_row(key, result, wanted) == scrub_idempotency_row(key, result, old)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


@pytest.mark.parametrize("pieces", [4, 40])  # a LIKE scan per string, and one read of every row
def test_a_store_scrubs_the_rows_the_row_rule_scrubs(store: Opened, pieces: int) -> None:
    rnd = random.Random(pieces)
    at = store.clock.now()
    messages = [
        OutboxMessage(f"E{n:04d}", "notification", _payload(rnd, n), f"{rnd.choice([*IDS, 'k'])}:{n}:x", at)
        for n in range(1500)
    ]
    rows = {f"{rnd.choice([*IDS, 'k'])}:{n}:x": encode_json(_payload(rnd, n)) for n in range(500)}
    with store.desk.store() as uow:
        uow.outbox.put(messages)
        for key, result in rows.items():
            uow.idempotency.put(key, result)
        uow.commit()
    needles, free, within = _case(rnd, pieces)
    # The rule as each row answered it, one row at a time (needles as tuples: tried one by one).
    expected: dict[str, OutboxMessage] = {}
    for m in messages:
        texts = [encode_json(dict(m.payload)), m.idempotency_key]
        expected[m.id] = scrub_message(m, scrub_needles(texts, needles, free, within))
    expected_rows = {}
    for key, result in rows.items():
        expected_rows[key] = scrub_idempotency_row(
            key, result, scrub_needles([key, result], needles, free, within)
        )
    with store.desk.store() as uow:
        rewritten = uow.outbox.scrub(needles, free_text=free, within=within)
        changed = uow.idempotency.scrub(needles, free_text=free, within=within)
        uow.commit()
    assert rewritten == sum(expected[m.id] != m for m in messages)
    assert changed == sum(expected_rows[k] != (k, r) for k, r in rows.items())
    assert 0 < rewritten < len(messages) and 0 < changed < len(rows)  # the case finds some, not all
    with store.desk.store() as uow:
        after = {m.id: m for m in uow.outbox.pending(limit=5000)}
        for new_key, new_result in expected_rows.values():
            assert uow.idempotency.get(new_key) == new_result
    assert len(after) == len(messages)
    for m in messages:
        assert (after[m.id].payload, after[m.id].idempotency_key) == (
            expected[m.id].payload,
            expected[m.id].idempotency_key,
        ), m.id


def _sqlite_steps_per_ticket(tmp_path: Path, tickets: int, monkeypatch: pytest.MonkeyPatch) -> float:
    """SQLite virtual-machine steps (in hundreds) of erasing a customer whose ``tickets`` open tickets
    each have their own description and note, per ticket: a count of work, not a time."""
    folder = tmp_path / str(tickets)
    folder.mkdir()
    store = Opened("sqlite", folder)
    try:
        desk, clock = store.desk, store.clock
        seed(desk, clock)
        for n in range(tickets - 1):
            clock.advance(timedelta(seconds=1))
            opened_ = desk.open_ticket(AGENT, customer_id="c-1", description=f"第{n}号卫生间马桶漏水 {NAME}")
            desk.note_to_customer(AGENT, opened_.ticket.id, text=f"已联系，约第{n}次上门")
        steps = [0]

        def counted(self: Any) -> sqlite3.Connection:
            conn = real(self)
            conn.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1) or 0, 100)
            return conn

        real = sqlite_adapter.SqliteUnitOfWork.conn
        with monkeypatch.context() as patch:
            patch.setattr(sqlite_adapter.SqliteUnitOfWork, "conn", counted)
            record = desk.privacy.erase_customer(OFFICER, "c-1", "客户要求删除", cancel_open_tickets=True)
        assert record.tickets == tickets and record.messages >= tickets
        return steps[0] / tickets
    finally:
        store.close()


def test_sqlite_erasure_of_distinct_free_text_per_ticket_does_not_grow_with_the_tickets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    few = _sqlite_steps_per_ticket(tmp_path, 40, monkeypatch)
    many = _sqlite_steps_per_ticket(tmp_path, 200, monkeypatch)
    # Linear: about the same per ticket (a LIKE scan of the outbox per description and note grew it 4x).
    assert many <= 1.4 * few, (few, many)
