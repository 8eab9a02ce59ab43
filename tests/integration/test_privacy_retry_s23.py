"""An erasure retried by its idempotency key (PIPL art. 47), on memory, SQLite and PostgreSQL.

``erase_customer`` took no idempotency key, unlike every other command: a host whose erasure timed out
after it committed and that retried it got ``AlreadyErased`` — an error for a request that had succeeded,
and no record to show the data subject. With the key, the retry is answered with the first erasure's
record; the same key with another request is ``IdempotencyKeyReused``; a privacy officer (who reads no
other record of the office) gets its replay.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import STORES, Opened, opened, seed

from aftersales import Actor
from aftersales.errors import AlreadyErased, IdempotencyKeyReused

OFFICER = Actor.privacy_officer("dpo-1")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def test_a_retried_erasure_with_its_key_is_answered_with_the_first_record(store: Opened) -> None:
    desk, clock = store.desk, store.clock
    seed(desk, clock)
    first = desk.privacy.erase_customer(
        OFFICER, "c-1", "the customer asked", cancel_open_tickets=True, idempotency_key="erase-c-1"
    )
    clock.advance(timedelta(seconds=30))  # the host's retry after its timeout
    again = desk.privacy.erase_customer(
        OFFICER, "c-1", "the customer asked", cancel_open_tickets=True, idempotency_key="erase-c-1"
    )
    assert again == first
    assert desk.privacy.erasures(OFFICER, "c-1") == [first]
    # Without the key a repeat is still refused, naming the erasure that did it.
    with pytest.raises(AlreadyErased) as repeated:
        desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)
    assert repeated.value.record_id == first.id


def test_the_same_key_with_another_request_is_refused(store: Opened) -> None:
    desk, clock = store.desk, store.clock
    seed(desk, clock)
    desk.privacy.erase_customer(
        OFFICER, "c-1", "the customer asked", cancel_open_tickets=True, idempotency_key="erase-c-1"
    )
    with pytest.raises(IdempotencyKeyReused):
        desk.privacy.erase_customer(
            OFFICER, "c-1", "another reason", cancel_open_tickets=True, idempotency_key="erase-c-1"
        )
    assert len(desk.privacy.erasures(OFFICER, "c-1")) == 1
