"""The ledger export words an empty dealer or assignee cell as the KPI report does (session 32, j).

Why: a ticket of the maker's direct customer (no dealer) and one not dispatched yet (no assignee) left
the CSV's and XLSX's dealer and assignee cells blank, where the KPI report of the same tickets groups them
under words (无经销商(厂家直营客户), 未指定): a blank read as a lost value. The cells now carry the
report's own words, in the export's locale; JSON lines, for programs, keep ``null``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import orjson
import pytest

from aftersales import Actor, Contact, Customer, ServiceDesk
from aftersales.adapters import ManualClock
from aftersales.ports.queries import UNSET
from aftersales.ports.reporting import GroupBy
from aftersales.reports import export_ledger, report_labels
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
MANAGER, AGENT = Actor.manager("m-1"), Actor.agent("a-1")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as d,
    ):
        d.register_customer(MANAGER, Customer("c-1", "张伟", Contact("张伟", phone="13912345678")))
        d.open_ticket(AGENT, customer_id="c-1", description="漏水")
        yield d


def _export(desk: ServiceDesk, tmp_path: Path, format: str, locale: str) -> list[dict[str, object]]:
    out = io.BytesIO()
    export_ledger(desk, MANAGER, out, format=format, locale=locale)
    if format == "jsonl":
        return [orjson.loads(line) for line in out.getvalue().splitlines()]
    if format == "csv":
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
        assert sheet is not None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_no_dealer_and_no_assignee_read_as_the_kpi_report_says(
    desk: ServiceDesk, tmp_path: Path, format: str, locale: str
) -> None:
    labels = report_labels(locale)
    [row] = _export(desk, tmp_path, format, locale)
    dealer, engineer = labels.column("dealer"), labels.column("engineer")
    assert row[dealer] == labels.group(GroupBy.DEALER, UNSET)
    assert row[engineer] == labels.group(GroupBy.ENGINEER, UNSET)
    assert row[dealer] and row[engineer]


def test_json_lines_keep_null_for_programs(desk: ServiceDesk, tmp_path: Path) -> None:
    [row] = _export(desk, tmp_path, "jsonl", "zh_Hans")
    assert (row["dealer"], row["engineer"]) == (None, None)
