"""Issue 23 re-read by a peer tester (session 32, h): search, attachments, tags and custom fields through
the public API, the same input on memory, SQLite and PostgreSQL giving the same answers.

The issue's "Tests": search by serial, phone in several formats, 漏水 in a description and a number's
digits, scoped to the dealer and the customer; a renamed file refused by its bytes; an out-of-box ticket
not resolved without its written report; a deleted attachment leaving an event; a required custom field
named when missing and a filter on a choice field. All passed on the code as found.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Actor,
    Asset,
    Category,
    Contact,
    Customer,
    CustomField,
    CustomFieldSet,
    Dealer,
    FieldType,
    Product,
    ServiceDesk,
    Severity,
    TicketFilter,
    WarrantyTerm,
)
from aftersales.adapters import ManualClock
from aftersales.errors import AttachmentRequired, ValidationError
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT = Actor.manager("m-1"), Actor.agent("a-1")
DEALER_SH = Actor.dealer_staff("sh-1", "d-sh", {"SH"})
DEALER_BJ = Actor.dealer_staff("bj-1", "d-bj", {"BJ"})
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2_000
FIELDS = CustomFieldSet.of(
    CustomField("colour", FieldType.CHOICE, choices=("white", "black")),
    CustomField("install_date", FieldType.DATE, required_for=frozenset({"installation"})),
)


@pytest.fixture(params=STORES)
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock]]:
    """A bathroom-fixture desk with two dealers and a customer of each, 张伟's unit shipped ten days ago."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, custom_fields=FIELDS) as desk,
    ):
        desk.register_dealer(MANAGER, Dealer("d-sh", "浦东服务站", "SH", frozenset({"SH"})))
        desk.register_dealer(MANAGER, Dealer("d-bj", "朝阳服务站", "BJ", frozenset({"BJ"})))
        desk.register_product(MANAGER, Product("wc-100", "WC-100", "智能马桶", "toilet", (WarrantyTerm(36),)))
        zhang = Contact("张伟", phone="139-1234-5678")
        desk.register_customer(MANAGER, Customer("c-1", "张伟", zhang, region="SH", dealer_id="d-sh"))
        li = Contact("李娜", phone="13800001111")
        desk.register_customer(MANAGER, Customer("c-2", "李娜", li, region="BJ", dealer_id="d-bj"))
        unit = Asset(
            "a-1", "wc-100", "SN-2025-0001", "c-1", batch="B2025-07", shipment_date=date(2026, 2, 20),
            dealer_id="d-sh",
        )  # fmt: skip
        desk.register_asset(MANAGER, unit)
        yield desk, clock


def _ids(desk: ServiceDesk, actor: Actor, query: str) -> list[str]:
    return [v.id for v in desk.search(actor, query).items]


def test_search_by_serial_phone_digits_batch_and_chinese_text_within_scope(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, clock = opened
    leak = desk.open_ticket(
        AGENT, customer_id="c-1", asset_id="a-1", description="转换开关漏水，地面有积水", tags=["VIP"]
    ).ticket.id
    clock.advance(timedelta(minutes=5))
    other = desk.open_ticket(AGENT, customer_id="c-2", description="马桶盖松动 漏水").ticket.id

    for query in ("SN-2025-0001", "sn-2025-0001", leak, leak.lower(), leak[-6:], "B2025-07", "ｖｉｐ"):
        assert _ids(desk, AGENT, query) == [leak], query
    for phone in ("(139) 1234-5678", "139 1234 5678", "+86-139-1234-5678", "+8613912345678", "5678"):
        assert _ids(desk, AGENT, phone) == [leak], phone
    assert _ids(desk, AGENT, "漏水") == [other, leak]  # newest first
    assert _ids(desk, AGENT, "张伟 漏水") == [leak]
    assert _ids(desk, DEALER_BJ, "漏水") == [other]  # another dealer's ticket: not even a count
    assert _ids(desk, DEALER_BJ, "SN-2025-0001") == []
    assert _ids(desk, Actor.customer("c-2"), "漏水") == [other]
    assert _ids(desk, Actor.customer("c-2"), "139 1234 5678") == []


def test_attachments_are_sniffed_and_an_out_of_box_fault_waits_for_its_written_report(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, _clock = opened
    tid = desk.open_ticket(AGENT, customer_id="c-1", asset_id="a-1", description="开箱发现裂纹").ticket.id
    for name, content in (("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100), ("x.svg", b"<svg><script/></svg>")):
        with pytest.raises(ValidationError) as refused:
            desk.attachments.attach(AGENT, tid, kind="photo", name=name, content=content)
        assert refused.value.field == "media_type"
    with pytest.raises(ValidationError) as refused:
        desk.attachments.attach(AGENT, tid, kind="photo", name="../../etc/x.jpg", content=JPEG)
    assert refused.value.field == "name"
    assert desk.ticket(AGENT, tid).attachments == ()

    desk.triage(AGENT, tid, nature="quality", severity=Severity.MEDIUM)
    assert desk.dispatch(AGENT, tid).ticket.state == "assigned"
    desk.start_work(DEALER_SH, tid)
    desk.add_fault_record(DEALER_SH, tid, symptom="cracked_body", cause="transport_damage", action="replace")
    with pytest.raises(AttachmentRequired) as required:
        desk.resolve(DEALER_SH, tid, summary="更换")
    assert (required.value.kind, required.value.step) == ("written_report", "resolve")
    assert desk.ticket(AGENT, tid).state == "in_progress"

    photo = desk.attachments.attach(DEALER_SH, tid, kind="photo", name="裂纹.jpg", content=JPEG)
    (attached,) = photo.ticket.attachments
    assert (attached.media_type, attached.size) == ("image/jpeg", len(JPEG))
    removed = desk.attachments.remove(DEALER_SH, tid, attached.id, reason="拍错了")
    assert removed.events[-1].action == "detach" and removed.ticket.attachments == ()
    report = b"%PDF-1.4\n" + b"0" * 100
    desk.attachments.attach(DEALER_SH, tid, kind="written_report", name="书面报告.pdf", content=report)
    assert desk.resolve(DEALER_SH, tid, summary="更换").ticket.state == "resolved"


def test_a_missing_required_field_is_named_and_a_choice_field_filters_the_ledger(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, _clock = opened
    with pytest.raises(ValidationError) as refused:
        desk.open_ticket(AGENT, customer_id="c-1", description="安装", category=Category.INSTALLATION)
    assert refused.value.field == "fields.install_date"
    black = desk.open_ticket(
        AGENT, customer_id="c-1", description="安装", category=Category.INSTALLATION,
        custom_fields={"install_date": date(2026, 3, 9), "colour": "black"},
    ).ticket.id  # fmt: skip
    desk.open_ticket(
        AGENT, customer_id="c-1", description="安装", category=Category.INSTALLATION,
        custom_fields={"install_date": date(2026, 3, 9), "colour": "white"},
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        desk.set_custom_fields(AGENT, black, {"colour": "red"})
    assert refused.value.field == "fields.colour"
    found = desk.ledger(AGENT, TicketFilter(custom_fields={"colour": "black"})).items
    assert [v.id for v in found] == [black]
    assert desk.ticket(AGENT, black).custom_fields["install_date"] == "2026-03-09"
