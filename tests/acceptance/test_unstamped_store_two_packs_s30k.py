# mypy: disable-error-code="arg-type"
"""Two desks with different packs opening one store that was never stamped (new, or written by a release
before stamps), before any ``sla_sweep`` (session 30; seed 003 二 3 响应/解决时限, 二 5 回访).

The store was stamped only by the first sweep: until then every desk passed the guard
(service/calendar_stamp.check_calendar_current returned on "no stamp"), so both desks opened tickets with
due times from their own ``[sla]`` and no one was refused; the first sweep then stamped its own policy
over the other desk's due times without recomputing them (``dues_stale`` False for ever). Now the first
write of due times stamps the store with its desk's calendar and policies, and the other desk's writes
are refused with a ``ConfigurationError`` naming ``sla`` (nothing written), as on a moved store. One
SQLite file and PostgreSQL (a memory store has one desk).
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError, NotFound
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.service.calendar_stamp import CalendarStamp, sla_of
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

_DAYS = {priority: days + 2 for priority, days in SlaParams().resolution_days.items()}
_LONGER = DefaultSla(attrs.evolve(SlaParams(), resolution_days=_DAYS, callback_from="work_done"))


def _open(url: str, clock: ManualClock, sla: DefaultSla | None = None) -> ServiceDesk:
    overrides = {"sla": sla} if sla is not None else None
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, overrides=overrides)


def _stamp(desk: ServiceDesk) -> CalendarStamp | None:
    with desk.store() as uow:
        try:
            found: CalendarStamp = uow.documents.get(CalendarStamp, "calendar")
        except NotFound:
            return None
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_first_desk_to_write_dues_stamps_and_the_other_pack_is_refused(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        _open(url, clock) as first,
        _open(url, clock, _LONGER) as second,
    ):
        register(first, world)
        assert _stamp(first) is None  # never stamped, no sweep yet
        tid = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        first.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        stored = first.ticket(world.manager, tid)

        with pytest.raises(ConfigurationError) as refused:
            second.open_ticket(world.agent, customer_id=world.cust_zh.id, description="打印发白")
        assert refused.value.key == "sla"
        with pytest.raises(ConfigurationError) as refused:
            # its policy's due times differ from the stored ones: a write of due times
            second.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
        assert refused.value.key == "sla"
        after = first.ticket(world.manager, tid)
        assert (after.version, after.resolution_due_at) == (stored.version, stored.resolution_due_at)
        assert len(first.ledger(world.manager).items) == 1  # the refused opening stored nothing
        stamp = _stamp(first)  # the first desk's write stamped it with its calendar and policies
        assert stamp is not None and stamp.sla == sla_of(first.context.sla.policy) != sla_of(_LONGER)
        assert stamp.fingerprint == first.context.calendar.fingerprint

        assert not first.run_due_jobs().failed and first.health().dues_stale is False
        first.note_to_customer(world.agent, tid, text="已联系", visible=False)  # the stamping desk writes on
