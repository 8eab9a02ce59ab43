# mypy: disable-error-code="arg-type"
"""This session's records of a person's service in their export and their erasure (PIPL arts. 45, 47).

A backdated contact (``contact_customer(at=)``, its note written from the call), a callback recorded
before the slip (seed 003 二 4-5, its comment), and the SLA alerts the sweep announced about the person's
ticket, one withdrawn by that contact (``desk.sla_alerts``). Audit (session 27): the export holds the
contact and the callback, the erasure leaves no name or number in them; the alerts hold ids, a target and
instants only (classified not exported in tests/integration/test_personal_data_completeness_s25d.py) and are
kept as they were. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.actors import Actor
from conftest import SHANGHAI, world_desk

DPO = Actor.privacy_officer("dpo-s27i")


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_sessions_records_are_exported_and_erased(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "office_equipment") as (desk, clock, w):
        name, phone = w.cust_zh.name, str(w.cust_zh.contact.phone)
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        clock.set(_at(17, 59))
        desk.sla_watch.sweep(Actor.system())
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note=f"上午已致电{name} {phone}", at=_at(9, 30))
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        clock.set(_at(18, 30))
        desk.callbacks.record(
            w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5,
            comment=f"{name}表示满意，回拨{phone}",
        )  # fmt: skip
        (alert,) = desk.sla_alerts(w.manager, ticket_id=tid).items
        assert alert.withdrawn_at == _at(18, 5)

        held = json.loads(desk.privacy.export_customer(w.manager, w.cust_zh.id))["data"]
        assert name not in repr(alert) and phone not in repr(alert)
        text = json.dumps(held, ensure_ascii=False)
        assert f"上午已致电{name} {phone}" in text and f"{name}表示满意" in text

        desk.privacy.erase_customer(DPO, w.cust_zh.id, "the customer asked")
        after = json.dumps(
            json.loads(desk.privacy.export_customer(w.manager, w.cust_zh.id))["data"], ensure_ascii=False
        )
        assert name not in after and phone not in after
        assert desk.sla_alerts(w.manager, ticket_id=tid).items == (alert,)  # no personal data: kept
        events = repr(desk.ticket(w.manager, tid).events)
        assert name not in events and phone not in events
