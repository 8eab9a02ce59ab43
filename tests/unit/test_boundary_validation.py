"""The validation rules themselves: checkers built from annotations, pack numbers, storage URLs.

Whatever value a checker is given, it returns one or raises ``ValidationError`` naming the field;
pack files with non-finite, huge or deeply nested values and malformed storage URLs are
``ConfigurationError``s, never ``ValueError``, ``OverflowError`` or ``RecursionError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import Contact, Customer, CustomerId, CustomerTier, Engineer, EngineerId, EngineerLevel
from aftersales.domain.ids import TicketId
from aftersales.domain.validation import check_record, checker_for
from aftersales.errors import (
    AftersalesError,
    ConfigurationError,
    NaiveDatetimeError,
    StorageError,
    ValidationError,
)
from aftersales.policies.pack import load_pack
from aftersales.policies.registry import resolve_policies
from aftersales.ports.storage_registry import check_url, open_storage

HINTS: list[Any] = [
    bool, int, str, date, datetime, Decimal, CustomerTier, TicketId, str | None, Sequence[str],
    Mapping[str, bool], frozenset[str], tuple[int, ...], Customer, float,
]  # fmt: skip


@pytest.mark.parametrize(
    ("hint", "field", "value", "expected"),
    [
        (bool, "urgent", True, True),
        (CustomerTier, "tier", "vip", CustomerTier.VIP),
        (str, "note", "cafe\u0301", "caf\u00e9"),
        (str, "note", "two\nlines\tok", "two\nlines\tok"),
        (int, "units_affected", 3, 3),
        (date, "purchase_date", date(2025, 1, 1), date(2025, 1, 1)),
        (TicketId, "ticket_id", "SR-2026-000001", "SR-2026-000001"),
        (Sequence[str], "about", ["a", "b"], ("a", "b")),
    ],
)
def test_good_values_come_back_normalised(hint: Any, field: str, value: Any, expected: Any) -> None:
    assert checker_for(hint, field)(value) == expected


@pytest.mark.parametrize(
    ("hint", "field", "value", "rule"),
    [
        (bool, "urgent", "false", "True or False"),
        (bool, "accepted", 1, "True or False"),
        (CustomerTier, "tier", "gold", "'regular', 'important', 'vip'"),
        (int, "units_affected", 2**64, "from 0 to 10,000,000"),
        (int, "satisfaction", 6, "from 1 to 5, got 6"),
        (int, "count", 1.0, "whole number"),
        (date, "purchase_date", datetime(2025, 1, 1, tzinfo=UTC), "not a datetime"),
        (date, "purchase_date", date(1, 1, 1), "1900-2200"),
        (datetime, "received_at", datetime(9999, 1, 1, tzinfo=UTC), "1900-2200"),
        (str, "name", "a\r\nBcc: x", "line break"),
        (str, "note", "nul\x00", "U+0000"),
        (str, "note", "\ud800", "U+D800"),
        (str, "region", "x" * 65, "at most 64"),
        (str, "customer_id", "", "not a valid id"),
        (str, "customer_id", "a b", "not a valid id"),
        (TicketId, "ticket_id", 7, "must be an id"),
        (Decimal, "amount", Decimal("NaN"), "finite"),
        (Sequence[str], "about", "abc", "collection"),
    ],
)
def test_bad_values_name_the_field_and_the_rule(hint: Any, field: str, value: Any, rule: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(rule)) as caught:
        checker_for(hint, field)(value)
    assert caught.value.field == field


def test_a_naive_datetime_is_its_own_error() -> None:
    with pytest.raises(NaiveDatetimeError):
        checker_for(datetime, "due_at")(datetime(2026, 1, 1))


@given(hint=st.sampled_from(HINTS), value=st.from_type(object) | st.text() | st.integers() | st.dates())
def test_a_checker_returns_or_raises_a_validation_error(hint: Any, value: Any) -> None:
    try:
        checker_for(hint, "field")(value)
    except ValidationError as exc:
        assert exc.field is not None and exc.field.startswith("field")


def test_records_are_checked_field_by_field() -> None:
    customer = Customer(CustomerId("c1"), "王五", Contact("王五"))
    object.__setattr__(customer, "tier", "gold")
    with pytest.raises(ValidationError) as caught:
        check_record(customer, "customer")
    assert caught.value.field == "customer.tier"
    engineer = Engineer(EngineerId("e1"), "赵工")
    object.__setattr__(engineer, "level", "senior")
    assert check_record(engineer, "engineer").level is EngineerLevel.SENIOR  # by its code


@pytest.mark.parametrize("skills", [None, 5, "plumbing", [1]])
def test_master_data_collections_refuse_with_a_typed_error(skills: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Engineer(EngineerId("e1"), "赵工", skills=skills)
    assert caught.value.field == "skills"


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text('[pack]\nname = "p"\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e300", "100000"])
def test_pack_durations_must_be_finite_and_bounded(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_pack(_pack(tmp_path, f"[sla]\nresponse_hours = {{ normal = {value} }}\n"))
    assert caught.value.key == "sla.response_hours.normal"


def test_deeply_nested_toml_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="nested too deeply"):
        load_pack(_pack(tmp_path, "[sla]\nx = " + "[" * 5000 + "]" * 5000 + "\n"))


def test_a_reasonable_pack_number_still_loads() -> None:
    assert resolve_policies("sanitary_ware").pack == "sanitary_ware"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///\x00x.db",
        "sqlite:///tmp/\ud800.db",
        "postgresql://u@h:99999999/db",
        "postgresql://u@h:abc/db",
        "postgresql://u@[::1/db",
        "postgresql://u@h:0/db",
        "sqlite:///" + "a" * 5000,
        "no-scheme",
        5,
    ],
)
def test_malformed_storage_urls_are_configuration_errors(url: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_storage(url)
    assert caught.value.key == "url"


def test_a_good_url_passes_the_check() -> None:
    assert (
        check_url("postgresql://u@localhost:5432/db?schema=s") == "postgresql://u@localhost:5432/db?schema=s"
    )
    with pytest.raises(AftersalesError):
        open_storage("SQLITE:///:memory:?mode=ro")


def test_a_postgresql_server_that_refuses_fails_the_open_at_once_with_its_reason() -> None:
    """Nothing listens on 127.0.0.1:1: the open says why (the driver's reason), where the pool alone
    retried for its 10 seconds and then said only "couldn't get a connection"."""
    pytest.importorskip("psycopg_pool")
    with pytest.raises(StorageError) as caught:
        open_storage("postgresql://aftersales@127.0.0.1:1/db")
    assert "refused" in str(caught.value).lower()
