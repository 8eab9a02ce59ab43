"""Warranty decisions and the reasons a customer reads (session 17).

The warranty reasons say how long an extension is and why, in all three catalogs.

Seed 002 (客户投诉的处理方法): the handler may 延长免费售后服务期; the design's rule: "every decision
carries its reasons, so a customer and an auditor can see why it is free or not". The
``warranty_extended`` reason used to render "保修期延长 6（complaint_remedy）": six of what (months
or days?) was lost, and the source was the bare code in every language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.i18n import render_reason
from aftersales.policies.warranty import DefaultWarrantyPolicy, WarrantyPhase


def _extended(amount: int, unit: str, source: str) -> Reason:
    return Reason(
        "warranty_extended",
        {
            "amount": amount,
            "complaint_id": "CP-1" if source == "complaint_remedy" else None,
            "component": None,
            "granted_by": "manager:mgr-1",
            "granted_on": "2026-03-02",
            "reason": "complaint_remedy",
            "source": source,
            "unit": unit,
        },
    )


@pytest.mark.parametrize(
    ("amount", "unit", "source", "locale", "words"),
    [
        (6, "months", "complaint_remedy", "zh_Hans", "保修期延长 6 个月（投诉补偿）"),
        (6, "months", "complaint_remedy", "zh_Hant", "保固期延長 6 個月（投訴補償）"),
        (6, "months", "complaint_remedy", "en", "warranty extended by 6 month(s) (complaint remedy)"),
        (30, "days", "paid", "zh_Hans", "保修期延长 30 天（购买延保）"),
        (30, "days", "paid", "zh_Hant", "保固期延長 30 天（購買延保）"),
        (30, "days", "paid", "en", "warranty extended by 30 day(s) (paid extension)"),
    ],
)
def test_an_extension_reads_with_its_unit_and_its_source_in_words(
    amount: int, unit: str, source: str, locale: str, words: str
) -> None:
    assert render_reason(_extended(amount, unit, source), locale) == words


def test_the_out_of_box_phase_ends_with_the_term_from_the_purchase_date() -> None:
    """Seed 002: 保修期外 — 产品已过保修期均属于此阶段; 开箱期 ends at installation acceptance or then."""
    product = Product(ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(12),))
    unit = Asset(AssetId("u"), product.id, "SN", purchase_date=date(2024, 3, 15))  # never accepted

    def phase(day: date) -> WarrantyPhase:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
        return DefaultWarrantyPolicy().decide(unit, product, at).outcome.phase

    assert phase(date(2025, 3, 15)) is WarrantyPhase.OUT_OF_BOX  # the term's last day
    assert phase(date(2025, 3, 16)) is WarrantyPhase.OUT_OF_WARRANTY
