"""Session 29 (g): custom field values a host passes straight through, on memory, SQLite and PostgreSQL.

A value whose ``repr`` raises (a host's failing proxy) escaped untyped from ``set_custom_fields`` before
any check (the command's request is built from each value's ``repr``) and from the number, choice and
date checks (their refusals quoted it with ``!r``). Now it is a ``ValidationError`` naming
``fields.<name>``, and nothing changes. Full-width digits (``"２.５０"``, as a Chinese input method types
them) are read as the number on every store, and stored as the number's one text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_custom_field_values_s17 import FIELDS
from test_public_api_fuzz import RaisingRepr

from aftersales.errors import ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["water_pressure", "install_date", "site_note", "no_such_field"])
def test_a_value_whose_repr_raises_is_refused_naming_its_field(
    backend: str, name: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", custom_fields=FIELDS) as (desk, _, w):
        ticket = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="水压低").ticket
        before = desk.ticket(w.manager, ticket.id)
        seen = (before.version, len(before.events), dict(before.custom_fields))
        with pytest.raises(ValidationError) as refused:
            desk.set_custom_fields(w.agent, ticket.id, {name: RaisingRepr()})
        assert refused.value.field == f"fields.{name}"
        if name != "no_such_field":
            with pytest.raises(ValidationError) as refused:
                desk.open_ticket(
                    w.agent, customer_id=w.cust_zh.id, description="漏水", custom_fields={name: RaisingRepr()}
                )
            assert refused.value.field == f"fields.{name}"
        after = desk.ticket(w.manager, ticket.id)
        assert (after.version, len(after.events), dict(after.custom_fields)) == seen
        assert desk.count(w.manager) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_full_width_digits_are_the_number_on_every_store(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", custom_fields=FIELDS) as (desk, _, w):
        ticket = desk.open_ticket(
            w.agent,
            customer_id=w.cust_zh.id,
            description="水压低",
            custom_fields={"water_pressure": "２.５０"},
        ).ticket
        assert desk.ticket(w.manager, ticket.id).custom_fields["water_pressure"] == "2.5"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_date_field_given_no_text_names_the_field(backend: str, tmp_path: Path) -> None:
    # It was refused as "unsupported custom field value None" naming the bare "fields": the date check
    # read anything but text as None.
    with world_desk(backend, tmp_path, pack="sanitary_ware", custom_fields=FIELDS) as (desk, _, w):
        for value in (5, 20260102, ["2026-01-02"]):
            with pytest.raises(ValidationError) as refused:
                desk.open_ticket(
                    w.agent,
                    customer_id=w.cust_zh.id,
                    description="漏水",
                    custom_fields={"install_date": value},
                )
            assert refused.value.field == "fields.install_date" and "not a date" in str(refused.value)
        assert desk.count(w.manager) == 0
