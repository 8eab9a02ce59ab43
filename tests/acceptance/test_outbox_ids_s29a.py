"""Outbox ids in time order (issue 21, session 29 a).

The outbox's id index is a B-tree: ids derived from a digest of the key alone scattered each command's
inserts over its leaves, one page written to the WAL per message. An id now begins with the instant
it was made, so each command's messages sort after every earlier command's (they land on the index's
last leaf), while the same request made twice at one instant is still one id.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import START, world_desk

BACKENDS = ("memory", "sqlite", "postgres")


def _all_ids(desk: ServiceDesk) -> set[str]:
    with desk.store() as uow:
        return {m.id for m in uow.outbox.pending(100_000)}


def _made_since(desk: ServiceDesk, seen: set[str], made: list[list[str]]) -> set[str]:
    """Every id now, after appending the ids new since ``seen`` (sorted) to ``made``."""
    now = _all_ids(desk)
    made.append(sorted(now - seen))
    return now


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_commands_outbox_ids_sort_after_every_earlier_commands(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        made: list[list[str]] = []
        seen = _all_ids(desk)
        for n in range(4):
            clock.advance(timedelta(seconds=1))
            tid = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description=f"马桶漏水{n}"
            ).ticket.id
            seen = _made_since(desk, seen, made)
            clock.advance(timedelta(seconds=1))
            desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            seen = _made_since(desk, seen, made)
            clock.advance(timedelta(seconds=1))
            desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
            seen = _made_since(desk, seen, made)
            clock.advance(timedelta(seconds=1))
            desk.note_to_customer(world.agent, tid, text="工程师已出发")
            seen = _made_since(desk, seen, made)
        assert all(made), "every command wrote outbox messages"
        for earlier, later in itertools.pairwise(made):
            assert earlier[-1] < later[0]


def test_an_outbox_id_is_the_instant_then_its_place_then_the_keys_digest() -> None:
    from aftersales.service.notify import outbox_id  # here: the other test runs on older code too

    first = outbox_id("T-1:0", START)
    assert first == outbox_id("T-1:0", START)  # one request at one instant: one id
    assert first != outbox_id("T-2:0", START)
    assert (
        first
        < outbox_id("T-0:0", START + timedelta(microseconds=1))
        < outbox_id("A", START + timedelta(days=1))
    )
    assert len(first) == 41 and int(first, 16) >= 0
    # Then the place it was made in (session 37 m): ids of one instant sort in the order they were made.
    assert first < outbox_id("T-0:0", START) < outbox_id("T-0:1", START)
    # The digest is the former id's first 80 bits: ids of two processes stay apart.
    assert first[21:] == hashlib.blake2b(b"T-1:0", digest_size=16).hexdigest()[:20]
    before_epoch = outbox_id("T-1:0", START.replace(year=1900))
    assert len(before_epoch) == 41 and int(before_epoch, 16) >= 0
