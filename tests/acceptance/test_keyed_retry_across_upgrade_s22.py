"""A request retried with its idempotency key after an upgrade replays, whichever release stored it.

Ticket commands printed their request from their ``locals()``: besides the arguments, whatever local the
body had assigned by then (``open_ticket``'s ``code``, since the complaint-category check). So the release
that added that local printed every intake differently, and an intake form retried with its key on a store
an older release wrote was refused as a different request (``IdempotencyKeyReused``). The print now
covers the parameters only; a record printed from all the locals (the releases up to session 21) still
replays; a different request under the same key is still refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.errors import IdempotencyKeyReused
from aftersales.serialization import encode_json
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.runner import fingerprint, idempotency_scope
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
KEY = "intake-form-7f3a"


def _intake(desk: ServiceDesk, agent: Actor, customer: str, description: str = "水箱漏水") -> str:
    return str(
        desk.open_ticket(agent, customer_id=customer, description=description, idempotency_key=KEY).ticket.id
    )


def _stored_by_an_earlier_release(desk: ServiceDesk, agent: Actor, customer: str, print_: str) -> str:
    """The intake of :func:`_intake` as an earlier release left it: the ticket, and the record of ``KEY``
    printed as that release printed the request (``print_``). Returns the ticket's id."""
    opened = desk.open_ticket(agent, customer_id=customer, description="水箱漏水")
    scoped = idempotency_scope(agent, "open_ticket", KEY)
    assert scoped is not None
    record = {
        "f": print_,
        "t": opened.ticket.id,
        "v": opened.ticket.version,
        "e": [e.seq for e in opened.events],
    }
    with desk.store() as uow:
        uow.idempotency.put(scoped, encode_json(record))
        uow.commit()
    return str(opened.ticket.id)


def _arguments(customer: str, *, with_locals: bool) -> dict[str, object]:
    """The request of :func:`_intake` as a release printed it: its parameters, and with ``with_locals``
    the local ``code`` the body had assigned (releases 4339b595 … session 21)."""
    arguments: dict[str, object] = {
        "customer_id": customer, "description": "水箱漏水", "category": Category.REPAIR,
        "channel": Channel.PHONE, "asset_id": None, "expected_by": None, "urgent": False, "received_at": None,
        "kind": TicketKind.SERVICE, "tags": (), "custom_fields": None, "priority": None,
    }  # fmt: skip
    if with_locals:
        arguments["code"] = Category.REPAIR.code
    return arguments


@pytest.mark.parametrize("with_locals", [False, True], ids=["parameters", "all locals"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_intake_retried_after_an_upgrade_replays(backend: str, tmp_path: Path, with_locals: bool) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        customer = str(world.cust_zh.id)
        print_ = fingerprint("open_ticket", _arguments(customer, with_locals=with_locals))
        first = _stored_by_an_earlier_release(desk, world.agent, customer, print_)
        again = desk.open_ticket(
            world.agent, customer_id=customer, description="水箱漏水", idempotency_key=KEY
        )
        assert again.replayed and str(again.ticket.id) == first
        assert desk.count(world.manager) == 1
        # another request under the same key is still refused, and opens nothing
        with pytest.raises(IdempotencyKeyReused):
            _intake(desk, world.agent, customer, description="座圈不加热")
        assert desk.count(world.manager) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_record_of_another_request_is_refused(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        customer = str(world.cust_zh.id)
        other = _arguments(str(world.cust_en.id), with_locals=True)
        _stored_by_an_earlier_release(desk, world.agent, customer, fingerprint("open_ticket", other))
        with pytest.raises(IdempotencyKeyReused):
            _intake(desk, world.agent, customer)
