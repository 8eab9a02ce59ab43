"""A money paper says what the books say: its XLSX shows every minor unit of its currency, and a credit
slip (退款单) is written negative, as it counts in the month's revenue."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import FeeSlip, SlipOrigin, SlipPayment
from aftersales.domain.money import Money
from aftersales.reports.charge_documents import fee_slip_document
from aftersales.reports.labels import report_labels
from aftersales.reports.render import to_csv, to_xlsx

AT = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
BY = ActorRef("mgr-1", Role.MANAGER)


def _slip(currency: str, price: str, *, credit: bool = False) -> FeeSlip:
    line = ChargeLine(ChargeKind.MATERIALS, "WN-CB-01", Money(price, currency), 2)
    return FeeSlip(
        "FS-2", "SR-1", "cust-1", currency, AT, BY, "2026-03", (line,),
        origin=SlipOrigin.REFUND if credit else SlipOrigin.JOB, credits_slip="FS-1" if credit else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("currency", "price", "shown"),
    [("CNY", "1.25", "#,##0.00"), ("JPY", "125", "#,##0"), ("KWD", "1.235", "#,##0.000")],
)
def test_the_xlsx_shows_every_minor_unit_of_the_currency(
    tmp_path: Path, currency: str, price: str, shown: str
) -> None:
    slip = _slip(currency, price)
    path = tmp_path / "slip.xlsx"
    to_xlsx(fee_slip_document(slip, report_labels("en"), generated_at=AT), path)
    sheet = openpyxl.load_workbook(path).worksheets[-1]
    total = [row for row in sheet.iter_rows() if row[-1].value is not None][-1][-1]
    assert Decimal(str(total.value)) == slip.total.amount
    assert total.number_format.endswith(shown)


def test_a_credit_slips_paper_is_negative_as_in_the_books() -> None:
    credit = _slip("CNY", "60.00", credit=True)
    paper = fee_slip_document(credit, report_labels("en"), generated_at=AT)
    rows = list(csv.DictReader(io.StringIO(to_csv(paper, codes=True, bom=False))))
    assert [(r["quantity"], r["amount"]) for r in rows] == [("-2", "-120.00"), ("", "-120.00")]
    assert Decimal(rows[-1]["amount"]) == credit.signed_total.amount
    assert ("Credits slip", "FS-1") in paper.meta


def test_a_partly_paid_back_credit_slip_shows_what_is_still_to_pay_back_negative() -> None:
    credit = _slip("CNY", "60.00", credit=True)
    credit.record_payment(SlipPayment(Money("50.00", "CNY"), "cash", AT, BY))
    paper = fee_slip_document(credit, report_labels("en"), generated_at=AT)
    (balance,) = [value for label, value in paper.meta if label == "Still owed"]
    assert "-" in balance and "70.00" in balance  # the books: -120.00 charged, -50.00 paid
    assert credit.signed_total - credit.signed_paid == Money("-70.00", "CNY")
