# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理及相关部门), session 27 second wave: a complaint entered
after the month it was received in is in the next month's feedback, marked late, on memory, SQLite and
PostgreSQL.

Before, a letter received on 27 February and entered on 3 March was in no month's feedback: February's
went out on 2 March without it, and March's listed only the complaints received in March. A month's
complaints are now those registered in it (``ComplaintLogFilter(registered_in=…)``, found through the
complaint file's ``registered_month`` index): each complaint is in one month's feedback, and February's
reads as it was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.reports import document_for, monthly_feedback, report_labels
from aftersales.service.complaint_log import ComplaintLogFilter
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def test_a_letter_entered_after_its_month_is_in_the_next_months_feedback_marked_late(shop: Shop) -> None:
    desk, clock, world, _notifier = shop
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))
    on_time = desk.complaints.open_complaint(world.agent, world.cust_zh.id, "安装师傅态度差").ticket.id
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))  # February's feedback goes out
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI))
    letter = desk.complaints.open_complaint(
        world.agent,
        world.cust_en.id,
        "来信投诉: 维修后仍漏水",
        received_at=datetime(2026, 2, 27, 15, 0, tzinfo=SHANGHAI),
    ).ticket.id
    gm = world.general_manager
    february = desk.feedback.facts(gm, "2026-02").complaints
    assert [(c.complaint_id, c.late) for c in february] == [(on_time, False)]  # as it was sent
    march = desk.feedback.facts(gm, "2026-03").complaints
    assert [(c.complaint_id, c.late) for c in march] == [(letter, True)]
    assert march[0].received_at == datetime(2026, 2, 27, 15, 0, tzinfo=SHANGHAI)
    # The page marks it, in the reader's words.
    report = monthly_feedback(desk, gm, reporting_for(desk.store), "2026-03")
    (table,) = [t for t in document_for(report, report_labels("zh_Hans")).tables if t.code == "complaints"]
    assert table.columns[-1].label == "补登记" and table.rows[0][-1] is True
    # The complaint log still lists it by when it was received.
    log = desk.complaints.complaint_log(
        world.manager,
        ComplaintLogFilter(
            received_from=datetime(2026, 2, 1, tzinfo=SHANGHAI),
            received_to=datetime(2026, 3, 1, tzinfo=SHANGHAI),
        ),
    )
    assert {e.complaint_id for e in log} == {on_time, letter}


def test_a_call_at_a_months_end_entered_after_it_is_the_next_months_only(shop: Shop) -> None:
    desk, clock, world, _notifier = shop
    # Received 31 March 23:30, entered 1 April 08:30: April's feedback carries it, March's does not.
    clock.set(datetime(2026, 4, 1, 8, 30, tzinfo=SHANGHAI))
    late = desk.complaints.open_complaint(
        world.agent,
        world.cust_zh.id,
        "夜间来电投诉",
        received_at=datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI),
    ).ticket.id
    gm = world.general_manager
    assert desk.feedback.facts(gm, "2026-03").complaints == ()
    assert [(c.complaint_id, c.late) for c in desk.feedback.facts(gm, "2026-04").complaints] == [(late, True)]
    assert desk.feedback.facts(gm, "2026-04").headline()["complaints"] == 1


def test_a_malformed_registration_month_is_refused_naming_it(shop: Shop) -> None:
    with pytest.raises(ValidationError) as refused:
        ComplaintLogFilter(registered_in="2026-13")
    assert refused.value.field == "registered_in"
