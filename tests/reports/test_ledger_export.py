"""The ledger export: CSV (BOM), XLSX, JSON lines; scoped, filtered, streaming; same on every store."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import orjson
import pytest

from aftersales.errors import ValidationError
from aftersales.ports.ledger_rows import LEDGER_FIELDS, ticket_record
from aftersales.ports.queries import TicketFilter
from aftersales.reports import LEDGER_COLUMNS, export_ledger, group_names
from aftersales.reports.ledger_export import ledger_records
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import sla_tickets
from .stores import STORES, open_desk

MANAGER = Actor.manager("mgr", "王经理")


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path)


def _export(desk: ServiceDesk, actor: Actor = MANAGER, **kwargs: object) -> bytes:
    out = io.BytesIO()
    export_ledger(desk, actor, out, names=group_names(desk.store), **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_records_match_the_reference_on_every_store(desk: ServiceDesk) -> None:
    expected = sorted((ticket_record(t) for t in sla_tickets()), key=lambda r: (r[6], r[0]))
    got = [r for page in ledger_records(desk, MANAGER, page_size=7) for r in page]
    assert [tuple(r) for r in got] == expected
    assert len(LEDGER_FIELDS) == len(LEDGER_COLUMNS) == len(got[0])


def test_chinese_csv_has_a_bom_labels_and_local_times(desk: ServiceDesk) -> None:
    data = _export(desk)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["工单号", "类型", "状态", "类别"]
    assert len(rows) == 61
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (
        first["工单号"] == "T-0000" and first["类别"] == "维修" and first["受理时间"] == "2026-03-02 09:00:00"
    )
    assert first["承销商"] == "上海浦东特约承销商" and first["故障现象"] == "冲洗不出水"
    states = {r[2] for r in rows[1:]}
    known = {"新建", "已评估", "已派工", "处理中", "已解决", "已验收，待回访", "已关闭", "已取消", "返工"}
    assert states <= known and states


def test_english_csv_has_no_bom_and_bom_can_be_forced(desk: ServiceDesk) -> None:
    plain = _export(desk, locale="en")
    assert not plain.startswith(b"\xef\xbb\xbf") and plain.startswith(b"Ticket,Kind,State,Category")
    assert _export(desk, locale="en", bom=True).startswith(b"\xef\xbb\xbf")
    assert not _export(desk, bom=False).startswith(b"\xef\xbb\xbf")


def test_every_store_exports_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for kind in ("memory", "sqlite"):
        (tmp_path / kind).mkdir()
        for desk in open_desk(kind, tmp_path / kind):
            outputs.append((_export(desk), _export(desk, format="jsonl")))
    assert outputs[0] == outputs[1]


def test_json_lines_hold_codes_and_aware_instants(desk: ServiceDesk) -> None:
    lines = _export(desk, format="jsonl").splitlines()
    assert len(lines) == 60
    first = orjson.loads(lines[0])
    assert list(first) == list(LEDGER_COLUMNS)
    assert first["category"] == "repair" and first["dealer"] == "dealer-a"
    assert datetime.fromisoformat(first["received_at"]).utcoffset() is not None
    assert first["received_at"] == "2026-03-02T09:00:00+08:00"


def test_xlsx_has_typed_cells_and_a_frozen_header(desk: ServiceDesk, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    assert export_ledger(desk, MANAGER, path, format="xlsx", locale="zh_Hans") == 60
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "售后问题台账" and sheet.freeze_panes == "B2"
    header = [c.value for c in sheet[1]]
    assert header[0] == "工单号" and header[6] == "受理时间"
    assert sheet.cell(2, 1).value == "T-0000"
    assert sheet.cell(2, 7).value == datetime(2026, 3, 2, 9, 0)
    assert sheet.max_row == 61


def test_a_dealer_exports_only_its_own_tickets(desk: ServiceDesk) -> None:
    dealer = Actor.dealer_staff("staff-b", "dealer-b", ["R1"])
    lines = [orjson.loads(x) for x in _export(desk, dealer, format="jsonl").splitlines()]
    assert len(lines) == 20 and {x["dealer"] for x in lines} == {"dealer-b"}
    # a dealer cannot widen its scope with a filter
    other = _export(desk, dealer, format="jsonl", filters=TicketFilter(dealer_id="dealer-a"))
    assert {orjson.loads(x)["dealer"] for x in other.splitlines()} <= {"dealer-b"}


def test_filters_as_in_the_ledger(desk: ServiceDesk) -> None:
    closed = _export(desk, format="jsonl", filters=TicketFilter(states=("closed",), region="sh-pudong"))
    rows = [orjson.loads(x) for x in closed.splitlines()]
    assert rows and all(r["state"] == "closed" and r["region"] == "sh-pudong" for r in rows)
    assert len(rows) == desk.count(MANAGER, TicketFilter(states=("closed",), region="sh-pudong"))


def test_progress_is_reported_per_page(desk: ServiceDesk) -> None:
    seen: list[int] = []
    export_ledger(desk, MANAGER, io.BytesIO(), progress=seen.append)
    assert seen and seen[-1] == 60 and seen == sorted(seen)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"format": "xlsx", "bom": True}, "bom"),
        ({"bom": "yes"}, "bom"),
        ({"locale": "xx_YY"}, "locale"),
        ({"filters": {"state": "closed"}}, "filters"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(
    desk: ServiceDesk, kwargs: dict[str, object], field: str
) -> None:
    out = io.BytesIO()
    with pytest.raises(ValidationError) as caught:
        export_ledger(desk, MANAGER, out, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field and out.getvalue() == b""


def test_a_text_stream_is_refused(desk: ServiceDesk) -> None:
    with pytest.raises(ValidationError, match="bytes"):
        export_ledger(desk, MANAGER, io.StringIO())  # type: ignore[arg-type]
