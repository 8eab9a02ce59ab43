"""A custom-field filter is used or refused (session 32, j).

Why: a misspelt field name or a value a choice field does not offer answered an empty ledger, search
and count, as if no ticket carried it. Refused now with a ``ValidationError`` naming ``fields.<name>``
and the rule (``one_of``), on memory, SQLite and PostgreSQL; a number typed as text is read as the field
reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Actor,
    Contact,
    Customer,
    CustomField,
    CustomFieldSet,
    FieldType,
    ServiceDesk,
    TicketFilter,
)
from aftersales.adapters import ManualClock
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT = Actor.manager("m-1"), Actor.agent("a-1")
FIELDS = CustomFieldSet.of(
    CustomField("colour", FieldType.CHOICE, choices=("white", "black")),
    CustomField("floor", FieldType.NUMBER),
    CustomField("install_date", FieldType.DATE),
)


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, str]]:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, custom_fields=FIELDS) as opened,
    ):
        opened.register_customer(MANAGER, Customer("c-1", "张伟", Contact("张伟", phone="13912345678")))
        tid = opened.open_ticket(
            AGENT, customer_id="c-1", description="漏水",
            custom_fields={"colour": "black", "floor": 12, "install_date": date(2026, 3, 1)},
        ).ticket.id  # fmt: skip
        yield opened, tid


LISTS: dict[str, Callable[[ServiceDesk, TicketFilter], object]] = {
    "ledger": lambda d, f: d.ledger(AGENT, f),
    "rows": lambda d, f: d.ticket_rows(AGENT, f),
    "count": lambda d, f: d.count(AGENT, f),
    "search": lambda d, f: d.search(AGENT, "漏水", f),
    "export": lambda d, f: d.export_ledger(AGENT, f),
}


@pytest.mark.parametrize("how", sorted(LISTS))
@pytest.mark.parametrize(
    ("wanted", "field", "allowed"),
    [
        ({"colur": "black"}, "fields.colur", "colour, floor, install_date"),
        ({"colour": "red"}, "fields.colour", "white, black"),
    ],
)
def test_an_unknown_field_or_choice_is_refused_by_name_and_rule(
    desk: tuple[ServiceDesk, str], how: str, wanted: dict[str, str], field: str, allowed: str
) -> None:
    opened, _tid = desk
    with pytest.raises(ValidationError) as refused:
        LISTS[how](opened, TicketFilter(custom_fields=wanted))
    error = refused.value
    assert (error.field, error.rule, error.rule_params.get("allowed")) == (field, "one_of", allowed)
    said = render_error(error, "zh_Hans")
    assert "unknown" not in said and "not one of" not in said and allowed in said


def test_a_known_value_still_filters_and_a_number_typed_as_text_is_read_as_the_field(
    desk: tuple[ServiceDesk, str],
) -> None:
    opened, tid = desk
    for wanted in ({"colour": "black"}, {"floor": "12.0"}, {"floor": "12"}, {"install_date": "2026-03-01"}):
        assert [v.id for v in opened.ledger(AGENT, TicketFilter(custom_fields=wanted)).items] == [tid], wanted
        assert opened.count(AGENT, TicketFilter(custom_fields=wanted)) == 1
    assert opened.count(AGENT, TicketFilter(custom_fields={"colour": "white"})) == 0
    with pytest.raises(ValidationError) as refused:
        opened.count(AGENT, TicketFilter(custom_fields={"floor": "twelve"}))
    assert refused.value.field == "fields.floor"
