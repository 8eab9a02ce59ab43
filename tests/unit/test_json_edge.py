"""JSON at the edge: RFC 3339 instants with a separate zone, decimals as strings, enums as codes,
a versioned envelope, reasons rendered; round trips; every instant read by Python and by JavaScript."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.embedding_world import AGENT, AUDITOR, dispatched_ticket, long_ticket, small_desk

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Priority
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.reasons import Reason
from aftersales.domain.survey_campaigns import CampaignChannel, SamplingRules, SurveyCampaign, SurveyTask
from aftersales.errors import ValidationError
from aftersales.json import SCHEMA_VERSION, from_dict, from_json, to_dict, to_json, zone_name
from aftersales.ports.queries import Page
from aftersales.serialization import dumps
from aftersales.service.jobs import JobsReport
from aftersales.service.views import CommandResult, Progress, TicketView

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), UTC]
OFFSETS = [timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-3, minutes=-30))]

instants = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz).astimezone(tz),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)),
    st.sampled_from(ZONES + OFFSETS),
)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@attrs.frozen
class Quote:
    """A value with the types the edge encodes specially (as a host's own result might be)."""

    total: Money
    rate: Decimal
    priority: Priority
    at: datetime
    due: datetime | None
    reasons: tuple[Reason, ...]
    wait: timedelta


progresses = st.builds(
    Progress,
    ticket_id=st.from_regex(r"SR-20[0-9]{2}-[0-9]{6}", fullmatch=True),
    state=st.sampled_from(["new", "assigned", "resolved", "closed"]),
    next_step=st.sampled_from(["done", "please_confirm"]),
    received_at=instants,
    category=st.sampled_from(list(Category.builtin())),
    description=texts,
    response_due_at=st.none() | instants,
    resolution_due_at=st.none() | instants,
    callback_due_at=st.none() | instants,
    engineer_name=st.none() | texts,
    notes=st.lists(texts, max_size=3).map(tuple),
    resolved_at=st.none() | instants,
    closed_at=st.none() | instants,
    expected_by=st.none() | instants,
    expected_at=st.none() | instants,
    visit_at=st.none() | instants,
)


def _instants(data: Any) -> list[tuple[str, str | None]]:
    """Every (instant text, zone) pair in JSON data: ``x`` with a sibling ``x_zone``."""
    found: list[tuple[str, str | None]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if f"{key}_zone" in data and isinstance(value, str):
                found.append((value, data[f"{key}_zone"]))
            found += _instants(value)
    elif isinstance(data, list):
        for item in data:
            found += _instants(item)
    return found


def _same_zone(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b and a.utcoffset() == b.utcoffset() and zone_name(a) == zone_name(b)


@given(progresses)
def test_progress_round_trips_with_zones(progress: Progress) -> None:
    text = to_json(progress)
    back = from_json(text, Progress)
    assert back == progress
    for name in ("received_at", "response_due_at", "resolved_at", "closed_at", "expected_at", "visit_at"):
        assert _same_zone(getattr(back, name), getattr(progress, name))
    assert json.loads(text) == to_dict(progress)  # the fast writer and the plain one agree


@given(progresses)
def test_every_instant_is_rfc3339_with_a_numeric_offset(progress: Progress) -> None:
    for text, zone in _instants(to_dict(progress)):
        parsed = datetime.fromisoformat(text)
        assert parsed.utcoffset() is not None
        assert "[" not in text and (text.endswith("Z") or text[-6] in "+-")
        if zone is not None:
            assert parsed.astimezone(ZoneInfo(zone)).utcoffset() == parsed.utcoffset()


@given(
    st.builds(
        Quote,
        total=st.decimals(min_value=0, max_value=10**9, places=2).map(lambda d: Money(d, "CNY")),
        rate=st.decimals(min_value=-(10**15), max_value=10**15, places=4),  # what a read takes
        priority=st.sampled_from(list(Priority)),
        at=instants,
        due=st.none() | instants,
        reasons=st.lists(
            st.builds(Reason, st.sampled_from(["priority_vip", "warranty_in_term"])), max_size=2
        ).map(tuple),
        wait=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    )
)
def test_decimals_are_strings_enums_codes_and_the_value_round_trips(quote: Quote) -> None:
    data = to_dict(quote)
    assert data["$type"] == "Quote" and data["$version"] == SCHEMA_VERSION
    assert data["total"] == {"amount": str(quote.total.amount), "currency": "CNY"}
    assert data["rate"] == str(quote.rate)
    assert data["priority"] == quote.priority.value
    assert isinstance(data["wait"], int | float)
    back = from_json(to_json(quote), Quote)
    assert back == quote


def test_a_ticket_view_round_trips_and_carries_its_reasons_in_three_languages() -> None:
    desk = small_desk()
    ticket_id = long_ticket(desk, 25)
    view = desk.ticket(AUDITOR, ticket_id)
    back = from_json(to_json(view), TicketView)
    assert isinstance(back, TicketView)
    assert dumps(back._ticket) == dumps(view._ticket)  # tickets compare by identity; their data must match
    assert [e.at for e in back.events] == [e.at for e in view.events]
    texts = {}
    for locale in ("zh_Hans", "zh_Hant", "en"):
        data = json.loads(to_json(view, locale=locale))
        (triage,) = [e for e in data["events"] if e["action"] == "triage"]
        texts[locale] = triage["reasons"]
        assert data["priority_reasons"][0]["text"] == triage["reasons"][0]
        assert data["is_open"] is True
    assert texts["zh_Hans"][0] == "无加急因素，按普通优先级处理"
    assert texts["zh_Hant"][0] == "無加急因素，按普通優先級處理"
    assert texts["en"][0] == "no urgency factors: normal priority"


def test_command_results_and_ledger_pages() -> None:
    desk = small_desk()
    _, result = dispatched_ticket(desk)
    data = to_dict(result, locale="en")
    assert [d["policy"] for d in data["decisions"]] == [d.policy for d in result.decisions]
    assert data["decisions"][-1]["reasons"][-1]["text"].startswith("pudong selected")
    back = from_json(to_json(result), CommandResult)
    assert dumps(back.ticket._ticket) == dumps(result.ticket._ticket)
    assert [(d.policy, d.reasons) for d in back.decisions] == [
        (d.policy, d.reasons) for d in result.decisions
    ]
    page = desk.ledger(AUDITOR)
    page_data = to_dict(page)
    assert page_data["$type"] == "Page" and [t["id"] for t in page_data["items"]] == [
        t.id for t in page.items
    ]
    assert isinstance(page, Page)


def test_every_instant_of_a_ticket_reads_the_same_in_javascript() -> None:
    desk = small_desk()
    view = desk.ticket(AUDITOR, long_ticket(desk, 12))
    pairs = _instants(to_dict(view)) + _instants(to_dict(desk.sla(AUDITOR, view.id)))
    assert len(pairs) > 12
    texts = [text for text, _ in pairs]
    expected = [int(datetime.fromisoformat(t).timestamp() * 1000) for t in texts]
    node = shutil.which("node")
    assert node is not None, "the JavaScript check needs node on PATH (the CI image has it)"
    script = (
        "const a = JSON.parse(process.argv[1]);"
        " console.log(JSON.stringify(a.map(s => new Date(s).getTime())))"
    )
    out = subprocess.run([node, "-e", script, json.dumps(texts)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == expected


def test_bad_input_is_a_typed_error() -> None:
    desk = small_desk()
    _, result = dispatched_ticket(desk)
    data = to_dict(result.ticket)
    with pytest.raises(ValidationError, match="version"):
        from_dict({**data, "$version": 99}, TicketView)
    with pytest.raises(ValidationError) as wrong_type:
        from_dict(data, Progress)
    assert wrong_type.value.field == "$type"
    with pytest.raises(ValidationError):
        from_dict({**data, "received_at": "yesterday"}, TicketView)
    with pytest.raises(ValidationError):
        from_json("{not json", TicketView)
    with pytest.raises(ValidationError) as no_form:
        to_dict(object())
    assert no_form.value.field == "obj"
    with pytest.raises(ValidationError) as locale:
        to_json(result, locale="")
    assert locale.value.field == "locale"
    for method in (result.ticket.to_dict, result.to_json):  # session 36: a list was Python's TypeError
        with pytest.raises(ValidationError) as listed:
            method(["en"])  # type: ignore[arg-type]
        assert listed.value.field == "locale"
    with pytest.raises(ValidationError):
        to_dict(datetime(2026, 1, 1))  # naive: no instant


def test_a_value_of_another_json_type_is_refused_not_coerced() -> None:
    # Session 36: cattrs' own hooks read ``null`` for a name as the text "None", 1.9 as 1, "false" as
    # true and a string for a list as its characters; the reader takes each JSON type as it is.
    dealer = to_dict(Dealer(DealerId("d-sh"), "上海经销商", "SH", frozenset({"SH"})))
    customer = to_dict(Customer(CustomerId("wang"), "王先生", Contact("王先生", phone="13800138000")))
    report = to_dict(JobsReport(ran=("sla_sweep",), counts={"sla_sweep": 2}))
    for data, cls in (
        ({**customer, "name": None}, Customer),
        ({**customer, "id": 7}, Customer),
        ({**customer, "contact": {**customer["contact"], "phone": 13800138000}}, Customer),
        ({**dealer, "service_area": "SHBJ"}, Dealer),
        ({**report, "counts": {"sla_sweep": 1.9}}, JobsReport),
        ({**report, "counts": {"sla_sweep": "2"}}, JobsReport),
        ({**report, "ran": "sla_sweep"}, JobsReport),
    ):
        with pytest.raises(ValidationError):
            from_dict(data, cls)  # type: ignore[type-var]
    assert from_dict(dealer, Dealer).service_area == frozenset({"SH"})  # the good data still reads


def test_a_refusal_says_where_in_the_nesting_the_bad_value_is() -> None:
    # Session 37: a field a class refused while built read "invalid value @ $.ticket" (not what, nor
    # which field); an event's fields were taken as they came ("1" for its seq, 5 for its action), and
    # its actor's role was placed at "$.ticket.events[0].role".
    _, result = dispatched_ticket(small_desk())
    data = to_dict(result)
    event = data["ticket"]["events"][1]
    for changed, where in (
        ({**data, "ticket": {**data["ticket"], "description": ""}}, "$.ticket.description"),
        (_with_event(data, {**event, "seq": "2"}), "$.ticket.events[1].seq"),
        (_with_event(data, {**event, "action": 5}), "$.ticket.events[1].action"),
        (_with_event(data, {**event, "actor": {**event["actor"], "role": "pope"}}), ".events[1].actor.role"),
    ):
        with pytest.raises(ValidationError) as caught:
            from_dict(changed, CommandResult)
        assert str(caught.value).endswith(where) and caught.value.field == "data"
    assert caught.value.rule == "one_of" and "pope" in str(caught.value)  # the role's rule, carried
    with pytest.raises(ValidationError) as caught:  # the one refusal's rule is carried; its words are cut
        from_dict({**data, "ticket": {**data["ticket"], "description": " "}}, CommandResult)
    assert caught.value.rule == "empty"
    with pytest.raises(ValidationError) as caught:  # a megabyte quoted back: cut
        from_dict({**data, "ticket": {**data["ticket"], "priority": "x" * 10**6}}, CommandResult)
    assert len(str(caught.value)) < 400 and str(caught.value).endswith("@ $.ticket.priority")


def _with_event(data: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    events = [*data["ticket"]["events"]]
    events[1] = event
    return {**data, "ticket": {**data["ticket"], "events": events}}


def test_a_generic_read_bare_or_a_class_that_is_not_one_is_a_typed_error() -> None:
    desk = small_desk()
    dispatched_ticket(desk)
    text = to_json(desk.ledger(AUDITOR))
    with pytest.raises(ValidationError, match=r"Page\[TicketView\]") as bare:
        from_json(text, Page)
    assert bare.value.field == "cls"
    for not_a_class in ("Page", 3, None):
        with pytest.raises(ValidationError) as wrong:
            from_json(text, not_a_class)  # type: ignore[arg-type]
        assert wrong.value.field == "cls"


def test_a_page_of_rows_reads_back_equal() -> None:
    from aftersales import TicketRow

    desk = small_desk()
    dispatched_ticket(desk)
    rows = desk.ticket_rows(AUDITOR)
    back = from_json(to_json(rows), Page[TicketRow])
    assert len(rows.items) == 1 and list(back.items) == list(rows.items)
    assert back.next_cursor == rows.next_cursor


def test_sla_status_pages_and_delivery_and_job_reports_round_trip() -> None:
    from aftersales import DispatchReport, JobsReport
    from aftersales.domain.sla_clock import SlaStatus

    desk = small_desk()
    ticket_id, _ = dispatched_ticket(desk)
    status = desk.sla(AUDITOR, ticket_id)
    assert from_json(to_json(status), SlaStatus) == status
    page = desk.ledger(AUDITOR)
    back = from_json(to_json(page), Page[TicketView])
    assert [t.id for t in back.items] == [t.id for t in page.items] and back.next_cursor == page.next_cursor
    delivered = desk.deliver()
    assert len(delivered.sent) > 0
    assert from_json(to_json(delivered), DispatchReport) == delivered
    jobs = desk.run_due_jobs()
    assert from_json(to_json(jobs), JobsReport) == jobs


def test_views_and_results_carry_to_dict_and_to_json() -> None:
    desk = small_desk()
    ticket_id, result = dispatched_ticket(desk)
    view = desk.ticket(AUDITOR, ticket_id)
    assert view.to_dict() == to_dict(view)
    assert result.to_json(locale="en") == to_json(result, locale="en")
    progress = desk.progress(AUDITOR, ticket_id)
    assert from_json(progress.to_json(), Progress) == progress


def test_tags_custom_fields_and_attachments_travel_and_round_trip() -> None:
    from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType

    fields = CustomFieldSet.of(
        CustomField("colour", FieldType.CHOICE, choices=("white", "black")),
        CustomField("install_date", FieldType.DATE),
    )
    desk = small_desk(custom_fields=fields)
    ticket_id, _ = dispatched_ticket(desk)
    desk.tag(AGENT, ticket_id, add=["VIP", "批量"])
    desk.set_custom_fields(AGENT, ticket_id, {"colour": "black", "install_date": date(2026, 3, 9)})
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
    desk.attachments.attach(AGENT, ticket_id, kind="photo", name="现场.jpg", content=jpeg)
    view = desk.ticket(AUDITOR, ticket_id)
    data = json.loads(to_json(view))
    assert data["tags"] == ["vip", "批量"]
    assert data["custom_fields"] == {"colour": "black", "install_date": "2026-03-09"}
    (photo,) = data["attachments"]
    assert photo["kind"] == "photo" and photo["media_type"] == "image/jpeg" and photo["size"] == len(jpeg)
    assert photo["added_at_zone"] == "Asia/Shanghai" and datetime.fromisoformat(photo["added_at"])
    assert data["charges"] is None
    assert data == to_dict(view)
    back = from_json(to_json(view), TicketView)
    assert (back.tags, dict(back.custom_fields), back.attachments) == (
        view.tags,
        dict(view.custom_fields),
        view.attachments,
    )
    assert dumps(back._ticket) == dumps(view._ticket)


def test_a_ticket_read_back_has_a_customer_and_a_version_a_command_could_give() -> None:
    # Session 37: the Ticket constructor takes them as given, so "" and -1 were read back as a ticket.
    _, result = dispatched_ticket(small_desk())
    data = to_dict(result)
    for key, bad, rule in (
        ("customer_id", "", "id"),
        ("customer_id", "客户 1", "id"),
        ("version", -1, "whole_number"),
    ):
        changed = {**data, "ticket": {**data["ticket"], key: bad}}
        with pytest.raises(ValidationError) as caught:
            from_dict(changed, CommandResult)
        assert str(caught.value).endswith(f"@ $.ticket.{key}") and caught.value.rule == rule
        with pytest.raises(ValidationError) as caught:
            from_json(json.dumps(changed["ticket"]), TicketView)
        assert str(caught.value).endswith(f"@ $.{key}") and caught.value.rule == rule


@attrs.frozen
class _Rates:
    rates: tuple[Decimal, ...]


def test_a_decimal_is_read_as_the_writer_writes_it_and_nan_or_infinity_is_refused_at_its_path() -> None:
    """``Decimal()`` alone read NaN and Infinity (and spaces, ``1_0``, other scripts' digits)."""
    written = to_json(_Rates((Decimal("1E+3"), Decimal("0.0000001"), Decimal("-0.50"))))
    assert from_json(written, _Rates).rates == (Decimal("1000"), Decimal("1E-7"), Decimal("-0.50"))
    for bad in ("NaN", "-Infinity", "sNaN", " 1", "1_0", "٣"):
        with pytest.raises(ValidationError) as refused:
            from_json(f'{{"rates": ["1", "{bad}"]}}', _Rates)
        assert "@ $.rates[1]" in str(refused.value) and refused.value.rule == "number", bad


def test_a_decimal_or_duration_no_arithmetic_can_hold_is_refused_at_its_path() -> None:
    """``1E+99999999`` was read as a decimal (then a quantize raised ``InvalidOperation``, a division
    ``Overflow``, far from the data), and a duration of 1e300 seconds escaped as ``OverflowError``."""
    written = to_json(_Rates((Decimal("1E+15"), Decimal("1E-40"), Decimal("0.9523809523809523809523809524"))))
    assert from_json(written, _Rates).rates[2] == Decimal("0.9523809523809523809523809524")
    for bad in ("1E+99999999", "1E+16", "1E-99999999", "0E-99999999", "1" * 41):
        with pytest.raises(ValidationError) as refused:
            from_json(f'{{"rates": ["1", "{bad}"]}}', _Rates)
        assert "@ $.rates[1]" in str(refused.value) and refused.value.rule == "number", bad
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    data = to_dict(
        Quote(Money(Decimal("1"), "CNY"), Decimal("1"), Priority.NORMAL, at, None, (), timedelta(0))
    )
    for wait in (1e300, -(10**12)):
        with pytest.raises(ValidationError) as refused:
            from_dict({**data, "wait": wait}, Quote)
        assert "@ $.wait" in str(refused.value), wait


def test_a_survey_campaign_s_title_and_a_task_s_comment_are_text_by_the_shared_rule() -> None:
    """Session 39: the desk refused a NUL or a control character in a campaign's title, but the record
    built directly or read back by ``from_json`` took them (the title goes into every invitation)."""
    rules = SamplingRules(served_within_days=90, exclude_surveyed_days=90, sample_size=10)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    campaign = SurveyCampaign(
        "C1", "2026-Q1", rules, CampaignChannel.CALL, at, ActorRef("m1", Role.MANAGER), title="一季度回访"
    )
    data = to_dict(campaign)
    for bad in ("a\x00b", "a\x1bb", "一季度\n回访", "x" * 201):
        with pytest.raises(ValidationError) as refused:
            attrs.evolve(campaign, title=bad)
        assert refused.value.field == "title", bad
        with pytest.raises(ValidationError) as read:
            from_dict({**data, "title": bad}, SurveyCampaign)
        assert "@ $.title" in str(read.value), bad
    task = SurveyTask("C1:c1", "C1", CustomerId("c1"), None, at, comment="水压小\n师傅态度好")
    with pytest.raises(ValidationError) as refused:
        attrs.evolve(task, comment="a\x00b")
    assert refused.value.field == "comment"
