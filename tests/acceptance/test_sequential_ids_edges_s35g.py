"""``SequentialIds`` keeping its counters in a store: no gaps in ticket numbers after a re-run, no counter
write per access record (session 35, g).

Decided: ticket numbers (and the other numbers people are shown: slips, incidents) are told to customers
and quoted back, so a gap reads as a lost call; a command re-run after a lost race (PostgreSQL's writers
overlap) takes the number its first run drew, which that run never stored (``service/call_ids.py``).
Access record ids are shown to nobody and one is written per read of personal data: a counter write (a
write transaction on the host's store) per read was the cost, so they are reserved a block at a time
(``SequentialIds(blocks=...)``, default 100), and the few a process leaves unused are skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.ids import IdCounter, SequentialIds
from aftersales.errors import ConcurrencyConflict, DuplicateError, ValidationError
from aftersales.ports import open_storage
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.service.desk import ServiceDesk
from aftersales.service.numbering import new_id
from conftest import World, store_url, world_desk


@contextlib.contextmanager
def host_desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World, SequentialIds]]:
    """A desk numbering with the host's ``SequentialIds``, its counters in a store of its own."""
    with contextlib.ExitStack() as stack:
        counters = open_storage(stack.enter_context(store_url(backend, tmp_path, name="ids.db")))
        stack.callback(counters.close)
        ids = SequentialIds(store=counters)
        desk, _clock, world = stack.enter_context(world_desk(backend, tmp_path, ids=ids))
        yield desk, world, ids


_CONFLICT = ConcurrencyConflict("ticket", "T-1", 1, 2)


@pytest.mark.parametrize(
    ("backend", "lost"),
    [
        ("memory", _CONFLICT),
        ("sqlite", _CONFLICT),
        ("postgres", _CONFLICT),
        ("memory", DuplicateError("taken")),
    ],
    ids=["memory-conflict", "sqlite-conflict", "postgres-conflict", "memory-duplicate"],
)
def test_a_rerun_takes_the_number_its_first_run_drew(backend: str, lost: Exception, tmp_path: Path) -> None:
    with host_desk(backend, tmp_path) as (desk, world, ids):
        drawn: list[str] = []

        def apply(uow: UnitOfWork, now: datetime) -> str:
            drawn.append(new_id(ids, uow, "ticket", now))
            if len(drawn) == 1:
                raise lost  # another writer committed first: the runner runs the command again
            return drawn[-1]

        number = desk.knowledge.runner.write(world.agent, "open_ticket", None, None, apply)
        call = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="来电").ticket.id
        if isinstance(lost, DuplicateError):  # the number itself may be what was taken: a new one
            assert drawn == ["T-000001", "T-000002"] and (number, call) == ("T-000002", "T-000003")
        else:
            assert drawn == ["T-000001", "T-000001"] and (number, call) == ("T-000001", "T-000002")


class _Counted:
    """A store factory counting the units of work made (each a transaction of the counters)."""

    def __init__(self, store: StoreFactory) -> None:
        self.store = store
        self.units = 0

    def __call__(self) -> UnitOfWork:
        self.units += 1
        return self.store()


def test_access_record_ids_are_reserved_a_block_at_a_time() -> None:
    counted = _Counted(open_storage("memory://"))
    first, second = SequentialIds(store=counted), SequentialIds(store=counted)  # two processes
    mine = [first.next_id("access_record") for _ in range(250)]
    assert counted.units == 3  # was 250: a write transaction per read of personal data
    assert mine[:2] == ["ACCESS_RECORD-000001", "ACCESS_RECORD-000002"] and mine[-1] == "ACCESS_RECORD-000250"
    theirs = second.next_id("access_record")
    assert theirs == "ACCESS_RECORD-000301" and theirs not in mine  # past the first one's block
    tickets = [first.next_id("ticket") for _ in range(3)]
    assert tickets == ["T-000001", "T-000002", "T-000003"] and counted.units == 7  # one each, no gap
    with counted.store() as uow:
        assert uow.documents.get(IdCounter, "access_record").last == 400


def test_blocks_can_be_set_and_are_checked() -> None:
    counted = _Counted(open_storage("memory://"))
    ids = SequentialIds(store=counted, blocks={"access_record": 1, "message": 10})
    assert [ids.next_id("access_record") for _ in range(3)][-1] == "ACCESS_RECORD-000003"
    assert counted.units == 3
    [ids.next_id("message") for _ in range(10)]
    assert counted.units == 4
    for bad in ({"access_record": 0}, {"access_record": True}, {1: 5}, "access_record"):
        with pytest.raises(ValidationError) as refused:
            SequentialIds(blocks=bad)  # type: ignore[arg-type]
        assert refused.value.field == "blocks"


def test_store_options_without_a_store_are_refused_not_ignored() -> None:
    # In memory every id is one counter step: a block or a retry count would be silently ignored.
    for options, field in (({"blocks": {"access_record": 10}}, "blocks"), ({"retries": 3}, "retries")):
        with pytest.raises(ValidationError) as refused:
            SequentialIds(**options)  # type: ignore[arg-type]
        assert refused.value.field == field
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValidationError) as refused:
            SequentialIds(store=open_storage("memory://"), retries=bad)  # type: ignore[arg-type]
        assert refused.value.field == "retries"
    assert SequentialIds().next_id("ticket") == "T-000001"


def test_an_import_past_a_reserved_block_moves_it_on() -> None:
    ids = SequentialIds(store=open_storage("memory://"))
    assert ids.next_id("access_record") == "ACCESS_RECORD-000001"
    ids.move_past("access_record", ["ACCESS_RECORD-000050"])
    assert ids.next_id("access_record") == "ACCESS_RECORD-000101"  # the block after the counter's
