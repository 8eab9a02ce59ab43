"""A host's ``SequentialIds`` is moved past the tickets a bulk import stores in its spelling (session 34 a).

Session 33 moved the store's year counter past imported ``SR-<year>-<n>`` numbers (service/import_numbering),
but a desk numbering with the host's generator (``ServiceDesk(ids=SequentialIds(...))``) does not use that
counter: after an import of ``T-000001`` … ``T-000003`` (the host's own export, a move between stores) the
generator handed out ``T-000001`` again, the call was refused with a ``DuplicateError``, and so was each
call after it until the generator had walked past every imported number. The import now tells a generator
that can be told (``move_past``, :class:`~aftersales.ports.ids.LearnsTakenIds`: ``SequentialIds`` does),
before the batch is written, so no call numbered meanwhile takes an imported number either. Memory, SQLite
and PostgreSQL; a generator counting in memory and one keeping its counters in a store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.ids import SequentialIds
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError, ValidationError
from aftersales.ports.ids import LearnsTakenIds
from aftersales.ports.storage_registry import open_storage
from aftersales.service.desk import ServiceDesk
from conftest import START, World, store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT = ActorRef("agent-1", Role.AGENT)


def _old(ticket_id: str) -> Ticket:
    """A call another desk took, numbered ``ticket_id``."""
    return Ticket.open(
        id=TicketId(ticket_id),
        customer_id=CustomerId("cust-zh"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="旧系统工单：复印机卡纸",
        received_at=START - timedelta(days=3),
        taken_by=AGENT,
    )


@contextlib.contextmanager
def host_desk(backend: str, tmp_path: Path, persisted: bool) -> Iterator[tuple[ServiceDesk, World]]:
    """A desk numbering with the host's ``SequentialIds``: in memory, or keeping its counters in a store
    of the same kind as the desk's (its own: the host's)."""
    with contextlib.ExitStack() as stack:
        counters = None
        if persisted:
            url = stack.enter_context(store_url(backend, tmp_path, name="ids.db"))
            counters = open_storage(url)
            stack.callback(counters.close)
        ids = SequentialIds(store=counters)
        desk, _clock, world = stack.enter_context(world_desk(backend, tmp_path, ids=ids))
        yield desk, world


def _call(desk: ServiceDesk, world: World, n: int = 0) -> str:
    return desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"来电 {n}").ticket.id


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("persisted", [False, True])
def test_calls_after_an_import_of_the_hosts_numbers_are_taken(
    backend: str, persisted: bool, tmp_path: Path
) -> None:
    with host_desk(backend, tmp_path, persisted) as (desk, world):
        assert _call(desk, world) == "T-000001"
        imported = [_old("T-000002"), _old("T-000003"), _old("T-000005")]
        assert desk.import_tickets(world.manager, imported).tickets == 3
        assert [_call(desk, world, n) for n in range(2)] == ["T-000006", "T-000007"]
        assert desk.ticket(world.manager, "T-000005").description == "旧系统工单：复印机卡纸"


@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_generators_own_spelling_moves_it_and_never_back(backend: str, tmp_path: Path) -> None:
    imported = [
        _old("T-0000050"),  # seven digits from zero: never an id the generator writes
        _old("T-12"),
        _old("SR-2026-000099"),  # the desk's own counter's spelling, not the host's
        _old("T-000004"),
    ]
    with host_desk(backend, tmp_path, persisted=False) as (desk, world):
        desk.import_tickets(world.manager, imported)
        assert _call(desk, world) == "T-000005"
        desk.import_tickets(world.manager, [_old("T-000002")])  # below: the generator stays
        assert _call(desk, world) == "T-000006"
        with pytest.raises(DuplicateError):  # an id stored already: the batch is refused as before
            desk.import_tickets(world.manager, [_old("T-000004")])


def test_sequential_ids_can_be_told_and_count_on_from_the_highest() -> None:
    ids = SequentialIds({"ticket": "TK"}, width=4)
    assert isinstance(ids, LearnsTakenIds)
    ids.move_past("ticket", ["TK-0041", "TK-0007", "TK-041", "C-9999", "TK-00099"])
    assert ids.next_id("ticket") == "TK-0042"
    assert ids.next_id("other") == "OTHER-0001"  # another kind: its own sequence


@pytest.mark.parametrize(
    ("kind", "ids", "field"),
    [(None, ["T-000001"], "kind"), ("ticket", "T-000001", "ids"), ("ticket", 7, "ids")],
)
def test_telling_the_generator_wrong_arguments_is_refused_naming_them(
    kind: object, ids: object, field: str
) -> None:
    generator = SequentialIds()
    with pytest.raises(ValidationError) as refused:
        generator.move_past(kind, ids)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert generator.next_id("ticket") == "T-000001"  # nothing moved
