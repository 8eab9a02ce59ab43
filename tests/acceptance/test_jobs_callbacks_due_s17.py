# mypy: disable-error-code="arg-type"
"""The callbacks-due job tells the agents of every callback to make, however many wait unmade.

Seed 003: 24小时内回访; seed 004: 七天内 — the notice asks for the call by its deadline. The job read the
pending callbacks that were due, soonest deadline first, took the first ``limit`` of them and skipped
those already announced. A callback stays pending until the call is made, so once ``limit`` announced
callbacks waited unmade (a busy week at a call centre: 500 by default), every run took the same
announced ones and a new callback, due later, was never announced. The limit now bounds the
callbacks announced per run, not the ones looked at; a second run announces nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fuzz_world import _repair

from aftersales.service.actors import Actor
from aftersales.service.jobs import JobSettings
from conftest import noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
JUNIOR = Actor.engineer("eng-jr", team="team-east")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_callback_is_announced_while_older_ones_wait_unmade(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world, notifier):
        desk.jobs.configure(JobSettings(limit=2))

        def resolved_with_callback() -> str:
            ticket_id = _repair(desk, clock, "cust-zh", None, engineer_id="eng-jr")
            desk.resolve(JUNIOR, ticket_id, summary="更换进水阀")
            desk.confirm(world.customer_zh, ticket_id, note="已确认")
            desk.schedule_callback(world.agent, ticket_id)
            return ticket_id

        first = [resolved_with_callback() for _ in range(2)]
        clock.advance(timedelta(minutes=5))
        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 2
        later = resolved_with_callback()  # the two announced callbacks are not made yet
        clock.advance(timedelta(minutes=5))
        desk.deliver(limit=500)
        notifier.clear()

        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 1
        desk.deliver(limit=500)
        told = [m for m in notifier.sent if later in m.body]
        assert told and not [m for m in notifier.sent if any(t in m.body for t in first)]
        assert desk.jobs.run_due(only=("callbacks_due",)).counts["callbacks_due"] == 0
