# mypy: disable-error-code="arg-type"
"""Words too long for the ticket's record are refused naming the argument the caller gave (session 28 j).

The desk's argument check takes free text up to 10,000 characters; the ticket's event keeps at most 2,000
of a step's words (its ``reason``). A contact's ``note`` (seed 001 五(三)3 沟通内容, also with session 28's
``contact_customer(at=)``), a resolution's ``summary``, a confirmation's ``note`` and a failed callback
attempt's ``note`` of 2,001-10,000 characters were refused as ``reason`` — an argument none of these
commands has, so a host could not tell the agent which words to shorten. Now the refusal names the argument
(``note``, ``summary``); nothing is written. Memory, SQLite, PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SAID = "客户说复印机又卡纸了。" * 200  # 2,200 characters: within the argument check, past the record's 2,000


def _refused_naming(
    desk: ServiceDesk, reader: object, tid: str, field: str, call: Callable[[], object]
) -> None:
    before = desk.ticket(reader, tid)
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.field == field
    after = desk.ticket(reader, tid)
    assert (after.version, len(after.events)) == (before.version, len(before.events))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_steps_words_name_the_argument(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI))
        earlier = datetime(2026, 3, 2, 9, 10, tzinfo=SHANGHAI)
        _refused_naming(desk, w.auditor, tid, "note", lambda: desk.contact_customer(w.agent, tid, note=SAID))
        _refused_naming(
            desk, w.auditor, tid, "note", lambda: desk.contact_customer(w.agent, tid, note=SAID, at=earlier)
        )
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        _refused_naming(desk, w.auditor, tid, "summary", lambda: desk.resolve(w.junior, tid, summary=SAID))
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        _refused_naming(
            desk,
            w.auditor,
            tid,
            "note",
            lambda: desk.confirm(w.junior, tid, channel="service_slip", note=SAID),
        )
        desk.confirm(w.junior, tid, channel="service_slip")
        clock.advance(timedelta(hours=1))
        _refused_naming(
            desk, w.auditor, tid, "note", lambda: desk.record_callback_attempt(w.agent, tid, note=SAID)
        )
        # At the record's limit the words are kept whole.
        desk.record_callback_attempt(w.agent, tid, note=SAID[:2000])
        assert desk.ticket(w.auditor, tid).events[-1].reason == SAID[:2000]
