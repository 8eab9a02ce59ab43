# mypy: disable-error-code="arg-type"
"""Two desks on one store, one still on the old SLA policy after the other moved the store to a new one
(a pack swap, or other ``[sla]`` figures, in a rolling restart; seed 003 二 3 响应/解决时限).

Session 25's guard (service/calendar_stamp.check_calendar_current) compared the store's stamp with the
desk's calendar only: the stamp also keeps the SLA policy's fingerprint (policies/fingerprint.py), yet a
desk left on the old policy re-derived a ticket's due times back onto it at its next command, and its
sweep did not refuse either. Now the same stamp read refuses it with a ConfigurationError naming ``sla``
and nothing is written; the desk on the new policy writes as before. On one SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

_DAYS = {priority: days + 2 for priority, days in SlaParams().resolution_days.items()}
_LONGER = DefaultSla(attrs.evolve(SlaParams(), resolution_days=_DAYS, callback_from="work_done"))


def _open(url: str, clock: ManualClock, sla: DefaultSla | None = None) -> ServiceDesk:
    overrides = {"sla": sla} if sla is not None else None
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, overrides=overrides)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_left_on_the_old_sla_policy_writes_no_due_from_it(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock) as old:
        register(old, world)
        tid = old.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        old.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        old.run_due_jobs()  # the store stamped with the old pack's SLA policy
        stored = old.ticket(world.manager, tid).resolution_due_at
        assert stored is not None
        with _open(url, clock, _LONGER) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            moved = new.ticket(world.manager, tid)
            assert moved.resolution_due_at is not None and moved.resolution_due_at > stored
            assert new.health().dues_stale is False

            before = new.ticket(world.manager, tid)
            with pytest.raises(ConfigurationError) as refused:
                old.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
            assert refused.value.key == "sla"
            after = new.ticket(world.manager, tid)
            assert (after.version, after.resolution_due_at) == (before.version, moved.resolution_due_at)
            clock.advance(timedelta(minutes=6))
            assert "sla_sweep" in old.run_due_jobs().failed
            assert new.ticket(world.manager, tid).resolution_due_at == moved.resolution_due_at
            # The new desk goes on writing.
            new.note_to_customer(world.agent, tid, text="已联系", visible=False)

        # Restarted on the store's SLA policy, the desk writes again.
        with _open(url, clock, _LONGER) as restarted:
            restarted.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
            assert restarted.ticket(world.manager, tid).resolution_due_at == moved.resolution_due_at
