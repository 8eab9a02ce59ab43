# mypy: disable-error-code="arg-type"
"""A contact entered after a reopen but made in the cycle the reopen closed is refused, naming ``at``.

Seed 003 二 3 (Y个工作小时内响应: 与客户取得联系) judges the first cycle's response; seed 001 五(三)3 keeps a
contact's time (沟通时间). A reopen closes its cycle and keeps it as the SLA judged it (its due times and
result, in the reopen), and a reopened cycle has no response target. ``contact_customer(at=)`` with ``at``
before the reopen was accepted and counted nowhere: not in the kept cycle (``desk.sla()`` before the
reopen, the KPI and the breach report read the events before it), nor in the current one. It is refused now
with a ``ValidationError`` naming ``at`` and nothing is written; a contact made since the reopen is still
recorded when it was made. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.errors import ValidationError
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_contact_made_before_the_reopen_is_refused_after_it(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        clock.set(_at(10))
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        desk.confirm(w.junior, tid, channel="service_slip")
        clock.set(_at(11))
        desk.reopen(w.agent, tid, reason="客户来电：又卡纸")
        clock.set(_at(12))
        before = desk.ticket(w.auditor, tid)
        with pytest.raises(ValidationError) as refused:
            desk.contact_customer(w.junior, tid, note="上午九点半已电话联系客户", at=_at(9, 30))
        assert refused.value.field == "at"
        after = desk.ticket(w.auditor, tid)
        assert (after.version, len(after.events)) == (before.version, len(before.events))
        # A call made since the reopen is recorded when it was made.
        desk.contact_customer(w.junior, tid, note="已联系客户，今日再上门", at=_at(11, 30))
        contacts = [e for e in desk.ticket(w.auditor, tid).events if e.action == "contact_customer"]
        assert [e.payload.get("contacted_at") for e in contacts] == [_at(11, 30).isoformat()]
