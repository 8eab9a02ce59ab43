"""Issue 21 / seed 002 退料 1: the overdue chargeback run reads arrivals only when a line is past due.

``desk.materials.run_overdue_chargebacks`` read the returns registered and accepted and the relays in
transit twice per run (the plan, then again after the tickets' locks): six indexed queries on every run,
though arrivals only take lines off what is past its deadline (若在规定时间内未退料…需收取相关费用). With no
line past due the run charges nothing either way, so none of the six is made; with a line past due they are,
and the answer is unchanged (a part in transit keeps its line off; a part kept is charged once). On
memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_materials_read_queries_s32f import _counting
from test_seed002_readings_s24 import PART, SH, _call, _free_part_received, host
from test_seed002_relay_s31e import _fitted_and_handed_in

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import PartReturn
from aftersales.domain.return_relay import RelayedReturn
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]


def test_a_run_with_nothing_past_due_reads_no_arrivals_and_one_past_due_reads_them_as_before(
    host: tuple[ServiceDesk, ManualClock, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, world = host
    _ticket_id, _relay_id = _fitted_and_handed_in(desk, clock, world)  # due by 2 April, in transit
    kept = _free_part_received(desk, clock, world, _call(desk, world))  # lent 1 April, due 6 May
    kinds = _counting(desk, monkeypatch)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # 1 April: all in time
    assert (kinds.count(PartReturn.DOCUMENT_KIND), kinds.count(RelayedReturn.DOCUMENT_KIND)) == (0, 0)
    kinds.clear()
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # the relayed line past due, on the road
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # the relay keeps it off
    # Read once per run (session 33): 2 + 1, not the plan's and again after the tickets' locks (4 + 2).
    assert (kinds.count(PartReturn.DOCUMENT_KIND), kinds.count(RelayedReturn.DOCUMENT_KIND)) == (2, 1)
    kinds.clear()
    # The second line past due, its part kept: its 30th day, 1 May, is Labour Day (1-5 May off), so it
    # was due by the end of Wednesday 6 May (session 35).
    clock.set(datetime(2026, 5, 7, 9, 0, tzinfo=SH))
    charged = desk.materials.run_overdue_chargebacks(world.system)
    assert [(c.request_id, c.part, c.quantity) for c in charged] == [(kept, PART, 1)]
    assert RelayedReturn.DOCUMENT_KIND in kinds
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # once per line
