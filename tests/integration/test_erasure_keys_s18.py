"""Erasure and the idempotency keys a person's data is in, on memory, SQLite and PostgreSQL (PIPL).

A client may build its idempotency key from what it knows of the caller (``call-13912345678``). The
erasure rewrites such a key with the person's strings replaced, and every store must then hold none of
them and answer the same:

1. The retention job's stamp of the key (``idempotency_seen``: when the key was first seen) went with
   the old key. It stayed, phone and all, until the retention period had passed; and the rewritten key
   had no stamp, so its result outlived the period by a whole period more. Now the stamp moves with the
   key: nothing of the person is left, and the result expires on the day it would have.
2. Two keys of the person that read alike once rewritten (``call-<phone>`` and ``call-<e-mail>`` both
   become ``call-[erased]``): SQLite and PostgreSQL kept the first key's result, the memory store the
   last one's. Now every store keeps the first (in key order) and drops the others with their stamps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import AGENT, EMAIL, MANAGER, PHONE, STORES, Opened, opened, seed

from aftersales import Actor

OFFICER = Actor.privacy_officer("dpo-s18")
RENAMED = "agent:agent-1:note_to_customer:call-[erased]"


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _two_keys_of_the_person(store: Opened) -> str:
    """Two notes sent with keys naming the person, both stamped by the retention job; the ticket."""
    desk = store.desk
    tid = seed(desk, store.clock)
    desk.note_to_customer(AGENT, tid, text="第一次上门", idempotency_key=f"call-{PHONE}")
    desk.note_to_customer(AGENT, tid, text="第二次上门", idempotency_key=f"call-{EMAIL}")
    assert desk.privacy.purge_expired(Actor.system()) == 0  # stamps both keys
    return tid


def test_the_retention_stamp_of_a_key_naming_the_person_moves_with_the_key(store: Opened) -> None:
    _two_keys_of_the_person(store)
    assert PHONE in store.raw_text() and EMAIL in store.raw_text()

    store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)

    text = store.raw_text()
    assert [p for p in (PHONE, EMAIL) if p in text] == []  # before: both, in the retention stamps
    with store.desk.store() as uow:
        assert uow.idempotency.get(RENAMED) is not None
    # The rewritten key expires when the original would have (30 days after it was first seen).
    store.clock.advance(timedelta(days=29))
    assert store.desk.privacy.purge_expired(MANAGER) == 0
    store.clock.advance(timedelta(days=2))
    assert store.desk.privacy.purge_expired(MANAGER) == 1  # before: 0, its stamp was left behind
    with store.desk.store() as uow:
        assert uow.idempotency.get(RENAMED) is None


def test_keys_that_read_alike_once_erased_keep_the_first_result_on_every_store(store: Opened) -> None:
    _two_keys_of_the_person(store)
    with store.desk.store() as uow:
        first = uow.idempotency.get(f"agent:agent-1:note_to_customer:call-{PHONE}")
        second = uow.idempotency.get(f"agent:agent-1:note_to_customer:call-{EMAIL}")
    assert first is not None and second is not None and first != second

    record = store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)

    assert record.idempotency_rows == 2
    with store.desk.store() as uow:
        kept = uow.idempotency.get(RENAMED)
    # "call-1391…" sorts before "call-nana…": its result (the first note's) is the one kept.
    assert kept == first  # before, the memory store kept the second
