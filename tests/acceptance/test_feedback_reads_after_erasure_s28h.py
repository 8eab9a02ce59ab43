# mypy: disable-error-code="arg-type"
"""The access log of the monthly feedback after an erasure (PIPL; seed 004 第五条 1(6); session 28).

``desk.feedback.facts`` logs a read (``monthly_feedback``) of each customer whose words at a callback it
quotes (their comment, their grievance: session 27). Once the customer is erased the month still lists
the callback (its figures are kept) with "[erased]" for the words, and every later reading of that month
(the general manager's, an auditor's, the CLI's page) logged a new read of the erased person: the log
said their data was read after there was none, evidence an auditor cannot tell from a real read. Now
erased words quote nobody; another customer's words on the same page are still logged. The page (and
every report page) shows what an erasure left in the reader's words: "（已删除）", not the store's
"[erased]" on a Chinese page. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.reports import monthly_feedback, to_text
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _called_back(desk: ServiceDesk, w: World, customer_id: str, said: str) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=customer_id, description="热水器不点火", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="ignition", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换点火针")
    desk.confirm(w.junior, tid, channel="service_slip")
    checklist = CallbackChecklist(product_works=True, other_complaints=said)
    desk.callbacks.record(w.agent, tid, checklist=checklist, problem_back=False, satisfaction=5, attitude=5)
    return str(tid)


def _feedback_reads(desk: ServiceDesk, w: World, customer_id: str) -> int:
    log = desk.privacy.access_log(w.auditor, customer_id=customer_id)
    return sum(1 for r in log if r.what == "monthly_feedback")


def _erased_in_april(desk: ServiceDesk, clock: ManualClock, w: World) -> None:
    """Both customers said something at their callbacks in March; the GM read the month; then, in April,
    the Chinese-speaking customer is erased."""
    _called_back(desk, w, w.cust_zh.id, "上门师傅迟到了两个小时")
    _called_back(desk, w, w.cust_en.id, "The engineer left a mess")
    desk.feedback.facts(w.general_manager, "2026-03")
    assert (_feedback_reads(desk, w, w.cust_zh.id), _feedback_reads(desk, w, w.cust_en.id)) == (1, 1)
    clock.set(datetime(2026, 4, 2, 10, tzinfo=SHANGHAI))
    erasing = Actor.privacy_officer("dpo")
    desk.privacy.erase_customer(erasing, w.cust_zh.id, "the customer asked", cancel_open_tickets=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reading_a_month_after_an_erasure_logs_no_read_of_the_erased(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, clock, w):
        _erased_in_april(desk, clock, w)
        facts = desk.feedback.facts(w.general_manager, "2026-03")
        assert sorted(o.other_complaints for o in facts.opinions) == ["The engineer left a mess", "[erased]"]
        assert _feedback_reads(desk, w, w.cust_zh.id) == 1  # the read before the erasure only
        assert _feedback_reads(desk, w, w.cust_en.id) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_page_says_erased_in_the_readers_words(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, clock, w):
        _erased_in_april(desk, clock, w)
        report = monthly_feedback(desk, w.general_manager, reporting_for(desk.store), "2026-03")
        for locale, erased in (("zh_Hans", "（已删除）"), ("zh_Hant", "（已刪除）"), ("en", "[erased]")):
            page = to_text(report, locale)
            assert erased in page and "The engineer left a mess" in page
            assert locale == "en" or "[erased]" not in page
