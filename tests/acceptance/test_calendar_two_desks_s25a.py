# mypy: disable-error-code="arg-type"
"""Two desks on one store, one still on the old working calendar after the other moved the store to a new
one (a rolling restart onto a newer holidays package, seed 003 二 3 响应/解决时限 in working time).

The store's calendar stamp (service/calendar_stamp) was read only by the ``sla_sweep`` job: the desk left
on the old calendar re-derived a ticket's due times back onto it at its next command, after the other
desk had recomputed them and stamped the new calendar, and its own sweep recomputed the whole store back
(back and forth). Now a desk whose store moved to another calendar since it opened writes no due time on
its own: the command (or the sweep's recomputation) is refused with a ConfigurationError naming
``calendar`` and nothing is written; the desk opened on the new calendar writes as before, also before
its sweep has moved the store. On one SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

HOURS = [(time(9), time(12)), (time(13), time(18))]


def _calendar(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), HOURS),
        holidays,
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="company calendar",
    )


def _open(url: str, clock: ManualClock, calendar: BusinessCalendar) -> ServiceDesk:
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=calendar)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_left_on_the_old_calendar_writes_no_due_on_it(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock, _calendar()) as old:
        register(old, world)
        tid = old.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        old.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        old.run_due_jobs()  # the store stamped with the old calendar
        stored = old.ticket(world.manager, tid).resolution_due_at
        assert stored is not None
        day_off = stored.date() - timedelta(days=1)
        with _open(url, clock, _calendar(day_off)) as new:
            # Opened on a calendar the store is not on yet: it writes (its sweep will move the store).
            other = new.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed
            moved = new.ticket(world.manager, tid)
            assert moved.resolution_due_at is not None and moved.resolution_due_at > stored
            assert new.health().dues_stale is False

            # The old desk, still running: a command that would write its calendar's dues is refused.
            before = new.ticket(world.manager, tid)
            with pytest.raises(ConfigurationError) as refused:
                old.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
            assert refused.value.key == "calendar"
            assert "company calendar" in str(refused.value)
            after = new.ticket(world.manager, tid)
            assert (after.version, after.resolution_due_at) == (before.version, moved.resolution_due_at)
            # Its sweep does not recompute the store back onto the old calendar.
            clock.advance(timedelta(minutes=6))
            report = old.run_due_jobs()
            assert "sla_sweep" in report.failed
            assert new.ticket(world.manager, tid).resolution_due_at == moved.resolution_due_at
            assert new.health().dues_stale is False
            # The new desk goes on writing.
            new.note_to_customer(world.agent, other, text="已联系", visible=False)

        # Restarted on the store's calendar, the desk writes again.
        with _open(url, clock, _calendar(day_off)) as restarted:
            restarted.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
            assert restarted.ticket(world.manager, tid).resolution_due_at == moved.resolution_due_at
