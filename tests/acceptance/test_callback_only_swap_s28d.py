# mypy: disable-error-code="arg-type"
"""A pack swap of the ``[callback]`` section alone re-plans the pending callbacks, as one of ``[sla]`` does.

Seeds 000 (服务结束后一定时间内回访) and 003 二 5 (客服专员在24小时内对客户进行回访) owe a callback the pack
decides: ``[callback] required`` and ``not_needed_for`` say which tickets. The store's stamp kept the
fingerprints of the calendar and of the SLA policy only, so a host moving the store to a pack that calls
back on no repair left every pending repair callback listed, and later overdue, while ``desk.sla()`` had
dropped the target at once — for ever: ``health().dues_stale`` said ``False`` and no sweep recomputed
anything. Swapped back, the accepted repairs owed a callback nobody was given. The stamp keeps the callback
policy's fingerprint now: the ``sla_sweep`` job finds the due times stale and plans the callbacks again in
the recomputation's pages (a date a person gave stays). Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
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


def _accepted(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    desk.confirm(w.junior, tid, channel="service_slip")
    return tid


def _pending(desk: ServiceDesk, w: World, tid: str) -> list[datetime]:
    return [t.due_at for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_swap_of_the_callback_section_alone_replans_the_pending_callbacks(
    backend: str, tmp_path: Path
) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with _stores(backend, tmp_path) as (first, second, third), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        planned = _accepted(old, w)
        agreed = _accepted(old, w)
        old.callbacks.schedule(w.agent, agreed, due_at=_at(5, 10))  # the customer's day: a person's date
        assert _pending(old, w, planned) == [_at(3, 10)]
        assert not old.run_due_jobs().failed  # the store stamped with the old pack
        with _desk(second, _no_repair_callbacks(tmp_path), clock) as new:
            assert new.health().dues_stale is True  # the callbacks are the old pack's until the sweep
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed
            assert new.health().dues_stale is False
            # No callback owed on a repair any more: none listed, none due, no SLA target.
            assert _pending(new, w, planned) == []
            assert new.ticket(w.manager, planned).callback_due_at is None
            assert new.sla(w.manager, planned).get("callback") is None
            assert _pending(new, w, agreed) == [_at(5, 10)]  # a person's date stays
            fresh = _accepted(new, w)
            assert _pending(new, w, fresh) == []
            # a memory store is closed with its desk: the next desk opens while this one is open
            with _desk(third, "office_equipment", clock) as back:
                clock.advance(timedelta(minutes=6))
                assert not back.run_due_jobs().failed  # swapped back: owed again, and planned
                for tid in (planned, fresh):
                    due = back.sla(w.manager, tid)["callback"].due_at
                    assert due is not None and _pending(back, w, tid) == [due]
                    assert back.ticket(w.manager, tid).callback_due_at == due
