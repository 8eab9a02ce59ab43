# mypy: disable-error-code="arg-type"
"""A pack swap of the callback's start: the pending callbacks follow the new pack with the due times.

Seed 003 二 5 (工程师将处理结果录入系统,客服专员在24小时内对客户进行回访) is the office_equipment reading:
``[callback] service_from = "work_done"`` (with ``[sla] callback_from``). A host moving the store to a pack
counting from the acceptance left the callbacks planned at the entry where they were, while ``desk.sla()``
counted from the acceptance: a resolved ticket listed a callback the new pack plans only at the
acceptance, an accepted one was due a day before the SLA said. The swap changes the SLA policy's
fingerprint, so the ``sla_sweep`` job recomputes the store's due times (``desk.health().dues_stale`` until
it has); now it plans the pending callbacks the policy dated again with them (a date a person gave stays:
客户约定的回访时间). Memory, SQLite and PostgreSQL alike.
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


def _acceptance_pack(tmp_path: Path) -> str:
    path = tmp_path / "from_acceptance.toml"
    path.write_text(
        '[pack]\nname = "from_acceptance"\nextends = "office_equipment"\n\n'
        '[callback]\nservice_from = "acceptance"\n\n[sla]\ncallback_from = "acceptance"\n',
        encoding="utf-8",
    )
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk(
        store,
        policies=resolve_policies(pack),
        clock=clock,
        calendar=open_calendar("china_mainland"),
        staff=STAFF,
    )


@contextlib.contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[tuple[StoreFactory, StoreFactory]]:
    """Two store handles on one store (one object for memory, two connections elsewhere)."""
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        second = first if backend == "memory" else open_storage(url)
        yield first, second


def _resolved(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    return tid


def _pending(desk: ServiceDesk, w: World, tid: str) -> list[datetime]:
    return [t.due_at for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pending_callbacks_follow_a_swap_to_a_pack_counting_from_the_acceptance(
    backend: str, tmp_path: Path
) -> None:
    clock, w = ManualClock(_at(2, 10)), make_world()
    with _stores(backend, tmp_path) as (first, second), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        waiting = _resolved(old, w)
        accepted = _resolved(old, w)
        clock.set(_at(2, 12))
        old.confirm(w.junior, accepted, channel="service_slip")
        agreed = _resolved(old, w)  # the customer asked to be called on Thursday: a person's date
        old.confirm(w.junior, agreed, channel="service_slip")
        old.callbacks.schedule(w.agent, agreed, due_at=_at(5, 10))
        assert _pending(old, w, waiting) == [_at(3, 10)] and _pending(old, w, accepted) == [_at(3, 10)]
        assert not old.run_due_jobs().failed  # the store stamped with the old pack
        with _desk(second, _acceptance_pack(tmp_path), clock) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the sweep moves the store to the new pack
            assert new.health().dues_stale is False
            # Waiting for its acceptance: no callback yet, as the new pack plans it (and its SLA clock waits).
            assert _pending(new, w, waiting) == []
            assert new.ticket(w.manager, waiting).callback_due_at is None
            assert new.sla(w.manager, waiting)["callback"].due_at is None
            # Accepted: due 24 hours from the acceptance, in the task, the ticket and the SLA alike.
            assert _pending(new, w, accepted) == [_at(3, 12)]
            assert new.ticket(w.manager, accepted).callback_due_at == _at(3, 12)
            assert new.sla(w.manager, accepted)["callback"].due_at == _at(3, 12)
            assert _pending(new, w, agreed) == [_at(5, 10)]  # a person's date stays
            # The acceptance of the waiting one plans it from then.
            clock.set(_at(2, 14))
            new.confirm(w.junior, waiting, channel="service_slip")
            assert (
                _pending(new, w, waiting) == [_at(3, 14)] == [new.sla(w.manager, waiting)["callback"].due_at]
            )
