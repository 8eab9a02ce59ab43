# mypy: disable-error-code="arg-type"
"""Who planned the front desk's shifts is recorded, as for the other reference data (session 22, task f).

Seed 003 (客服专员实行轮班制, 保证服务的连续性; 明确了各岗位职责与考核标准): the heads plan the agents' shifts
(the permission table's ``plan_agent_shifts``), and who is on duty is who the desk's alerts reach. Teams
and their on-call roster, repair points and the books' zone leave a ``MasterDataChange``; a plan of the
desk's roster left nothing: a head's correction of a week overwrote another's with no trace of who did it
or what was planned before. A plan now records its window before and after (record kind
``agent_shifts``, record ``desk``); a plan that changes nothing records nothing, and a retried key
records nothing again. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.agent_shifts import AgentShift
from aftersales.errors import PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

H = timedelta(hours=1)
MONDAY = START.replace(hour=0)
DAY = (MONDAY, MONDAY + 24 * H)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path) as (opened, _clock, world):
        yield opened, world


def _ids(shifts: object) -> list[str]:
    assert isinstance(shifts, list)
    return [s["agent_id"] for s in shifts]


def test_a_plan_of_the_desk_roster_is_audited(desk: tuple[ServiceDesk, World]) -> None:
    d, world = desk
    early = AgentShift("agent-1", MONDAY + 8 * H, MONDAY + 17 * H)
    late = AgentShift("agent-3", MONDAY + 17 * H, MONDAY + 23 * H)
    d.agent_shifts.plan(world.manager, *DAY, [late, early], idempotency_key="roster-mon")
    # The same plan again, in another order, or its key retried: nothing changes, nothing is recorded.
    d.agent_shifts.plan(world.manager, *DAY, [early, late])
    d.agent_shifts.plan(world.manager, *DAY, [late, early], idempotency_key="roster-mon")
    corrected = AgentShift("agent-2", MONDAY + 8 * H, MONDAY + 17 * H)
    d.agent_shifts.plan(world.department_head, *DAY, [corrected, late])  # agent-1 called in sick

    history = d.master_data_history(world.auditor, "agent_shifts", "desk")
    assert [(c.command, c.by) for c in history] == [
        ("plan_agent_shifts", world.manager.ref),
        ("plan_agent_shifts", world.department_head.ref),
    ]
    first, second = history
    assert first.before is not None and _ids(first.before["shifts"]) == []
    assert _ids(first.after["shifts"]) == ["agent-1", "agent-3"]
    assert _ids(second.before["shifts"]) == ["agent-1", "agent-3"]
    assert _ids(second.after["shifts"]) == ["agent-2", "agent-3"]
    assert second.changed == ("shifts",)
    assert second.after["start"] == second.before["start"]
    # Only the heads and auditors read the audit, as for the other reference data.
    with pytest.raises(PermissionDenied):
        d.master_data_history(world.agent, "agent_shifts", "desk")


def test_a_plan_outside_the_window_records_only_its_window(desk: tuple[ServiceDesk, World]) -> None:
    d, world = desk
    monday = AgentShift("agent-1", MONDAY + 8 * H, MONDAY + 17 * H)
    tuesday = AgentShift("agent-2", MONDAY + 32 * H, MONDAY + 41 * H)
    d.agent_shifts.plan(world.manager, *DAY, [monday])
    d.agent_shifts.plan(world.manager, MONDAY + 24 * H, MONDAY + 48 * H, [tuesday])
    latest = d.master_data_history(world.manager, "agent_shifts", "desk")[-1]
    assert latest.before is not None and _ids(latest.before["shifts"]) == []
    assert _ids(latest.after["shifts"]) == ["agent-2"]
