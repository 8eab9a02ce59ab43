from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine, ChargeSheet, SheetLine
from aftersales.domain.classification import Category, ImpactScope, Plan, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit
from aftersales.errors import ValidationError
from aftersales.ports.outbox import OutboxMessage, outbox_record
from aftersales.serialization import (
    datetime_text,
    decode_json,
    dumps,
    encode_json,
    loads,
    parse_datetime_text,
    structure,
    unstructure,
)

from .factories import AGENT, ENGINEER, new_ticket

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")]
instants = st.builds(
    lambda base, zone: base.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    st.sampled_from(ZONES),
)
codes = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


INT64 = st.integers(-(2**63), 2**63 - 1)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    start = draw(instants)
    t = new_ticket(received=start)
    t.description = draw(texts)
    now = start
    for _ in range(draw(st.integers(0, 12))):
        now = now + timedelta(minutes=draw(st.integers(0, 3000)))
        allowed = TICKET_WORKFLOW.allowed(t.state)
        if not allowed:
            break
        trigger = draw(st.sampled_from(allowed))
        if trigger == "triage":
            t.triage(
                AGENT,
                now,
                Assessment(draw(codes), draw(st.sampled_from(Severity)), draw(st.sampled_from(ImpactScope)),
                           draw(st.sampled_from(Plan))),
                draw(st.sampled_from(Priority)),
                [Reason(draw(codes), {"n": draw(INT64), "s": draw(st.text(max_size=5))})],
            )  # fmt: skip
        elif trigger in ("assign", "reassign"):
            assignee = Assignee(draw(st.sampled_from(AssigneeKind)), draw(codes), draw(st.text(max_size=9)))
            t.assign(AGENT, now, assignee, reason="r")
        elif trigger == "record_fault":
            t.record_fault(ENGINEER, now, FaultRecord(draw(codes), draw(codes), draw(codes), now, ENGINEER))
        elif trigger == "add_visit":
            t.add_visit(AGENT, now, Visit(now, "eng-1", arrived_at=now))
        elif trigger == "note_to_customer":
            t.note_to_customer(AGENT, now, CustomerNote(draw(texts), draw(st.booleans())))
        else:
            t.step(trigger, AGENT, now, reason=draw(st.none() | texts) or "r")
    t.version = draw(st.integers(0, 1000))
    return t


@given(tickets())
def test_ticket_round_trip_is_identity(ticket: Ticket) -> None:
    data = unstructure(ticket)
    again = structure(data, Ticket)
    assert unstructure(again) == data
    assert loads(dumps(ticket), Ticket).events == ticket.events
    assert again.state == ticket.state and again.replay_state() == ticket.state
    # the IANA zone survives, not just the offset
    assert again.received_at.tzinfo == ticket.received_at.tzinfo


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**10), max_value=10**10),
       st.sampled_from(["CNY", "USD", "HKD", "TWD"]))  # fmt: skip
def test_money_round_trip(amount: Decimal, currency: str) -> None:
    m = Money(amount, currency)
    assert loads(dumps(m), Money) == m


def test_reference_entities_round_trip() -> None:
    objects = [
        Customer(CustomerId("c1"), "王", Contact("王", phone="13800138000"), tier=CustomerTier.VIP),
        Dealer(DealerId("d1"), "网点", "sh", service_area={"sh", "js"}),
        Product(
            ProductId("p1"), "CT-1", "坐便器", "toilet", [WarrantyTerm(60, "ceramic_body"), WarrantyTerm(12)]
        ),
        Asset(AssetId("a1"), ProductId("p1"), "SN1", batch="B2025-07", purchase_date=date(2025, 7, 1)),
        ActorRef("x", Role.AUDITOR),
        Category("descaling"),
    ]
    for obj in objects:
        assert loads(dumps(obj), type(obj)) == obj


def test_json_is_readable_and_exact() -> None:
    text = dumps(Money("12.50", "CNY"))
    assert text == '{"amount":"12.50","currency":"CNY"}'
    assert '"冲洗不出水' in dumps(new_ticket())


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"amount": 1.5, "currency": "CNY"}, Money),
        ({"amount": "1", "currency": "XXQ"}, Money),
        ("2026-01-01T09:00:00", datetime),
        ({"id": "x", "role": "wizard"}, ActorRef),
    ],
)
def test_bad_data_is_refused(data: object, cls: type) -> None:
    with pytest.raises((ValidationError, ValueError)):
        structure(data, cls)


def test_unknown_keys_are_refused() -> None:
    data = unstructure(new_ticket())
    data["surprise"] = 1
    with pytest.raises(ValidationError, match=r"surprise|extra"):
        structure(data, Ticket)


def test_integers_beyond_64_bits_are_refused_not_rounded() -> None:
    with pytest.raises(ValueError, match="64-bit"):
        Reason("too_big", {"n": 2**63})
    with pytest.raises(ValidationError, match="JSON"):
        encode_json({"n": -(2**63) - 1})
    assert decode_json(encode_json({"n": -(2**63), "m": 2**63 - 1})) == {"n": -(2**63), "m": 2**63 - 1}


def test_json_text_is_compact_utf8_with_non_string_keys_as_text() -> None:
    text = encode_json({"a": [1, None, True], "名": "漏水", 3: "x"})
    assert text == '{"a":[1,null,true],"名":"漏水","3":"x"}'


payload_values = st.recursive(
    st.none() | st.booleans() | INT64 | texts | instants | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(codes, inner, max_size=3)
        | st.dictionaries(codes, inner, max_size=3).map(MappingProxyType)
    ),
    max_leaves=8,
)


@given(
    payload=st.dictionaries(codes, payload_values, max_size=4),
    created=instants,
    sent=st.none() | instants,
    error=st.none() | texts,
)
def test_an_outbox_record_encodes_to_what_dumps_writes(
    payload: dict[str, object], created: datetime, sent: datetime | None, error: str | None
) -> None:
    # Stores encode outbox_record(m) instead of unstructuring m first: the text must not differ.
    message = OutboxMessage("m-1", "ticket_event", payload, "T-1:3", created, 2, sent, error, sent)
    assert encode_json(outbox_record(message)) == dumps(message)
    assert loads(dumps(message), OutboxMessage).created_at == created


def test_a_save_appends_new_events_to_the_stored_text_byte_for_byte() -> None:
    from datetime import timedelta

    from aftersales.domain.work import CustomerNote
    from aftersales.serialization import EventsText, dumps_utf8, ticket_text_utf8
    from aftersales.testing.storage_contract import ENGINEER, contract_ticket

    ticket = contract_ticket(3, state="assigned")
    text, events = ticket_text_utf8(ticket, ticket.version, None)
    assert text == dumps_utf8(ticket)
    at = ticket.last_event_at
    for n in range(3):
        at += timedelta(minutes=1)
        ticket.note_to_customer(ENGINEER, at, CustomerNote(f"note {n}"))
        previous = events
        text, events = ticket_text_utf8(ticket, ticket.version, previous)
        assert text == dumps_utf8(ticket)  # the same bytes as a full serialisation
        assert events.count == len(ticket.events) and events.array.startswith(previous.array[:-1])
    # Text that does not describe this ticket's first events is not trusted.
    wrong = EventsText(2, 99, b'[{"bogus":1},{"bogus":2}]')
    assert ticket_text_utf8(ticket, ticket.version, wrong)[0] == dumps_utf8(ticket)


@pytest.mark.parametrize(
    ("wall", "fold"),
    [
        (datetime(2024, 3, 31, 2, 30), 0),  # inside the spring-forward gap: no such wall time in Berlin
        (datetime(2024, 10, 27, 2, 30), 0),  # the autumn night's first 02:30 (+02:00)
        (datetime(2024, 10, 27, 2, 30), 1),  # and its second (+01:00)
        (datetime(2024, 7, 1, 9, 0), 0),
    ],
)
def test_a_datetime_reads_back_as_the_wall_time_it_was_written_with(wall: datetime, fold: int) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    at = wall.replace(tzinfo=berlin, fold=fold)
    again = parse_datetime_text(datetime_text(at))
    # Same zone: Python compares wall times, so the value must be the same wall time and offset.
    assert again == at and again.utcoffset() == at.utcoffset() and again.tzinfo is berlin


def test_datetime_text_kept_by_identity_is_the_text_of_that_very_datetime() -> None:
    # The texts are kept per object: a new datetime (even one reusing a freed object's id, or equal as an
    # instant in another zone) gets its own text, and the same object the same text every time.
    zones = [
        ZoneInfo("Asia/Shanghai"),
        ZoneInfo("Europe/London"),
        UTC,
        timezone(timedelta(hours=-3)),
    ]
    base = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for i in range(500):
        at = (base + timedelta(minutes=i, microseconds=i % 3)).astimezone(zones[i % len(zones)])
        key = getattr(at.tzinfo, "key", None)
        expected = f"{at.isoformat()}[{key}]" if key else at.isoformat()
        assert datetime_text(at) == expected
        assert datetime_text(at) == expected
        assert parse_datetime_text(expected) == at


_ZONES = [ZoneInfo(name) for name in ("Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata")]


@given(
    wall=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    zone=st.sampled_from([*_ZONES, UTC, timezone(timedelta(hours=-3, minutes=-30))]),
    fold=st.integers(0, 1),
)
def test_datetime_text_is_the_iso_text_with_the_zone_name(wall: datetime, zone: tzinfo, fold: int) -> None:
    # datetime_text takes a faster route than isoformat() for whole-minute offsets: the same text.
    at = wall.replace(tzinfo=zone, fold=fold)
    key = getattr(zone, "key", None)
    assert datetime_text(at) == (f"{at.isoformat()}[{key}]" if key else at.isoformat())


def test_datetime_text_of_offsets_with_seconds_and_of_naive_values() -> None:
    # Shanghai's local mean time before 1901 (+08:05:43) and a naive value take isoformat() itself.
    old = datetime(1890, 5, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert datetime_text(old) == old.isoformat() + "[Asia/Shanghai]"
    assert "+08:05:43" in datetime_text(old)
    assert datetime_text(datetime(2024, 1, 1, 8, 0)) == "2024-01-01T08:00:00"


def test_a_sheet_read_back_shares_its_equal_reasons_and_prices_and_writes_back_the_same() -> None:
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    whole = (
        Reason("in_warranty", {"months": 36, "component": None}),
        Reason("chargeable_cause", {"cause": "x"}),
    )
    body = (Reason("in_warranty", {"months": 60, "component": "body"}), whole[1])
    flags = (Reason("flag", {"on": True}), Reason("flag", {"on": 1}))  # equal, yet written apart
    price, cost = Money("120.00", "CNY"), Money("75.00", "CNY")
    lines = [
        SheetLine(
            ChargeLine(ChargeKind.MATERIALS, f"WN-{n}", price), whole if n % 2 else body, "body", "in", cost
        )
        for n in range(4)
    ]
    lines.append(SheetLine(ChargeLine(ChargeKind.LABOUR, "repair", Money("80", "CNY")), flags))
    free = [line.line for line in lines[:2]]
    sheet = ChargeSheet(TicketId("T-1"), "CNY", lines=lines, reasons=whole, assessed_at=at, free_work=free)
    text = dumps(sheet)
    back = loads(text, ChargeSheet)
    assert back == sheet and dumps(back) == text
    read = back.lines
    assert read[1].reasons is read[3].reasons is back.reasons  # one tuple per distinct stored form
    assert read[0].reasons is read[2].reasons and read[0].reasons[1] is read[1].reasons[1]
    assert read[0].line.unit_price is read[1].line.unit_price and read[0].dealer_cost is read[3].dealer_cost
    on_true, on_one = read[4].reasons
    assert on_true is not on_one and on_true.params["on"] is True and type(on_one.params["on"]) is int
    assert back.free_work[1] is read[1].line and read[0].line is not read[1].line  # WN-0 and WN-1
    assert loads(text, ChargeSheet).lines[0].reasons is not read[0].reasons  # nothing kept between reads
    data = decode_json(text)
    data["free_work"][1]["colour"] = "red"  # the same line with a key too many is still refused
    with pytest.raises(Exception, match="colour"):
        structure(data, ChargeSheet)
    with pytest.raises(ValidationError):
        loads(text.replace('"75.00"', '"-75.00"'), ChargeSheet)


def test_amounts_and_lines_are_shared_across_sheets_read_back_and_reasons_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aftersales.shared_reading as shared_reading

    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    price, cost = Money("121.00", "CNY"), Money("76.00", "CNY")
    reasons = (Reason("in_warranty", {"months": 36}),)

    def sheet(ticket: str, start: str) -> str:
        line = SheetLine(ChargeLine(ChargeKind.MATERIALS, "WN-POOL-1", price), reasons, "body", "in", cost)
        dated = (Reason("in_warranty", {"start": start}),)
        return dumps(ChargeSheet(TicketId(ticket), "CNY", lines=[line], reasons=dated, assessed_at=at))

    first_text, second_text = sheet("T-1", "2024-01-10"), sheet("T-2", "2024-01-11")
    first, second = loads(first_text, ChargeSheet), loads(second_text, ChargeSheet)
    assert dumps(first) == first_text and dumps(second) == second_text
    a, b = first.lines[0], second.lines[0]
    assert a.line is b.line and a.dealer_cost is b.dealer_cost  # the price list's values, once per desk
    assert a.reasons is not b.reasons and a.reasons == b.reasons  # reasons: shared within a sheet only
    assert first.reasons != second.reasons
    # A full pool keeps no more; a sheet still shares its own equal values.
    monkeypatch.setattr(shared_reading, "PRICE_POOL_LIMIT", 0)
    other = Money("122.00", "CNY")
    lines = [SheetLine(ChargeLine(ChargeKind.MATERIALS, f"WN-{n}", other), reasons) for n in range(2)]
    text = dumps(ChargeSheet(TicketId("T-3"), "CNY", lines=lines, assessed_at=at))
    one, two = loads(text, ChargeSheet), loads(text, ChargeSheet)
    assert one.lines[0].line.unit_price is one.lines[1].line.unit_price
    assert one.lines[0].line.unit_price is not two.lines[0].line.unit_price
    assert one == two and dumps(one) == text
