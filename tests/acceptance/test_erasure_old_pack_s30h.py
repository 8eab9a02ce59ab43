# mypy: disable-error-code="arg-type"
"""A customer's erasure on a desk still on an older pack after another desk moved the store to a new one.

PIPL art. 47: the person's data is deleted when they ask. Session 28 refused every step a desk on an old
``[callback]`` section took that changes a ticket's state (its callback policy might decide on it), and the
erasure's own steps went through the same guard: cancelling the person's open tickets, closing the resolved
one unaccepted or the accepted one whose callback nobody may make was refused with a ``ConfigurationError``
naming ``callback`` — the erasure refused until every desk ran the new pack. Those steps owe no callback
whatever either pack says (nobody may call the person), so the store's callback policy is not asked for.
Memory, SQLite and PostgreSQL, one store shared by the two desks.
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
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _new_pack(tmp_path: Path) -> str:
    path = tmp_path / "new_pack.toml"
    path.write_text(
        '[pack]\nname = "new_pack"\nextends = "office_equipment"\n\n'
        '[callback]\nnot_needed_for = ["repair"]\n\n[sla]\ncallback_hours = 48\n',
        encoding="utf-8",
    )
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk(
        store, policies=resolve_policies(pack), clock=clock, calendar=open_calendar("china_mainland"),
        staff=STAFF,
    )  # fmt: skip


@contextlib.contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[tuple[StoreFactory, StoreFactory]]:
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        yield (first, first) if backend == "memory" else (first, open_storage(url))


def _working(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_erasure_on_a_desk_left_on_the_old_pack_cancels_and_closes(backend: str, tmp_path: Path) -> None:
    clock, w = ManualClock(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)), make_world()
    with _stores(backend, tmp_path) as (first, second), _desk(first, "office_equipment", clock) as old:
        register(old, w)
        working = _working(old, w)
        resolved = _working(old, w)
        old.resolve(w.junior, resolved, summary="更换搓纸轮")
        accepted = _working(old, w)
        old.resolve(w.junior, accepted, summary="更换搓纸轮")
        old.confirm(w.junior, accepted, channel="service_slip")
        assert not old.run_due_jobs().failed  # stamped with the old pack
        with _desk(second, _new_pack(tmp_path), clock) as new:
            clock.advance(timedelta(minutes=6))
            assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
            record = old.privacy.erase_customer(
                Actor.privacy_officer("dpo"), w.cust_zh.id, "the customer asked", cancel_open_tickets=True
            )
            assert (record.cancelled, record.closed) == (1, 2)
            states = [new.ticket(w.manager, t).state for t in (working, resolved, accepted)]
            assert states == ["cancelled", "closed", "closed"]
            assert "复印机卡纸" not in new.privacy.export_customer(w.manager, w.cust_zh.id)
            assert new.callbacks.pending(w.agent) == []
