"""The complaint a callback opens is described in each reader's locale (session 31 f).

Seed 004 第七条 3-4: a low score or a grievance at the callback opens a complaint, which the desk
describes when the customer said nothing of their own. Session 30 wrote that sentence once, in the desk's
locale: an English-reading manager of a Chinese desk read Chinese, and the English ledger export showed
it too. The description is now kept as its codes and figures and worded where it is read — a ticket view
in the actor's locale, the ledger export in the report's; a description stored before (or typed by a
person) reads as stored. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Severity
from aftersales.i18n.catalog import catalog_for
from aftersales.reports.ledger_export import export_ledger
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _accepted(desk: ServiceDesk, world: World, text: str) -> str:
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
    desk.triage(world.agent, tid, nature="paper_jam", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.add_fault_record(world.junior, tid, symptom="paper_jam", cause="worn_roller", action="replace")
    desk.resolve(world.junior, tid, summary="换了搓纸轮")
    desk.confirm(world.agent, tid, channel="phone")
    return str(tid)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_reader_reads_the_callback_complaint_in_their_own_locale(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):  # a zh_Hans desk
        tid = _accepted(desk, world, "复印机卡纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=1, answers={"polite": False})
        (record,) = desk.callbacks.records(world.manager, tid)
        complaint = record.complaint_id
        assert complaint is not None
        said = {
            locale: desk.ticket(attrs.evolve(world.manager, locale=locale), complaint).description
            for locale in ("zh_Hans", "zh_Hant", "en")
        }
        assert said == {
            "zh_Hans": f"{tid} 回访时客户不满意：服务人员态度不好；满意度 1/5",
            "zh_Hant": f"{tid} 回訪時客戶不滿意：服務人員態度不好；滿意度 1/5",
            "en": f"grievance: the repairer was not polite; satisfaction 1/5 at the callback of {tid}",
        }
        english = attrs.evolve(world.manager, locale="en")
        (listed,) = [t for t in desk.ledger(english).items if t.id == complaint]
        assert listed.description == said["en"]
        out = io.BytesIO()
        export_ledger(desk, world.manager, out, format="csv", locale="en")
        rows = {r["Ticket"]: r for r in csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")))}
        assert rows[complaint]["Description"] == said["en"]
        assert rows[tid]["Description"] == "复印机卡纸"  # typed words stay as typed


def test_a_description_stored_before_or_typed_reads_as_stored() -> None:
    from aftersales.i18n.callback_complaint_words import worded_description  # session 31's module

    english = catalog_for("en")
    old = "SR-2026-000001 回访时客户不满意：满意度 1/5"  # session 30 wrote the desk's words
    assert worded_description(english, old) == old
    for odd in (
        'callback_complaint:{"ticket_id":"T1"}',
        "callback_complaint:not json",
        "callback_complaint:[]",
    ):
        assert worded_description(english, odd) == odd  # not read back: shown, never dropped
    unknown = (
        'callback_complaint:{"ticket_id":"T1","grievances":["nope"],"score":1,"attitude":null,"judged":1}'
    )
    assert worded_description(english, unknown) == unknown
