"""Money papers show the pack's fault-catalog labels, not codes (issue 19).

A pack lists its fault codes with Chinese and English labels (``[faults]``); the charge sheet, the fee
slip and the fault Pareto read them in the reader's locale, and a reason naming a pack cause says it in
words too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import ValidationError
from aftersales.policies.fault_catalog import pack_fault_catalog
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.charge_documents import charge_sheet_document, fee_slip_document
from aftersales.reports.labels import report_labels
from aftersales.reports.render import to_html, to_text
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, tzinfo=SH)
MANAGER, AGENT = Actor.manager("m-1"), Actor.agent("a-1")
DEALER = Actor.dealer_staff("s-1", "d-sh", {"SH"})
PACK = """[pack]
name = "labelled"
extends = "sanitary_ware"

[chargeability]
extra_chargeable_causes = ["frost_cracked"]

[faults.symptoms]
keeps_flushing = { zh_Hans = "水箱长流水", zh_Hant = "水箱長流水", en = "keeps flushing" }

[faults.causes]
flush_valve_worn = { zh_Hans = "排水阀磨损", en = "worn flush valve" }
frost_cracked = { zh_Hans = "冬季冻裂", zh_Hant = "冬季凍裂", en = "cracked by frost" }

[faults.actions]
replace_flush_valve = { zh_Hans = "更换排水阀", zh_Hant = "更換排水閥", en = "replaced the flush valve" }
"""
FEES = DefaultFeesPolicy(
    FeesParams(
        parts={"WN-CB-01": PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={"d-sh": DealerFeeSchedule(labour={"repair": "80"}, service_fee="20")},
    )
)
CODES = ("keeps_flushing", "flush_valve_worn", "frost_cracked", "replace_flush_valve")


@pytest.fixture
def story(tmp_path: Path) -> Iterator[tuple[ServiceDesk, str]]:
    pack = tmp_path / "labelled.toml"
    pack.write_text(PACK, encoding="utf-8")
    clock = ManualClock(START)
    desk = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'd.db'}", pack=pack, overrides={"fees": FEES}, clock=clock
    )
    try:
        desk.register_dealer(MANAGER, Dealer(DealerId("d-sh"), "浦东服务站", "SH", frozenset({"SH"})))
        desk.register_customer(
            MANAGER, Customer(CustomerId("c-1"), "张伟", Contact("张伟", phone="13912345678"), region="SH")
        )
        product = Product(
            ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(12),), frozenset({"flush_valve"})
        )
        desk.register_product(MANAGER, product)
        unit = Asset(AssetId("u-1"), product.id, "SN", CustomerId("c-1"), purchase_date=date(2025, 12, 1),
                     installation_accepted_on=date(2025, 12, 2), dealer_id="d-sh")  # fmt: skip
        desk.register_asset(MANAGER, unit)
        tid = desk.open_ticket(AGENT, customer_id="c-1", description="长流水", asset_id="u-1").ticket.id
        desk.triage(AGENT, tid, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(AGENT, tid, dealer_id="d-sh")
        clock.advance(timedelta(hours=1))
        desk.start_work(DEALER, tid)
        desk.add_fault_record(
            DEALER, tid, symptom="keeps_flushing", cause="frost_cracked", action="replace_flush_valve",
            part="WN-CB-01", component="flush_valve",
        )  # fmt: skip
        desk.add_fault_record(
            DEALER, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve"
        )
        yield desk, tid
    finally:
        desk.shutdown()


def test_the_charge_sheet_reads_the_pack_labels(story: tuple[ServiceDesk, str]) -> None:
    desk, tid = story
    sheet = desk.charges.assess(DEALER, tid)
    assert any(line.line.chargeable for line in sheet.lines)  # the pack's frost cause is chargeable
    catalog = pack_fault_catalog(desk.policies.extra)
    assert catalog is not None
    view = desk.ticket(MANAGER, tid)
    zh = to_text(charge_sheet_document(view, report_labels("zh_Hans", faults=catalog), generated_at=START))
    for words in (
        "水箱长流水",
        "冬季冻裂",
        "排水阀磨损",
        "更换排水阀",
        "故障原因“冬季冻裂”属收费范围",
        "收费单",
    ):
        assert words in zh, words
    assert not any(code in zh for code in CODES)
    hant = to_text(charge_sheet_document(view, report_labels("zh_Hant", faults=catalog), generated_at=START))
    assert "冬季凍裂" in hant and "worn flush valve" in hant  # no Traditional label: the English one
    en = to_html(charge_sheet_document(view, report_labels("en", faults=catalog), generated_at=START))
    for words in ("keeps flushing", "cracked by frost", "worn flush valve", "replaced the flush valve"):
        assert words in en, words
    # without the pack's catalog the codes show as the message catalogs label them, or as themselves
    bare = to_text(charge_sheet_document(view, report_labels("en"), generated_at=START))
    assert "frost_cracked" in bare


def test_a_ticket_not_yet_assessed_says_so(story: tuple[ServiceDesk, str]) -> None:
    desk, tid = story
    doc = charge_sheet_document(desk.ticket(MANAGER, tid), report_labels("en"), generated_at=START)
    assert doc.tables[1].rows == () and "not been assessed" in to_text(doc)


def test_the_fee_slip_reads_the_pack_labels(story: tuple[ServiceDesk, str]) -> None:
    desk, tid = story
    desk.charges.assess(DEALER, tid)
    quote = desk.charges.quote(AGENT, tid)
    accepted = desk.charges.accept(Actor.customer("c-1"), tid, quote.id)
    slip = accepted.fee_slip
    assert slip is not None
    catalog = pack_fault_catalog(desk.policies.extra)
    labels = report_labels("zh_Hans", faults=catalog)
    records = desk.ticket(MANAGER, tid).fault_records
    text = to_text(fee_slip_document(slip, labels, generated_at=START, fault_records=records))
    assert "售后服务材料收费暨报销单" in text and slip.id in text
    assert "冬季冻裂" in text and "frost_cracked" not in text
    assert "¥" in text  # amounts in the reader's format
    # Who pays reads as words, not as the stored code ("dealer:d-sh").
    assert f"{slip.payer_kind}:" not in text
    assert labels.payer(slip.payer_kind, slip.payer_id or slip.customer_id) in text


@pytest.mark.parametrize(
    ("locale", "words"),
    [("zh_Hans", ("客户", "经销商", "工程师")), ("zh_Hant", ("客戶", "經銷商", "工程師")),
     ("en", ("customer", "dealer", "engineer"))],
)  # fmt: skip
def test_a_payer_is_named_in_the_readers_language(locale: str, words: tuple[str, ...]) -> None:
    labels = report_labels(locale)
    for kind, word in zip(("customer", "dealer", "engineer"), words, strict=True):
        assert labels.payer(kind, "d-sh") == f"{word} d-sh"


def test_the_fault_pareto_uses_the_pack_labels(story: tuple[ServiceDesk, str]) -> None:
    from aftersales.adapters.reporting import reporting_for
    from aftersales.ports.reporting import FaultDimension, Period
    from aftersales.reports.faults import fault_pareto

    desk, _tid = story
    catalog = pack_fault_catalog(desk.policies.extra)
    report = fault_pareto(
        reporting_for(desk.store), Period(START - timedelta(days=1), START + timedelta(days=1)),
        FaultDimension.CAUSE,
    )  # fmt: skip
    assert "冬季冻裂" in to_text(report, "zh_Hans", fault_catalog=catalog)
    assert "frost_cracked" in to_text(report, "zh_Hans")
    with pytest.raises(ValidationError) as caught:
        to_text(report, "en", fault_catalog={"causes": {}})
    assert caught.value.field == "fault_catalog"
