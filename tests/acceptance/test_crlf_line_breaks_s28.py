"""Multi-line words typed in a browser keep their line breaks (session 28).

A web form's ``<textarea>`` submits its line breaks as CR LF (the HTML form encoding), so a host passing a
customer's two-line description or an engineer's two-line summary straight from its form was refused:
``summary contains a line break: control characters other than newline and tab are refused``. A
multi-line field now reads CR LF as a newline and stores ``\\n``; a lone CR, and any line break in a
one-line field (a name: no header injection), are still refused, naming the field. Memory, SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.validation import check_text
from aftersales.errors import ValidationError
from conftest import SHANGHAI, world_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_forms_line_breaks_are_kept_as_newlines(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent,
            customer_id=w.cust_zh.id,
            description="复印机卡纸\r\n出纸口有异响",
            category=Category.REPAIR,
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换搓纸轮\r\n清洁定影器")
        ticket = desk.ticket(w.auditor, tid)
        assert ticket.description == "复印机卡纸\n出纸口有异响"
        with desk.store() as uow:  # the ledger's 处理结果
            assert uow.tickets.get(tid).outcome == "更换搓纸轮\n清洁定影器"
        version = ticket.version
        with pytest.raises(ValidationError) as refused:
            desk.resolve(w.junior, tid, summary="更换搓纸轮\r清洁定影器")  # a lone CR is no line break
        assert refused.value.field == "summary"
        assert desk.ticket(w.auditor, tid).version == version


def test_a_one_line_field_still_refuses_a_line_break() -> None:
    with pytest.raises(ValidationError) as refused:
        check_text("张三\r\nBcc: x@example.com", "name")
    assert refused.value.field == "name"
    assert check_text("第一行\r\n第二行\r\n", "note") == "第一行\n第二行\n"
