"""The complaint a callback opens is found by the words its readers read (session 31 k).

Seed 004 第七条 3-4: a low score or a grievance at the callback opens a complaint the desk describes.
Since session 31 f that description is stored as codes and worded in each reader's locale; the search
index took the stored (coded) form, so "满意度" or "satisfaction" no longer found the complaint. The
index now holds the description worded in every shipped locale (one index serves readers of every
locale), and what is stored is unchanged. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Severity
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
def test_the_callback_complaint_is_found_by_the_words_each_reader_reads(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):  # a zh_Hans desk
        tid = _accepted(desk, world, "复印机卡纸")
        clock.advance(timedelta(hours=2))
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=1, answers={"polite": False})
        (record,) = desk.callbacks.records(world.manager, tid)
        complaint = record.complaint_id
        assert complaint is not None
        with desk.runner.context.store() as uow:
            assert uow.tickets.get(complaint).description.startswith("callback_complaint:")  # kept coded
        for locale, query in (
            ("zh_Hans", "满意度"),
            ("zh_Hans", "态度不好"),
            ("zh_Hant", "滿意度"),
            ("en", "satisfaction"),
            ("en", "not polite"),
            ("en", "满意度"),  # the index is shared: a reader finds a word another locale reads
        ):
            reader = attrs.evolve(world.manager, locale=locale)
            found = [v.id for v in desk.search(reader, query).items]
            assert complaint in found, (locale, query)
            assert tid not in found  # the ticket called back says none of it
        # The codes are not searchable words: nobody reads them.
        assert complaint not in [v.id for v in desk.search(world.manager, "grievances").items]
        # A rebuilt index holds the same words.
        desk.finder.rebuild(desk.runner, world.manager)
        assert complaint in [v.id for v in desk.search(world.manager, "满意度").items]


def test_a_description_not_coded_is_indexed_as_stored() -> None:
    from aftersales.i18n.callback_complaint_words import searchable_description

    assert searchable_description("复印机卡纸") == "复印机卡纸"
    odd = "callback_complaint:not json"
    assert searchable_description(odd) == odd  # shown as stored, so searched as stored
