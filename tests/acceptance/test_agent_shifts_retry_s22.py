# mypy: disable-error-code="arg-type"
"""A plan of the agents' shifts retried with its idempotency key is answered once (session 22).

Every write of the command path takes an idempotency key, so that a host retrying after a timeout gets
the first answer and nothing is done twice (docs/concepts/service-layer.md). ``desk.agent_shifts.plan``
(session 20) took none (``ValidationError`` naming ``idempotency_key``): a host whose plan timed out could
only send it again, and a retry arriving after a head had corrected the window planned the old shifts
over the correction. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.agent_shifts import AgentShift
from aftersales.errors import IdempotencyKeyReused
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

H = timedelta(hours=1)
MONDAY = START.replace(hour=0)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path) as (opened, _clock, world):
        yield opened, world


def test_a_plan_retried_with_its_key_does_not_plan_over_a_correction(desk: tuple[ServiceDesk, World]) -> None:
    d, world = desk
    day = (MONDAY, MONDAY + 24 * H)
    first = [AgentShift("agent-1", MONDAY + 8 * H, MONDAY + 17 * H)]
    d.agent_shifts.plan(world.manager, *day, first, idempotency_key="roster-w10")
    corrected = [AgentShift("agent-2", MONDAY + 8 * H, MONDAY + 17 * H)]
    d.agent_shifts.plan(world.department_head, *day, corrected)  # agent-1 called in sick

    retried = d.agent_shifts.plan(world.manager, *day, first, idempotency_key="roster-w10")

    assert [s.agent_id for s in retried.shifts] == ["agent-2"]
    assert d.agent_shifts.on_duty(world.agent, MONDAY + 10 * H) == ("agent-2",)
    with pytest.raises(IdempotencyKeyReused):
        d.agent_shifts.plan(world.manager, *day, corrected, idempotency_key="roster-w10")
