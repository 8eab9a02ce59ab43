"""Desks on one store declare a custom field with one type (session 34 g): memory, SQLite, PostgreSQL.

A ticket keeps a custom field's value as text; the declaring desk says how to read it. A host's web
workers declaring ``floor`` a number and its import job declaring it text read one stored value two ways.
The store now keeps each field's first declared type: a desk declaring a stamped field with another type
is refused at its opening with a ``ConfigurationError`` naming ``custom_fields.<name>`` (one opened before
the stamp has its first write refused, and nothing of that write is kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import MANAGER, STORES, Opened, opened

from aftersales import CustomFieldTypes
from aftersales.domain.contact import Contact
from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import ConfigurationError, NotFound
from aftersales.service.desk import ServiceDesk


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _desk(store: Opened, *fields: CustomField) -> ServiceDesk:
    """Another desk on ``store`` (another process of the host) declaring ``fields``."""
    first = store.desk
    return ServiceDesk(
        first.context.store,
        policies=first.context.policies,
        clock=store.clock,
        settings={"timezone": first.context.timezone},
        custom_fields=CustomFieldSet.of(*fields),
    )


def _write(desk: ServiceDesk, n: int) -> None:
    desk.register_customer(
        MANAGER, Customer(CustomerId(f"c-{n}"), f"客户{n}", Contact(f"客户{n}", phone="13900000000"))
    )


def _stamped(store: Opened) -> dict[str, str] | None:
    with store.desk.store() as uow:
        try:
            return dict(uow.documents.get(CustomFieldTypes, "custom_fields").types)
        except NotFound:
            return None


def test_a_field_declared_with_another_type_is_refused_at_the_opening(store: Opened) -> None:
    web = _desk(store, CustomField("floor", FieldType.NUMBER), CustomField("colour", FieldType.TEXT))
    _write(web, 1)
    assert _stamped(store) == {"colour": "text", "floor": "number"}
    with pytest.raises(ConfigurationError) as refused:
        _desk(store, CustomField("floor", FieldType.TEXT))
    assert refused.value.key == "custom_fields.floor"
    assert "'number'" in str(refused.value) and "'text'" in str(refused.value)
    _desk(store, CustomField("floor", FieldType.NUMBER, label="楼层"))  # the same type: welcome
    _desk(store, CustomField("colour", FieldType.TEXT))  # a part of the fields: welcome


def test_a_desk_opened_before_the_stamp_has_its_first_write_refused_and_nothing_kept(store: Opened) -> None:
    late = _desk(store, CustomField("floor", FieldType.TEXT))  # no stamp yet: it opens
    web = _desk(store, CustomField("floor", FieldType.NUMBER))
    _write(web, 1)
    with pytest.raises(ConfigurationError) as refused:
        _write(late, 2)
    assert refused.value.key == "custom_fields.floor"
    with store.desk.store() as uow, pytest.raises(NotFound):
        uow.customers.get("c-2")
    assert _stamped(store) == {"floor": "number"}


def test_a_field_declared_later_is_stamped_by_its_desks_first_write(store: Opened) -> None:
    _write(_desk(store, CustomField("floor", FieldType.NUMBER)), 1)
    grown = _desk(store, CustomField("floor", FieldType.NUMBER), CustomField("installed", FieldType.DATE))
    assert _stamped(store) == {"floor": "number"}  # opening writes nothing
    _write(grown, 2)
    assert _stamped(store) == {"floor": "number", "installed": "date"}
    with pytest.raises(ConfigurationError) as refused:
        _desk(store, CustomField("installed", FieldType.TEXT))
    assert refused.value.key == "custom_fields.installed"


def test_a_desk_without_custom_fields_stamps_nothing(store: Opened) -> None:
    _write(store.desk, 1)
    assert _stamped(store) is None
