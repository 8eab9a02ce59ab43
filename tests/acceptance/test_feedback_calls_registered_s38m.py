"""Seed 004 第五条 1(6) (外部质量信息 … 每月反馈给总经理及相关部门), session 38: a call counts in the month's
feedback of the month it was registered in, on memory, SQLite and PostgreSQL.

Before, the feedback counted the problems found by the calls received in the month: a call of 28 March
entered on 3 April, after March's feedback went out on 1 April, was in no month's feedback. It is now in
April's, once (so is another system's copy of a March call imported then); March's reads as it was
sent, and seed 002's phase report over March still counts the calls by their received date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import TicketId
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

Shop = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with world_desk(request.param, tmp_path, pack="service_centre") as found:
        yield found


def test_a_call_entered_after_its_months_feedback_went_out_is_in_the_next_months_once(shop: Shop) -> None:
    desk, clock, world = shop
    gm = world.general_manager

    def problems(month: str) -> int:
        return desk.feedback.facts(gm, month).problems

    def call(at: datetime, received: datetime) -> str:
        clock.set(at)
        return desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="水箱漏水",
            asset_id=world.asset.id, received_at=received,
        ).ticket.id  # fmt: skip

    base = {m: problems(m) for m in ("2026-03", "2026-04", "2026-05")}
    # Received on 30 March, entered on 1 April before the job: March's, as before.
    on_time = call(datetime(2026, 4, 1, 8, 0, tzinfo=SHANGHAI), datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI))
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March's feedback goes out
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] >= 1
    assert problems("2026-03") == base["2026-03"] + 1
    call(datetime(2026, 4, 3, 10, 0, tzinfo=SHANGHAI), datetime(2026, 3, 28, 15, 0, tzinfo=SHANGHAI))
    assert problems("2026-03") == base["2026-03"] + 1  # as it was sent
    assert problems("2026-04") == base["2026-04"] + 1
    # Another system's copy of a March call, imported on 3 April: April's too, as an opened one.
    with desk.store() as uow:
        copy = attrs.evolve(uow.tickets.get(on_time), id=TicketId("IMP-S38M-1"))
    desk.import_tickets(world.manager, [copy])
    assert problems("2026-03") == base["2026-03"] + 1
    assert problems("2026-04") == base["2026-04"] + 2
    assert problems("2026-05") == base["2026-05"]
    # Seed 002's phase report over any period counts calls by their received date, unchanged.
    march = desk.archives.phase_feedback(world.manager, start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert sum(p.problems for p in march.phases) == base["2026-03"] + 3


def test_a_call_entered_while_the_job_read_its_month_waits_for_the_next_run(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, world = shop
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March's feedback is due
    feedback = desk.jobs.feedback
    assert feedback is not None
    facts = feedback.facts
    read: list[int] = []

    def reading(actor: Any, month: str) -> Any:
        found = facts(actor, month)
        read.append(found.problems)
        if len(read) == 1:  # on another desk, committed once the job read March: March is still to send
            desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="水箱漏水",
                asset_id=world.asset.id, received_at=datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI),
            )  # fmt: skip
        return found

    monkeypatch.setattr(feedback, "facts", reading)
    sent = desk.jobs.run_due
    assert sent(only=("monthly_feedback",)).counts["monthly_feedback"] == 0  # read without it: not sent so
    assert sent(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    assert read[1] == read[0] + 1  # the March sent counts it
    assert desk.feedback.facts(world.general_manager, "2026-04").problems == 0
