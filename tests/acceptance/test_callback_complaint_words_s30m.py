"""The complaint a callback opens describes itself in the desk's words (session 30).

Seed 004 第七条 3-4: a low score or a grievance at the callback opens a complaint. With no words of the
customer's own, the desk wrote an English sentence ("grievance polite; satisfaction 5/5 at the callback of
SR-…") into the complaint, and a Chinese desk's ledger showed it in English. Now it is worded from the
catalog in the desk's locale (``maintenance.locale``), as the desk's other self-opened records are; the
grievances are named in words, not codes. Memory, SQLite and PostgreSQL alike. Since session 31 the
words are the reader's locale's (test_callback_complaint_reader_words_s31f): these read in the locale
the desk is set to.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Severity
from aftersales.policies.maintenance import MaintenanceParams
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


def _opened(desk: ServiceDesk, world: World, tid: str, locale: str = "zh_Hans") -> str:
    """The description of the complaint the callback of ``tid`` opened, as a manager reading ``locale``
    reads it (session 31: worded in the reader's locale, not the desk's)."""
    reader = attrs.evolve(world.manager, locale=locale)
    (record,) = desk.callbacks.records(reader, tid)
    assert record.complaint_id is not None
    return desk.ticket(reader, record.complaint_id).description


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_zh_hant_desk_words_the_callback_complaint_in_zh_hant(backend: str, tmp_path: Path) -> None:
    overrides = {"maintenance": MaintenanceParams(locale="zh_Hant")}
    with world_desk(backend, tmp_path, overrides=overrides) as (desk, clock, world):
        rude = _accepted(desk, world, "复印机卡纸")
        low = _accepted(desk, world, "不出纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, rude, problem_back=False, satisfaction=5, answers={"polite": False})
        desk.record_callback(world.agent, low, problem_back=False, satisfaction=5, attitude=2)
        said = _opened(desk, world, rude, "zh_Hant")
        assert said == f"{rude} 回訪時客戶不滿意：服務人員態度不好；滿意度 5/5"
        assert _opened(desk, world, low, "zh_Hant") == f"{low} 回訪時客戶不滿意：服務態度 2/5（滿意度 5/5）"
        assert "callback" not in said and "grievance" not in said


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_the_words_follow_the_desks_locale(locale: str, tmp_path: Path) -> None:
    overrides = {"maintenance": MaintenanceParams(locale=locale)}
    with world_desk("memory", tmp_path, overrides=overrides) as (desk, clock, world):
        tid = _accepted(desk, world, "复印机卡纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=1, answers={"polite": False})
        expected = {
            "zh_Hans": f"{tid} 回访时客户不满意：服务人员态度不好；满意度 1/5",
            "en": f"grievance: the repairer was not polite; satisfaction 1/5 at the callback of {tid}",
        }
        assert _opened(desk, world, tid, locale) == expected[locale]
