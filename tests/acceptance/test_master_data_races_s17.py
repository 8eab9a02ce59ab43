# mypy: disable-error-code="arg-type"
"""Two desks on one store change the same master-data record at once: the changes queue, none is lost.

A master-data command reads the stored record, checks the actor's scope against it, writes the record
and its audit entry (:class:`~aftersales.service.master_data.MasterDataChange`, before and after). On
PostgreSQL (READ COMMITTED) the read took no lock: a second desk's command that read the record before
the first committed wrote over it from that stale read. A unit transferred to a new owner while its
warranty start was corrected went back to its old owner, and the audit said the correction found the
old owner; a customer the manager moved to another dealer was written back to the first dealer by that
dealer's staff, whose scope was checked against the record as it was before the move (seed 002: 乙方负责
所售产品的全过程服务 — a dealer keeps to its own customers). SQLite (``BEGIN IMMEDIATE``) and the memory
store (units of work take turns) already queued the second command behind the first.

Each test runs the second command from another thread while the first is inside its transaction (past
its read and its write, before its audit entry), waits until that command finished or is held back,
then lets the first commit. Whatever the order, the outcome must be one that the two commands run one
after the other give, and every audit entry's "before" must be the record the entry before it left.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import aftersales.service.master_data as master_data
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer
from aftersales.errors import AftersalesError
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

BACKENDS = ["memory", "sqlite", "postgres"]
HELD_BACK = 0.5
"""Seconds the first command waits for the second before it goes on (the second is then queued)."""


@attrs.define
class Pair:
    """The first desk and the second (the same desk on the memory store: a store private to a process,
    shared by the threads of one host)."""

    first: ServiceDesk
    second: ServiceDesk
    world: World


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    with two_desks(request.param, tmp_path) as (first, second, world):
        yield Pair(first, second, world)


def _during(
    monkeypatch: pytest.MonkeyPatch, command: str, second: Callable[[], object]
) -> Callable[[], list[BaseException]]:
    """Run ``second`` from another thread once the first ``command`` has read and written its record
    (at its audit entry); returns a function that joins it and gives what it raised."""
    original = master_data.record_change
    raised: list[BaseException] = []
    threads: list[threading.Thread] = []

    def run_second() -> None:
        try:
            second()
        except AftersalesError as error:
            raised.append(error)

    def record_change(uow: Any, actor: Any, name: str, *args: Any, **kwargs: Any) -> None:
        if name == command and not threads:
            thread = threading.Thread(target=run_second)
            threads.append(thread)
            thread.start()
            thread.join(HELD_BACK)  # finished, or held back until this command commits
        original(uow, actor, name, *args, **kwargs)

    monkeypatch.setattr(master_data, "record_change", record_change)

    def joined() -> list[BaseException]:
        monkeypatch.setattr(master_data, "record_change", original)
        assert threads, f"{command} never reached its audit entry"
        threads[0].join()
        return raised

    return joined


def _chained(desk: ServiceDesk, world: World, kind: str, record_id: str) -> list[dict[str, Any]]:
    """The record's audit entries, checked to follow one another: each found what the one before left."""
    changes = desk.master_data.history(world.manager, kind, record_id)
    for earlier, later in itertools.pairwise(changes):
        assert later.before == earlier.after, f"{later.command} read a record {earlier.command} had replaced"
    return [change.after for change in changes]


def test_a_unit_transferred_while_its_warranty_start_is_corrected_keeps_both(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = pair.world
    manager = world.manager
    pair.first.register_customer(
        manager, Customer(CustomerId("cust-2"), "李四", Contact("李四", phone="13911112222"), region="SH")
    )
    joined = _during(
        monkeypatch,
        "transfer_asset",
        lambda: pair.second.master_data.change_warranty_start(
            manager, "asset-1", reason="发票日期更正", purchase_date=date(2025, 8, 20)
        ),
    )
    pair.first.master_data.transfer_asset(manager, "asset-1", customer_id="cust-2", reason="二手转让")
    assert joined() == []

    with pair.first.store() as uow:
        unit = uow.assets.get("asset-1")
    assert (unit.customer_id, unit.purchase_date) == ("cust-2", date(2025, 8, 20))
    assert len(_chained(pair.first, world, "asset", "asset-1")) == 3


def test_a_customer_the_manager_moves_to_another_dealer_is_not_written_back_by_the_first_dealer(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = pair.world
    moved = attrs.evolve(world.cust_zh, region="BJ", dealer_id=DealerId("dealer-bj"))
    edited = attrs.evolve(world.cust_zh, contact=attrs.evolve(world.cust_zh.contact, phone="13900001111"))
    joined = _during(
        monkeypatch,
        "register_customer",
        lambda: pair.second.register_customer(world.dealer_sh_staff, edited),
    )
    pair.first.register_customer(world.manager, moved)
    refused = joined()

    # One after the other: the dealer's edit of a customer no longer its own is refused; the move stays.
    assert len(refused) == 1  # a typed refusal (which one is the dealer scope's rule), nothing written
    with pair.first.store() as uow:
        assert uow.customers.get("cust-zh") == moved
    assert _chained(pair.first, world, "customer", "cust-zh")[-1]["dealer_id"] == "dealer-bj"


def test_a_phone_number_registered_while_the_customer_is_erased_is_erased_too(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PIPL erasure (seed 000 客户信息: the customer's record) read the customer without a lock: the
    erasure blanked the audit entries it saw, while a registration it had not waited for committed one
    quoting the new number, which outlived the erasure."""
    world = pair.world
    number = "13900007777"
    edited = attrs.evolve(world.cust_zh, contact=attrs.evolve(world.cust_zh.contact, phone=number))
    joined = _during(
        monkeypatch,
        "register_customer",
        lambda: pair.second.privacy.erase_customer(world.manager, "cust-zh", "客户要求删除个人信息"),
    )
    pair.first.register_customer(world.manager, edited)
    assert joined() == []

    with pair.first.store() as uow:
        assert number not in repr(uow.customers.get("cust-zh"))
    changes = pair.first.master_data.history(world.manager, "customer", "cust-zh")
    assert changes and not [c.id for c in changes if number in repr((c.before, c.after))]
