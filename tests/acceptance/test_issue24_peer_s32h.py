"""Issue 24 re-read by a peer tester (session 32, h): reports people look at, built as
docs/concepts/reports.md shows (``from aftersales.reports import …``), on memory, SQLite and PostgreSQL.

One defect was found and fixed (``aftersales/__init__.py``): the report builders imported from
``aftersales.reports`` — the docs' import — let a missing or misspelt argument escape as Python's
``TypeError`` (``scoped_fault_pareto(desk, actor, queries, march)`` without its ``dimension``); only the
copies exported from ``aftersales`` itself refused it typed. The rest passed as found: the same month gives
the same page on every store, labels are Chinese with no raw code or placeholder, the XLSX's cells are
typed and its total row adds up, the CSV carries its BOM for Chinese readers and none for English ones.
(The pages in a real browser are ``tests/reports/test_browser*.py``; they ran, not skipped, with Debian's
Chromium here.)
"""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from aftersales import Actor, Contact, Customer, Dealer, ServiceDesk, Severity
from aftersales.adapters import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, GroupBy, Period
from aftersales.reports import (
    document_for,
    kpi_goals,
    kpi_report,
    report_labels,
    scoped_fault_pareto,
    scoped_kpi_report,
    to_csv,
    to_text,
    to_xlsx,
)
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
MANAGER, AGENT = Actor.manager("m"), Actor.agent("a")
NAMES = {"pd": "浦东特约网点", "bj": "朝阳特约网点"}
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a snake_case code that escaped its label
BACKENDS = ["memory", "sqlite", *(["postgres"] if os.environ.get("AFTERSALES_PG_DSN") else [])]


def _month(desk: ServiceDesk, clock: ManualClock) -> None:
    """Six calls in March: two dealers' jobs (three resolved), one customer with no dealer."""
    desk.register_dealer(
        MANAGER,
        Dealer("pd", NAMES["pd"], "SH", frozenset({"SH"}), contact=Contact("浦东", phone="13900000001")),
    )
    desk.register_dealer(
        MANAGER,
        Dealer("bj", NAMES["bj"], "BJ", frozenset({"BJ"}), contact=Contact("朝阳", phone="13900000002")),
    )
    desk.register_customer(
        MANAGER, Customer("c1", "张伟", Contact("张伟", phone="13912345670"), region="SH", dealer_id="pd")
    )
    desk.register_customer(
        MANAGER, Customer("c2", "李娜", Contact("李娜", phone="13912345671"), region="BJ", dealer_id="bj")
    )
    desk.register_customer(MANAGER, Customer("c3", "赵六", Contact("赵六", phone="13912345672")))
    staff = {"pd": Actor.dealer_staff("pd-1", "pd", {"SH"}), "bj": Actor.dealer_staff("bj-1", "bj", {"BJ"})}
    calls = [("c1", "pd", "no_flush"), ("c1", "pd", "leak"), ("c2", "bj", "leak"), ("c2", "bj", "no_flush"),
             ("c2", "bj", "leak"), ("c3", None, "leak")]  # fmt: skip
    for n, (customer, dealer, nature) in enumerate(calls):
        tid = desk.open_ticket(AGENT, customer_id=customer, description=f"故障 {n}").ticket.id
        clock.advance(timedelta(minutes=20))
        desk.triage(AGENT, tid, nature=nature, severity=Severity.MEDIUM)
        desk.dispatch(AGENT, tid)
        clock.advance(timedelta(minutes=30 + 40 * n))
        if dealer is not None:
            who = staff[dealer]
            desk.contact_customer(who, tid, note="已联系")
            desk.start_work(who, tid)
            symptom = "base_leak" if nature == "leak" else "weak_flush"
            desk.add_fault_record(who, tid, symptom=symptom, cause="seal_aged", action="replace_seal")
            if n % 2 == 0:
                clock.advance(timedelta(hours=3 * n))
                desk.resolve(who, tid, summary="已处理")
        clock.advance(timedelta(hours=2))
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=SH))


def _pages(tmp_path: Path) -> dict[str, tuple[str, str, Any]]:
    pages: dict[str, tuple[str, str, Any]] = {}
    for backend in BACKENDS:
        clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
        with (
            store_url(backend, tmp_path) as url,
            ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as desk,
        ):
            _month(desk, clock)
            queries = reporting_for(desk.store)
            kpis = scoped_kpi_report(desk, MANAGER, queries, MARCH, group=GroupBy.SERVING_DEALER)
            pareto = scoped_fault_pareto(desk, MANAGER, queries, MARCH, FaultDimension.SYMPTOM)
            labels = report_labels("zh_Hans", NAMES)
            stamp = datetime(2026, 4, 2, 9, 0, tzinfo=SH)
            text = to_text(document_for(kpis, labels, goals=kpi_goals("sanitary_ware"), generated_at=stamp))
            text += to_text(document_for(pareto, labels, generated_at=stamp))
            pages[backend] = (text, to_csv(kpis, "zh_Hans", names=NAMES), kpis)
    return pages


def test_the_same_month_reads_the_same_on_every_store_in_chinese_with_typed_cells(tmp_path: Path) -> None:
    pages = _pages(tmp_path)
    text, csv_zh, kpis = pages["memory"]
    for backend, (other, other_csv, _) in pages.items():
        assert (other, other_csv) == (text, csv_zh), backend
    for words in (
        "售后服务关键指标",
        "浦东特约网点",
        "朝阳特约网点",
        "合计",
        "响应及时率",
        "考核目标",
        "故障帕累托分析",
    ):
        assert words in text
    assert not CODE.findall(text) and "{" not in text, CODE.findall(text)
    assert csv_zh.startswith("\ufeff") and not to_csv(kpis, "en", names=NAMES).startswith("\ufeff")

    out = io.BytesIO()
    to_xlsx(kpis, out, "zh_Hans", names=NAMES, goals=kpi_goals("sanitary_ware"))
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["售后服务关键指标"]
    assert sheet.freeze_panes == "B2"
    header = [c.value for c in sheet[1]]
    count = header.index("工单数") + 1
    rows = {sheet.cell(r, 1).value: sheet.cell(r, count).value for r in range(2, sheet.max_row + 1)}
    assert rows["合计"] == sum(v for k, v in rows.items() if k != "合计") == 6
    assert all(type(v) is int for v in rows.values())
    rate = sheet.cell(2, header.index("响应及时率") + 1)
    assert isinstance(rate.value, int | float) and "%" in rate.number_format


def test_a_report_builder_imported_from_aftersales_reports_refuses_a_wrong_call_typed() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    queries = reporting_for(desk.store)
    with pytest.raises(ValidationError) as refused:
        scoped_fault_pareto(desk, MANAGER, queries, MARCH)  # type: ignore[call-arg]
    assert refused.value.field == "dimension"
    with pytest.raises(ValidationError) as refused:
        kpi_report(queries, MARCH, None, grop=GroupBy.DEALER)  # type: ignore[call-arg]
    assert refused.value.field == "grop"
    with pytest.raises(ValidationError):
        to_text()  # type: ignore[call-arg]
