# mypy: disable-error-code="arg-type"
"""A command retried with its idempotency key is answered by its first result, on any desk of the store.

The runner told "this key's command has not run" from "it ran" by the replayed result being ``None``. A
master-data registration returns ``None``: its retry ran the command again, failed to store the key a
second time (``DuplicateError``), took that for a lost race, replayed ``None`` again, and after eight
rounds raised the ``DuplicateError`` — a host retrying a registration whose answer it lost (the very
case a key is for) got an error, from the desk that first ran it and from any other desk of the store.
Now the retry returns as the first call did and writes nothing, even when the record changed since.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from aftersales.domain.contact import Contact
from aftersales.errors import IdempotencyKeyReused
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

BACKENDS = ["memory", "sqlite", "postgres"]


@attrs.define
class Desks:
    """The desk that first runs a command, and another desk of its store (the same desk on memory)."""

    first: ServiceDesk
    other: ServiceDesk
    world: World

    def history(self, kind: str, record_id: str) -> int:
        return len(self.first.master_data.history(self.world.manager, kind, record_id))


@pytest.fixture(params=BACKENDS)
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desks]:
    with two_desks(request.param, tmp_path) as (first, second, world):
        yield Desks(first, second, world)


def test_a_registration_retried_with_its_key_returns_as_the_first_did(desks: Desks) -> None:
    world = desks.world
    renamed = attrs.evolve(world.cust_zh, name="张伟（新）")
    desks.first.register_customer(world.manager, renamed, idempotency_key="crm-42")
    entries = desks.history("customer", "cust-zh")

    # Each retry returns as the first call did (None), where it raised DuplicateError after 8 rounds.
    desks.first.register_customer(world.manager, renamed, idempotency_key="crm-42")
    desks.other.register_customer(world.manager, renamed, idempotency_key="crm-42")
    assert desks.history("customer", "cust-zh") == entries  # nothing written again

    with pytest.raises(IdempotencyKeyReused):
        desks.other.register_customer(world.manager, world.cust_zh, idempotency_key="crm-42")


def test_a_retry_after_a_later_change_does_not_write_the_old_record_back(desks: Desks) -> None:
    world = desks.world
    engineer = attrs.evolve(world.eng_junior, contact=Contact("李工", phone="13700000002"))
    desks.first.register_engineer(world.manager, engineer, idempotency_key="hr-7")
    later = attrs.evolve(engineer, skills=frozenset({"plumbing", "electrics"}))
    desks.other.register_engineer(world.manager, later)
    entries = desks.history("engineer", engineer.id)

    desks.other.register_engineer(world.manager, engineer, idempotency_key="hr-7")  # the lost answer
    with desks.first.store() as uow:
        assert uow.engineers.get(engineer.id) == later
    assert desks.history("engineer", engineer.id) == entries
