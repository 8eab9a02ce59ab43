"""Issue 25 re-read by a peer tester (session 32, h): personal data and hostile input through the public
API, on memory, SQLite and PostgreSQL.

Erasure must reach every place a name, phone, e-mail or address was copied: the search index, the outbox,
an attachment's name and bytes, the ledger export, the ticket's JSON — and, on SQLite, the database file,
its WAL and the attachment folder; on PostgreSQL every table of the desk's schema. Hostile values get the
same typed error, naming the field and the rule, on every store, and nothing is written. All passed on
the code as found.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Actor,
    Asset,
    Contact,
    Customer,
    CustomField,
    CustomFieldSet,
    Dealer,
    Engineer,
    FieldType,
    Product,
    ServiceDesk,
    TicketFilter,
    WarrantyTerm,
    to_json,
)
from aftersales.adapters import ManualClock, MemoryNotifier
from aftersales.errors import ValidationError
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT, OFFICER = Actor.manager("m1"), Actor.agent("a1"), Actor.privacy_officer("dpo")
NAME, PHONE, MAIL, ADDRESS = "欧阳娜娜", "13912345678", "nana.ouyang@example.cn", "浦东新区锦绣路1888弄"
PERSONAL = (NAME, PHONE, MAIL, ADDRESS, "欧阳娜", "锦绣路")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with store_url(request.param, tmp_path) as url:
        yield request.param, url


def _open(url: str, clock: ManualClock) -> ServiceDesk:
    fields = CustomFieldSet.of(CustomField("site", FieldType.TEXT))
    notifier = MemoryNotifier()
    return ServiceDesk.open(url, pack="sanitary_ware", clock=clock, notifier=notifier, custom_fields=fields)


def _left_in_postgres(url: str) -> list[str]:
    import psycopg

    schema = parse_qs(urlsplit(url).query)["schema"][0]
    found: list[str] = []
    with psycopg.connect(os.environ["AFTERSALES_PG_DSN"], autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                found += [f"{table}: {s}" for s in PERSONAL if s in row]
    return found


def test_erasure_reaches_search_outbox_attachments_exports_and_the_bytes(
    store: tuple[str, str], tmp_path: Path
) -> None:
    backend, url = store
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    desk = _open(url, clock)
    contact = Contact(NAME, phone=PHONE, email=MAIL, address=ADDRESS)
    desk.register_dealer(
        MANAGER, Dealer("pd", "浦东特约网点", "sh", contact=Contact("浦东", email="pd@example.cn"))
    )
    desk.register_product(MANAGER, Product("wc-1", "WC-1", "马桶", "toilet", (WarrantyTerm(36),)))
    desk.register_customer(MANAGER, Customer("c1", NAME, contact, region="sh", dealer_id="pd"))
    desk.register_asset(MANAGER, Asset("u1", "wc-1", "SN-ABC-0001", "c1"))
    ticket = desk.open_ticket(
        AGENT, customer_id="c1", asset_id="u1", description=f"{NAME}家的马桶漏水，电话{PHONE}",
        tags=[f"{NAME}VIP"], custom_fields={"site": f"{ADDRESS} 3楼"},
    ).ticket.id  # fmt: skip
    clock.advance(timedelta(minutes=5))
    desk.note_to_customer(AGENT, ticket, text=f"已联系{NAME}，地址{ADDRESS}")
    photo = b"\xff\xd8\xff\xe0" + b"\x01" * 2_000
    desk.attachments.attach(AGENT, ticket, kind="photo", name=f"{NAME}-现场.jpg", content=photo)
    assert desk.deliver().sent
    assert NAME in desk.export_ledger(AGENT) and [v.id for v in desk.search(AGENT, PHONE).items] == [ticket]
    assert PHONE in desk.privacy.export_customer(OFFICER, "c1")
    kpi_before = desk.count(AGENT, TicketFilter())

    clock.advance(timedelta(minutes=5))
    record = desk.privacy.erase_customer(OFFICER, "c1", "本人要求删除", cancel_open_tickets=True)
    assert (record.tickets, record.attachments, record.cancelled) == (1, 1, 1)
    for query in (PHONE, NAME, "欧阳", PHONE[-4:], "锦绣路", f"{NAME}VIP"):
        assert desk.search(AGENT, query).items == (), query
    assert desk.search(AGENT, "SN-ABC-0001").items  # the unit's serial is no personal datum: kept
    for text in (
        desk.export_ledger(AGENT),
        to_json(desk.ticket(AGENT, ticket)),
        desk.privacy.export_customer(OFFICER, "c1"),
    ):
        assert not [s for s in PERSONAL if s in text]
    assert desk.attachments.list(AGENT, ticket) == ()
    assert desk.count(AGENT, TicketFilter()) == kpi_before
    assert desk.privacy.erasures(OFFICER, "c1")[0].reason == "本人要求删除"
    desk.shutdown()

    if backend == "sqlite":
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any(p.suffix == ".db" for p in files)
        for path in files:  # the database, its WAL and the attachment folder
            data = path.read_bytes()
            assert not [s for s in PERSONAL if s.encode() in data], path
    elif backend == "postgres":
        assert _left_in_postgres(url) == []


HOSTILE: list[tuple[str, Callable[[ServiceDesk], object], str, str | None]] = [
    (
        "tier gold",
        lambda d: d.register_customer(
            MANAGER, Customer("c2", "x", Contact("x", phone="13800138001"), tier="gold")
        ),
        "customer.tier",
        "one_of",
    ),
    (
        "urgent 'false'",
        lambda d: d.open_ticket(AGENT, customer_id="c1", description="x", urgent="false"),
        "urgent",
        "true_or_false",
    ),
    (
        "purchase date as a datetime",
        lambda d: d.register_asset(
            MANAGER, Asset("u1", "wc-1", "SN1", "c1", purchase_date=datetime(2026, 1, 1, tzinfo=UTC))
        ),
        "asset.purchase_date",
        "date",
    ),
    (
        "NUL in text",
        lambda d: d.open_ticket(AGENT, customer_id="c1", description="漏\x00水"),
        "description",
        "control",
    ),
    (
        "lone surrogate",
        lambda d: d.open_ticket(AGENT, customer_id="c1", description="漏\ud800水"),
        "description",
        "control",
    ),
    (
        "header injection",
        lambda d: d.register_customer(
            MANAGER, Customer("c3", "a\r\nBcc: x", Contact("a", phone="13800138002"))
        ),
        "customer.name",
        "control",
    ),
    (
        "5 MB region",
        lambda d: d.register_customer(
            MANAGER, Customer("c4", "a", Contact("a", phone="13800138003"), region="x" * 5_000_000)
        ),
        "customer.region",
        "too_long",
    ),
    (
        "empty id",
        lambda d: d.register_customer(MANAGER, Customer("", "a", Contact("a", phone="13800138004"))),
        "customer.id",
        "id",
    ),
    (
        "unknown dealer",
        lambda d: d.register_customer(
            MANAGER, Customer("c5", "a", Contact("a", phone="13800138005"), dealer_id="nope")
        ),
        "customer.dealer_id",
        None,
    ),
    (
        "unknown product",
        lambda d: d.register_asset(MANAGER, Asset("u2", "nope", "SN2", "c1")),
        "asset.product_id",
        None,
    ),
    (
        "engineer level x",
        lambda d: d.register_engineer(MANAGER, Engineer("e1", "李", "x", frozenset(), "SH")),
        "engineer.level",
        "one_of",
    ),
]


@pytest.mark.parametrize(("name", "call", "field", "rule"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_value_is_the_same_typed_error_on_every_store_and_writes_nothing(
    store: tuple[str, str], name: str, call: Callable[[ServiceDesk], object], field: str, rule: str | None
) -> None:
    _backend, url = store
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with _open(url, clock) as desk:
        desk.register_product(MANAGER, Product("wc-1", "WC-1", "马桶", "toilet", (WarrantyTerm(36),)))
        desk.register_customer(MANAGER, Customer("c1", "王", Contact("王", phone="13800138000")))
        with pytest.raises(ValidationError) as refused:
            call(desk)
        assert (refused.value.field, refused.value.rule) == (field, rule)
        assert desk.count(AGENT, TicketFilter()) == 0
        assert desk.master_data_history(MANAGER, "customer", "c2") == []
        assert desk.ticket_rows is not None  # later reads still work
        assert desk.open_ticket(AGENT, customer_id="c1", description="之后照常受理").ticket.id


def test_years_outside_1900_to_2200_are_refused_naming_the_field() -> None:
    desk = _open("memory://", ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH)))
    desk.register_product(MANAGER, Product("wc-1", "WC-1", "马桶", "toilet", (WarrantyTerm(36),)))
    desk.register_customer(MANAGER, Customer("c1", "王", Contact("王", phone="13800138000")))
    for year in (1, 1899, 2201, 9999):
        with pytest.raises(ValidationError) as refused:
            desk.register_asset(MANAGER, Asset("u1", "wc-1", "SN1", "c1", purchase_date=date(year, 1, 1)))
        assert refused.value.field == "asset.purchase_date"
