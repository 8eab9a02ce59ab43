# mypy: disable-error-code="arg-type"
"""Two desks on one store, one still on the old ``[callback]`` section after the other moved the store to a
new one (a pack swap in a rolling restart; seeds 000 服务结束后一定时间内回访, 003 二 5 24小时内回访).

Session 28 d put the callback policy's fingerprint in the store's stamp, and the sweep of a desk on a new
``[callback]`` re-plans the pending callbacks. But a desk left on the old section was not refused, as one on
an old calendar or ``[sla]`` is: it went on planning callbacks the new pack owes nobody, and no later sweep
re-planned them (the stamp already named the new policy). Now the same stamp read refuses it with a
``ConfigurationError`` naming ``callback``, nothing written; the desk on the store's policy writes as before.
Memory (one store object shared by two desks), SQLite (one file) and PostgreSQL (one database).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.errors import ConfigurationError
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.calendar_stamp import CalendarStamp
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _no_repair_callbacks(tmp_path: Path) -> str:
    path = tmp_path / "no_repair_callbacks.toml"
    path.write_text(
        '[pack]\nname = "no_repair_callbacks"\nextends = "office_equipment"\n\n'
        '[callback]\nnot_needed_for = ["repair"]\n',
        encoding="utf-8",
    )
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk(
        store, policies=resolve_policies(pack), clock=clock, calendar=open_calendar("china_mainland"),
        staff=STAFF,
    )  # fmt: skip


@contextlib.contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[tuple[StoreFactory, StoreFactory, StoreFactory]]:
    """Three handles on one store (one object for memory, three connections elsewhere)."""
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        if backend == "memory":
            yield first, first, first
        else:
            yield first, open_storage(url), open_storage(url)


def _working(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    return tid


def _pending(desk: ServiceDesk, w: World, tid: str) -> list[datetime]:
    return [t.due_at for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_desk_left_on_the_old_callback_section_plans_no_callback_by_it(
    backend: str, tmp_path: Path
) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with _stores(backend, tmp_path) as (first, second, third), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        tid = _working(old, w)
        accepted = _working(old, w)
        old.resolve(w.junior, accepted, summary="更换搓纸轮")
        old.confirm(w.junior, accepted, channel="service_slip")
        assert len(_pending(old, w, accepted)) == 1
        assert not old.run_due_jobs().failed  # the store stamped with the old pack's callback policy
        with _desk(second, _no_repair_callbacks(tmp_path), clock) as new:
            early = _working(new, w)  # opened on a policy the store is not on yet: it writes
            new.resolve(w.junior, early, summary="更换搓纸轮")
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            assert new.health().dues_stale is False
            before = new.ticket(w.manager, tid)

            # The old desk would plan the repair's callback the store's pack owes nobody: refused.
            with pytest.raises(ConfigurationError) as refused:
                old.resolve(w.junior, tid, summary="更换搓纸轮")
            assert refused.value.key == "callback"
            after = new.ticket(w.manager, tid)
            assert (after.version, after.state, after.callback_due_at) == (before.version, before.state, None)
            assert _pending(new, w, tid) == []
            # Nor a callback planned at its pack's date on a ticket the store's pack owes none.
            with pytest.raises(ConfigurationError) as refused:
                old.callbacks.schedule(w.agent, accepted)
            assert refused.value.key == "callback"
            assert (
                _pending(new, w, accepted) == [] and new.ticket(w.manager, accepted).callback_due_at is None
            )
            clock.advance(timedelta(minutes=6))
            assert "sla_sweep" in old.run_due_jobs().failed  # nor re-planned back by its sweep

            # The desk on the store's pack goes on writing: no callback owed on a repair.
            new.resolve(w.junior, tid, summary="更换搓纸轮")
            new.confirm(w.junior, tid, channel="service_slip")
            assert _pending(new, w, tid) == []
            assert new.ticket(w.manager, tid).callback_due_at is None

            # Restarted on the store's pack, the desk writes again.
            with _desk(third, _no_repair_callbacks(tmp_path), clock) as restarted:
                other = _working(restarted, w)
                restarted.resolve(w.junior, other, summary="更换搓纸轮")
                assert _pending(restarted, w, other) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stamp_without_a_callback_fingerprint_counts_as_the_desks_own(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with _stores(backend, tmp_path) as (first, second, _), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        tid = _working(old, w)
        assert not old.run_due_jobs().failed
        with first() as uow:  # a stamp of an older release: no callback fingerprint
            stamp = uow.documents.get(CalendarStamp, "calendar")
            uow.documents.save(attrs.evolve(stamp, callback=""))
            uow.commit()
        with _desk(second, _no_repair_callbacks(tmp_path), clock) as new:
            new.resolve(w.junior, tid, summary="更换搓纸轮")  # its own policy's: written
            assert _pending(new, w, tid) == []
