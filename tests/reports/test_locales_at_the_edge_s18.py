"""Every entry point that writes words takes any locale identifier: a known one is resolved, one Babel
knows but we have no catalog for reads English, and anything else is a ValidationError of "locale" with
nothing written, never a KeyError or a half-written file (session 18, on the three stores).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError
from aftersales.i18n import format_datetime, format_duration, format_money, render, render_reason
from aftersales.ports.reporting import FaultDimension
from aftersales.reports import export_ledger, fault_pareto
from aftersales.reports.render import render as render_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .data import MARCH
from .stores import STORES, open_desk

MANAGER = Actor.manager("mgr", "王经理")
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    yield from open_desk(request.param, tmp_path)


def _writers(desk: ServiceDesk) -> dict[str, Callable[[str], object]]:
    pareto = fault_pareto(reporting_for(desk.store), MARCH, FaultDimension.SYMPTOM)

    def ledger(locale: str) -> object:
        out = io.BytesIO()
        export_ledger(desk, MANAGER, out, format="csv", locale=locale, bom=False)
        return out.getvalue().decode("utf-8")

    writers: dict[str, Callable[[str], object]] = {
        "reason": lambda loc: render_reason(Reason("severity", {"severity": "high"}), loc),
        "money": lambda loc: format_money(Money("1234.50", "CNY"), loc),
        "duration": lambda loc: format_duration(timedelta(hours=3, minutes=20), loc),
        "datetime": lambda loc: format_datetime(AT, loc, "Asia/Shanghai"),
        "notification": lambda loc: render(
            "ticket_assigned", loc, "Asia/Shanghai", {"ticket_id": "T-1", "assignee_name": "赵工"}
        ),
        "ledger": ledger,
    }
    for fmt in ("text", "md", "csv", "html"):
        writers[f"pareto.{fmt}"] = lambda loc, fmt=fmt: render_report(pareto, fmt, loc, generated_at=AT)
    writers["pareto.xlsx"] = lambda loc: _cells(render_report(pareto, "xlsx", loc, generated_at=AT))
    return writers


def _cells(book: object) -> list[list[object]]:
    """The workbook's values, sheet by sheet (its bytes carry the time it was written)."""
    assert isinstance(book, bytes)
    loaded = openpyxl.load_workbook(io.BytesIO(book))
    return [[ws.title, *(c.value for row in ws.iter_rows() for c in row)] for ws in loaded.worksheets]


@pytest.mark.parametrize("locale", ["xx", "en_XX", "", "zh_Hans;drop", "../zh_Hans"])
def test_a_locale_that_is_not_one_is_refused_by_every_writer(desk: ServiceDesk, locale: str) -> None:
    for name, write in _writers(desk).items():
        with pytest.raises(ValidationError) as refused:
            write(locale)
        assert refused.value.field in ("locale", None) and "locale" in str(refused.value), name


def test_a_locale_without_a_catalog_reads_english_and_regional_chinese_its_script(desk: ServiceDesk) -> None:
    for name, write in _writers(desk).items():
        assert write("fr_FR") == write("en"), name
        assert write("zh-TW") == write("zh_Hant"), name
        assert write("zh_SG") == write("zh_Hans"), name


def test_the_ledger_headers_follow_the_locale(desk: ServiceDesk) -> None:
    heads: dict[str, Any] = {}
    for locale in ("zh_Hans", "zh_Hant", "en"):
        out = io.BytesIO()
        export_ledger(desk, MANAGER, out, format="csv", locale=locale, bom=False)
        heads[locale] = out.getvalue().decode("utf-8").splitlines()[0]
    assert heads["zh_Hans"].startswith("工单号") and heads["zh_Hant"].startswith("工單號")
    assert heads["en"].split(",")[0].isascii()
