# mypy: disable-error-code="arg-type"
"""A reopen, the SLA sweep and the SLA-alert purge at the same instant, on three desks of one store.

The sweep announces each breach once, remembered by an :class:`~aftersales.service.sla_watch.SlaAlert`;
the retention purge (:mod:`aftersales.service.mark_retention`) drops the alerts of closed tickets, and a
reopen starts every clock again, announced under the new clock's keys. Raced (every transaction reads
and writes before any commits, :func:`two_desk_races.race_all`), the purge may read the ticket closed
while the reopen commits, and the sweep may read either: whatever the order, nothing raises, an open
ticket's alerts stay, and every breach (seed 003 二 3: 超时 escalated once, not again on every sweep) is
announced exactly once — the open ones at once, the reopened ticket's new clock once it runs out.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from two_desk_races import race_all

from aftersales.adapters.clock import ManualClock
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import STAFF, START, World, make_world, register, store_url

SYSTEM = Actor.system()
DAY = timedelta(days=1)

Desks = tuple[ServiceDesk, ServiceDesk, ServiceDesk, ManualClock, World]


@pytest.fixture(params=["sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desks]:
    """Three desks of the office-equipment pack on one fresh store (three processes of a host)."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF)
            )

        first = open_desk()
        register(first, world)
        yield first, open_desk(), open_desk(), clock, world


def _worked(desk: ServiceDesk, world: World, text: str) -> str:
    """A VIP's urgent call, answered and in progress."""
    tid = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description=text, urgent=True).ticket.id
    desk.contact_customer(world.agent, tid, note="Engineer on the way")
    desk.triage(world.agent, tid, nature="paper_path", severity="medium")
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    return tid


def _close(desk: ServiceDesk, world: World, tid: str) -> None:
    desk.resolve(world.senior, tid, summary="Feed roller replaced")
    desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
    desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5, attitude=5)
    assert desk.close(world.agent, tid).ticket.state == "closed"


def _alerts(desk: ServiceDesk, tid: str) -> set[str]:
    with desk.store() as uow:
        return {a.id for a in uow.documents.query(SlaAlert, ticket_id=tid)}


@pytest.mark.parametrize("round", range(3))
def test_a_reopen_a_sweep_and_the_alert_purge_at_once_announce_each_breach_once(
    desks: Desks, round: int
) -> None:
    first, second, third, clock, world = desks
    reopened = _worked(first, world, "Printer jammed on floor 3")
    still_open = _worked(first, world, "Copier down")
    clock.advance(DAY + timedelta(hours=3))  # Tuesday 12:00: both past their resolution due
    before = first.sla_watch.sweep(SYSTEM).breaches
    assert {f"{reopened}:resolution", f"{still_open}:resolution"} <= set(before)
    _close(first, world, reopened)
    kept = _alerts(first, still_open)
    clock.advance(DAY)  # Wednesday 12:00
    fresh = _worked(first, world, "Fax out of toner")
    clock.advance(2 * DAY)  # Friday 12:00: the fresh call's due passed unswept; Tuesday's alerts are old
    outcomes = race_all(
        [
            (first, lambda d: d.reopen(world.manager, reopened, reason="Jammed again")),
            (second, lambda d: d.sla_watch.sweep(SYSTEM)),
            (third, lambda d: d.jobs.marks.purge_sla_alerts(world.manager)),
        ]
    )
    assert [o.error for o in outcomes] == [None, None, None]
    assert first.ticket(world.manager, reopened).state == "rework"
    # The purge read the ticket closed (its alert dropped) or reopened (kept): never half of each.
    dropped = outcomes[2].value.dropped
    assert (dropped, _alerts(first, reopened)) in ((1, set()), (0, {f"{reopened}:resolution:sla_breach"}))
    announced = Counter(outcomes[1].value.breaches)
    for desk in (first, second, third):  # swept again at the same instant, by each desk: nothing new
        announced.update(desk.sla_watch.sweep(SYSTEM).breaches)
        announced.update(desk.sla_watch.sweep(SYSTEM, full=True).breaches)
    assert announced == Counter({f"{fresh}:resolution": 1})
    assert _alerts(first, still_open) == kept  # open: the sweep still reads them
    clock.advance(30 * DAY)  # the reopened ticket's new clock runs out: announced once, under its keys
    for desk in (first, second, third):
        announced.update(desk.sla_watch.sweep(SYSTEM).breaches)
        announced.update(desk.sla_watch.sweep(SYSTEM, full=True).breaches)
    assert announced[f"{reopened}:resolution"] == 1
    assert set(announced.values()) == {1}
    assert not {f"{still_open}:resolution", f"{still_open}:response"} & set(announced)
