"""Session 31 m: this morning's surfaces attacked with wrong actors, wrong order and repeats.

Each test here failed on the library as it was merged and passes with its fix. On memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from test_seed002_readings_s24 import SH, _call, host

from aftersales.adapters.clock import ManualClock
from aftersales.domain.technical_support import SupportState
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]

Host = tuple[ServiceDesk, ManualClock, World]


def test_an_engineer_who_left_neither_answers_nor_reads_the_makers_technical_support(host: Host) -> None:
    # Seed 002 分工 2, 5 (甲方免费向乙方提供技术支持服务): the maker's own staff answer. An engineer whose
    # departure is recorded is not the maker's staff any more; once erased, an answer signed by them
    # would put a new record under their id.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    support = desk.dealer_support
    asked = support.ask(
        world.dealer_sh_staff, _call(desk, world), topic="flush_valve_fitting", question="怎么调？"
    )
    desk.staff_records.record_departure(world.manager, world.junior.id, date(2026, 3, 2), reason="合同到期")
    for attempt in (
        lambda: support.answer(world.junior, asked.id, answer="调浮球", medium="phone"),
        lambda: support.requests(world.junior),
    ):
        with pytest.raises(PermissionDenied) as left:
            attempt()
        assert left.value.rule == "not_the_makers_staff"
    desk.master_data.deactivate_engineer(world.manager, world.junior.id, reason="离职")
    desk.staff_records.erase_staff(Actor.privacy_officer("dpo"), world.junior.id, "left the company")
    with pytest.raises(PermissionDenied) as erased:
        support.answer(world.junior, asked.id, answer="调浮球", medium="phone")
    assert erased.value.rule == "not_the_makers_staff"
    (still,) = support.requests(world.manager)
    assert (still.state, still.answer, still.answered_by) == (SupportState.ASKED, "", None)
    # A colleague still with the maker answers it.
    assert (
        support.answer(world.senior, asked.id, answer="调浮球", medium="phone").state is SupportState.ANSWERED
    )
