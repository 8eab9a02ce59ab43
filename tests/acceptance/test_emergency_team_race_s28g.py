# mypy: disable-error-code="arg-type"
"""Two desks: a critical call dispatched by hand to a team member while the emergency team is changed (s28 g).

Seed 003 二 3 (特急问题则启动应急小组): a critical call sent by hand to an engineer calls his emergency
team out (session 27 k); sent to one on no emergency team, the assignment records the override
``dispatch_outside_emergency_team``. The dispatch read the registered emergency teams twice — once to
judge the override, once to tell the team — and on PostgreSQL a team saved on another desk between the
two reads was half seen: the member just removed was dispatched with no override on record and no team
told; one just added, with the override recorded and the team told. The dispatch now reads the teams
once: the outcome is one of the two serial orders (the team told and no override, or the override and
nobody told). SQLite and memory take writers one at a time: the change waits for the dispatch.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import Team, TeamKind
from aftersales.service.desk import ServiceDesk
from aftersales.service.dispatching import Dispatching
from conftest import SHANGHAI, STAFF, START, World, make_world, register, store_url

LEAD = "wang.sr@venus.example"
Pair = tuple[ServiceDesk, ServiceDesk, World, MemoryNotifier]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the office-equipment pack on one store, one notifier (memory: one desk)."""
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, notifier=notifier)
            )

        first = open_desk()
        register(first, world)
        clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
        yield first, first if request.param == "memory" else open_desk(), world, notifier


def _team(w: World, with_junior: bool) -> Team:
    members = [w.eng_junior.id] if with_junior else []
    return Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, members)


@pytest.mark.parametrize("joining", [False, True])
def test_a_team_changed_between_the_dispatchs_reads_is_seen_whole(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, joining: bool
) -> None:
    """``joining``: the junior engineer is added to the team meanwhile, else removed from it."""
    first, second, w, notifier = pair
    first.teams.save_team(w.manager, _team(w, with_junior=not joining))
    tid = first.open_ticket(
        w.agent, customer_id=w.cust_en.id, description="All printers down", urgent=True
    ).ticket.id
    first.triage(w.agent, tid, nature="outage", severity=Severity.SEVERE)
    assert first.ticket(w.manager, tid).priority is Priority.CRITICAL
    changes: list[threading.Thread] = []
    judged = Dispatching._outside_emergency_team

    def judging(self: Dispatching, *args: Any) -> Any:
        found = judged(self, *args)
        if not changes:  # the team changes on the other desk now (it waits for a store's one writer)
            change = threading.Thread(target=lambda: second.teams.save_team(w.manager, _team(w, joining)))
            changes.append(change)
            change.start()
            change.join(timeout=3)
        return found

    monkeypatch.setattr(Dispatching, "_outside_emergency_team", judging)
    first.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    for change in changes:
        change.join()
    assert changes
    first.deliver()
    (assigned,) = [e for e in first.ticket(w.manager, tid).events if e.action == "assign"]
    override = "dispatch_outside_emergency_team" in str(assigned.payload)
    told = bool([m for m in notifier.to(LEAD) if tid in m.subject])
    assert override is not told, (override, told)  # as one serial order or the other, never half of each
