"""A customer's own urgent claim is a column of every ledger export (session 34, l).

Seed 001 三(二)2: 对于紧急问题,售后专员应立即标记,并优先处理. ``TicketRow.urgent_claimed`` (session 34, g)
put the claim in the ticket lists, but the exports of the same ledger left it out: the desk's CSV
(``desk.export_ledger``, :meth:`~aftersales.service.describing.Describing.export`) and the report's CSV, XLSX
and JSON lines (:func:`aftersales.export_ledger`). Each has an ``urgent_claimed`` column now, its header in
the report's locale; memory, SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from aftersales import LEDGER_COLUMNS, export_ledger
from aftersales.domain.classification import Channel
from aftersales.service.desk import ServiceDesk
from conftest import noticed_desk

HEADERS = {
    "zh_Hans": ("客户称紧急", "是", "否"),
    "zh_Hant": ("客戶稱緊急", "是", "否"),
    "en": ("Customer said urgent", "yes", "no"),
}


def _open(desk: ServiceDesk, w: object) -> tuple[str, str]:
    claimed = desk.open_ticket(
        w.customer_zh, customer_id=w.cust_zh.id, description="展位大屏黑屏", channel=Channel.PORTAL,  # type: ignore[attr-defined]
        urgent=True,
    ).ticket.id  # fmt: skip
    plain = desk.open_ticket(w.customer_zh, customer_id=w.cust_zh.id, description="展位地毯有污渍").ticket.id  # type: ignore[attr-defined]
    return claimed, plain


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_desk_csv_has_the_claim(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed, plain = _open(desk, w)
        rows = list(csv.DictReader(io.StringIO(desk.export_ledger(w.agent))))
        assert {r["id"]: r["urgent_claimed"] for r in rows} == {claimed: "true", plain: "false"}


@pytest.mark.parametrize("locale", sorted(HEADERS))
@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_every_report_format_has_the_claim(backend: str, locale: str, tmp_path: Path) -> None:
    header, yes, no = HEADERS[locale]
    at = LEDGER_COLUMNS.index("urgent_claimed")
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed, plain = _open(desk, w)
        out = io.BytesIO()
        export_ledger(desk, w.manager, out, locale=locale)
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
        assert rows[0][at] == header
        assert {r[0]: r[at] for r in rows[1:]} == {claimed: yes, plain: no}

        out = io.BytesIO()
        export_ledger(desk, w.manager, out, format="xlsx", locale=locale)
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert cells[0][at] == header
        assert {r[0]: r[at] for r in cells[1:]} == {claimed: yes, plain: no}

        out = io.BytesIO()
        export_ledger(desk, w.manager, out, format="jsonl", locale=locale)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert {d["id"]: d["urgent_claimed"] for d in lines} == {claimed: True, plain: False}
