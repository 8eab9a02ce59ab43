# mypy: disable-error-code="arg-type"
"""A desk moving the store to another SLA policy racing a command on a desk left on the old one (s27 g).

Seed 003 二 3 (响应/解决时限); session 26's guard (``service/calendar_stamp``, ``key="sla"``): once another
desk moved the store to a new SLA policy (a pack swap, other ``[sla]`` figures, in a rolling restart), a
desk left on the old one writes no due time from it. The move recomputes the open tickets page by page
(``service/sla_cliff.recompute_dues``). Raced on one store (:func:`two_desk_races.race`), in both orders:
the old desk's command is refused, or it ran before the ticket's page and the page recomputed it — never
a ticket left with the old policy's due times under the new policy's stamp.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_sla_stamp_two_desks_s26f import _LONGER, _open
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import START, World, make_world, register, store_url

Pair = tuple[ServiceDesk, ServiceDesk, World, list[str]]


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The desk on the old policy (tickets triaged, the store stamped) and one opened on the new."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))
        old = stack.enter_context(_open(url, clock))
        register(old, world)
        tickets = []
        for n in range(3):
            tid = old.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description=f"复印机卡纸 {n}"
            ).ticket.id
            old.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
            tickets.append(tid)
        old.run_due_jobs()  # the store stamped with the old pack's SLA policy
        new = stack.enter_context(_open(url, clock, _LONGER))
        clock.advance(timedelta(minutes=6))
        yield old, new, world, tickets


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("which", [0, 2])
def test_a_move_to_a_new_sla_policy_and_an_old_desks_command_leave_no_ticket_on_the_old_policy(
    pair: Pair, swap: bool, which: int
) -> None:
    old, new, w, tickets = pair
    tid = tickets[which]  # on the first page of the move, or on its last

    def move(d: ServiceDesk) -> object:
        return d.recompute_provisional_dues(Actor.system(), page_size=1)

    def command(d: ServiceDesk) -> object:
        return d.note_to_customer(w.agent, tid, text="客户来电催促", visible=False)

    told = race(new, old, move, command) if not swap else race(old, new, command, move)[::-1]
    assert told[0].error is None
    assert told[1].ok or isinstance(told[1].error, ConfigurationError), told[1].error
    _on_the_new_policy(new, w, tickets)


def _on_the_new_policy(new: ServiceDesk, w: World, tickets: list[str]) -> None:
    assert new.health().dues_stale is False
    for t in tickets:
        stored = new.ticket(w.manager, t)
        live = new.sla(w.manager, t)["resolution"].due_at
        assert stored.resolution_due_at == live, f"{t} keeps the old policy's due time under the new stamp"


@pytest.mark.parametrize("which", [0, 1, 2])
def test_an_old_desks_command_between_two_pages_of_the_move_is_refused_or_recomputed(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, which: int
) -> None:
    """The old desk's command, run between the move's first and second page (a ticket a page; the
    newest first), on the ticket of the first page (``which`` 2: committed already) or of a page still
    to come (0, 1). The first was written on the old policy under the old stamp, and the move's last
    write stamped the store with the new policy over it: the ticket kept the old policy's due time, the
    sweep and the ledger reading it. Now the store is stamped before the first page: it is refused."""
    old, new, w, tickets = pair
    write, told = new.runner.write, []

    def between_pages(actor: Any, command: str, *args: Any, **kwargs: Any) -> Any:
        result = write(actor, command, *args, **kwargs)
        if command == "recalculate_sla" and not told:  # the first page committed
            try:
                told.append(old.note_to_customer(w.agent, tickets[which], text="客户来电催促", visible=False))
            except ConfigurationError as refused:
                told.append(refused)
        return result

    monkeypatch.setattr(new.runner, "write", between_pages)
    new.recompute_provisional_dues(Actor.system(), page_size=1)
    monkeypatch.undo()
    assert len(told) == 1
    if which == 2:  # its due times would move back onto the old policy: refused, nothing written
        assert isinstance(told[0], ConfigurationError) and told[0].key == "sla"
    _on_the_new_policy(new, w, tickets)
