# mypy: disable-error-code="arg-type"
"""The service centre's monthly feedback to the general manager, on memory, SQLite and PostgreSQL.

Seed 004 第五条 1(6): 客户服务中心 负责收集、建全产品销售信息及外部质量信息及用户意见，每月反馈给总经理及
相关部门. Nothing sent it: the figures were there (fault statistics, KPIs, complaint log, callbacks), but
no report put the month's quality information, users' opinions and sales together, nobody was told,
and "related departments" was nowhere to set. Now ``aftersales.reports.monthly_feedback`` builds it from
what the desk reads (``desk.feedback.facts`` judged by the permission table's ``monthly_feedback``),
renders like every report, and the ``monthly_feedback`` job sends its figures to the general manager
and the pack's ``[notification] monthly_feedback_to`` on a month's first working day, once.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.cli.report import add_report_parser, run_report
from aftersales.domain.actors import Role
from aftersales.domain.complaints import ComplaintSeverity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.errors import ConfigurationError, PermissionDenied, ValidationError
from aftersales.reports import document_for, monthly_feedback, render, report_labels
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def _march(desk: ServiceDesk, clock: ManualClock, world: World) -> dict[str, str]:
    """A month at the centre: a repair with its fault, called back with a low score and a comment (which
    opens a complaint), a complaint by phone, an inquiry, and a unit sold."""
    agent = world.agent
    repair = desk.open_ticket(
        agent, customer_id=world.cust_zh.id, description="马桶一直冲水", asset_id="asset-1"
    )
    ticket_id = repair.ticket.id
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity="medium")
    desk.dispatch(agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    clock.advance(timedelta(minutes=30))
    desk.add_fault_record(
        world.junior,
        ticket_id,
        symptom="keeps_flushing",
        cause="flush_valve_worn",
        action="replace_flush_valve",
    )
    desk.resolve(world.junior, ticket_id, summary="更换进水阀")
    desk.confirm(world.customer_zh, ticket_id, note="已确认")
    desk.schedule_callback(agent, ticket_id)
    clock.advance(timedelta(hours=2))
    desk.record_callback(agent, ticket_id, problem_back=False, satisfaction=2, comment="师傅迟到一小时")
    complaint = desk.complaints.open_complaint(agent, world.cust_en.id, "客服态度差").ticket.id
    desk.open_ticket(agent, customer_id=world.cust_en.id, description="怎么调水温", category="inquiry")
    desk.register_asset(
        world.manager,
        Asset(AssetId("asset-sold"), world.product.id, "SN-2026-0301", customer_id=world.cust_en.id,
              purchase_date=date(2026, 3, 2)),
    )  # fmt: skip
    return {"repair": ticket_id, "complaint": complaint}


def test_the_month_gathers_quality_opinions_and_sales_from_what_the_desk_reads(shop: Shop) -> None:
    desk, clock, world, _notifier = shop
    made = _march(desk, clock, world)
    report = monthly_feedback(desk, world.general_manager, reporting_for(desk.store), "2026-03")
    facts = report.facts
    # External quality information: the problem found on the unit, in its warranty phase, with its cause.
    assert facts.problems == 1
    assert facts.phases.of("in_warranty").symptoms == (("keeps_flushing", 1),)
    assert [(i.key, i.count) for i in report.causes.items] == [("flush_valve_worn", 1)]
    # Users' opinions: both complaints (the one by phone, the one the low score opened), the callback.
    assert made["complaint"] in {c.complaint_id for c in facts.complaints}
    assert len(facts.complaints) == 2
    assert all(c.severity is ComplaintSeverity.GENERAL for c in facts.complaints)
    [opinion] = facts.opinions
    assert (opinion.ticket_id, opinion.score, opinion.low, opinion.comment) == (
        made["repair"],
        2,
        True,
        "师傅迟到一小时",
    )
    # Sales: the unit bought in March (the one installed in 2025 is not).
    assert [(s.product_id, s.units) for s in facts.sold] == [(world.product.id, 1)]
    # The month's KPIs as the pack sets them, from the same store.
    assert report.kpi is not None
    assert (report.kpi.total.counts.tickets, report.kpi.total.counts.complaints) == (4, 2)
    assert facts.headline() == {
        "month": "2026-03", "incidents": 0, "problems": 1, "complaints": 2, "major_complaints": 0,
        "callbacks": 1, "low_scores": 1, "grievances": 0, "units_sold": 1,
    }  # fmt: skip
    # No customer's particulars go to management: the complaint lines carry none.
    assert world.cust_en.contact.email not in repr(facts.complaints)
    for locale, title in (
        ("zh_Hans", "客户服务中心月度反馈"),
        ("zh_Hant", "客戶服務中心月度回饋"),
        ("en", "Monthly feedback"),
    ):
        page = render(document_for(report, report_labels(locale)), "text")
        assert title in page and "师傅迟到一小时" in page


def test_who_reads_the_monthly_feedback(shop: Shop) -> None:
    desk, clock, world, _notifier = shop
    _march(desk, clock, world)
    queries = reporting_for(desk.store)
    for reader in (world.general_manager, world.manager, world.department_head, world.auditor):
        assert monthly_feedback(desk, reader, queries, "2026-03").facts.month == "2026-03"
    for stranger in (world.agent, world.customer_zh, world.junior, world.dealer_sh_staff):
        with pytest.raises(PermissionDenied):
            monthly_feedback(desk, stranger, queries, "2026-03")
    for month in ("2026-3", "March", 202603, "9999-12"):
        with pytest.raises(ValidationError) as refused:
            monthly_feedback(desk, world.general_manager, queries, month)
        assert refused.value.field == "month"


def test_the_job_sends_last_months_feedback_on_the_first_working_day_once(shop: Shop) -> None:
    desk, clock, world, notifier = shop
    _march(desk, clock, world)
    # Wednesday 1 April 2026 is a working day: March's feedback goes out that morning.
    clock.set(datetime(2026, 3, 31, 23, 0, tzinfo=SHANGHAI))
    # February's went out in March (first working day: Monday 2 March); March's waits for March to end.
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 0
    clock.set(datetime(2026, 4, 1, 8, 0, tzinfo=SHANGHAI))
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 0  # once per month
    clock.advance(timedelta(days=3))
    assert desk.run_due_jobs().counts.get("monthly_feedback", 0) == 0
    desk.deliver(limit=100)
    told = [m for m in notifier.sent if "2026-03" in m.subject]
    # The general manager and the pack's related departments (the centre's head, the department heads).
    heads = (Role.GENERAL_MANAGER, Role.MANAGER, Role.DEPARTMENT_HEAD)
    recipients = {c.phone or c.email for role in heads for c in STAFF[role]}
    assert {m.recipient for m in told} == recipients
    assert len(told) == len(recipients)
    gm = next(m for m in told if m.recipient == "13800000009")
    assert "质量事故 0 起" in gm.body and "客户投诉 2 起" in gm.body and "低分 1 次" in gm.body


def test_before_the_first_working_day_nothing_is_sent(shop: Shop) -> None:
    desk, clock, _world, notifier = shop
    # Sunday 1 February 2026: January's feedback waits for Monday the 2nd.
    clock.set(datetime(2026, 2, 1, 10, 0, tzinfo=SHANGHAI))
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 0
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    desk.deliver(limit=100)
    assert {m.subject for m in notifier.sent} >= {"客户服务中心 2026-01 月度反馈"}


@pytest.mark.parametrize("roles", ['["ceo"]', '["customer"]', '["engineer"]', '"manager"'])
def test_related_departments_are_roles_that_read_it(roles: str, tmp_path: Path) -> None:
    pack = tmp_path / "p.toml"
    pack.write_text(
        f'[pack]\nname = "p"\nextends = "service_centre"\n\n[notification]\nmonthly_feedback_to = {roles}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(pack))
    assert (refused.value.key or "").startswith("notification.monthly_feedback_to")


def test_a_desk_with_an_actor_that_is_none_is_refused(shop: Shop) -> None:
    desk, _clock, _world, _notifier = shop
    with pytest.raises(ValidationError):
        desk.feedback.facts(None, "2026-03")  # type: ignore[arg-type]
    assert isinstance(Actor.general_manager("gm"), Actor)


def test_the_cli_prints_the_months_feedback(tmp_path: Path) -> None:
    """``aftersales report feedback --month 2026-03`` (what the monthly notice points to) prints it."""
    db = tmp_path / "desk.db"
    with noticed_desk("sqlite", tmp_path, "service_centre") as (desk, clock, world, _notifier):
        _march(desk, clock, world)
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    base = ["report", "feedback", "--db", str(db), "--pack", "service_centre"]
    out, err = io.StringIO(), io.StringIO()
    assert run_report(parser.parse_args([*base, "--month", "2026-03", "--format", "md"]), out, err) == 0, (
        err.getvalue()
    )
    page = out.getvalue()
    assert "客户服务中心月度反馈" in page and "师傅迟到一小时" in page
    for extra, message in (
        ([], "feedback needs --month"),
        (["--month", "2026-13"], "--month"),
        (["--month", "2026-03", "--from", "2026-03-01", "--to", "2026-03-31"], "not --from/--to"),
    ):
        err = io.StringIO()
        assert run_report(parser.parse_args([*base, *extra, "--locale", "en"]), io.StringIO(), err) == 2
        assert message in err.getvalue()
    err = io.StringIO()
    kpi = [
        "report",
        "kpi",
        "--db",
        str(db),
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--month",
        "2026-03",
        "--locale",
        "en",
    ]
    assert run_report(parser.parse_args(kpi), io.StringIO(), err) == 2
    assert "--month is for the feedback report" in err.getvalue()
