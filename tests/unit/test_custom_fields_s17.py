"""A custom field's typed reading of stored text it cannot read is a ValidationError naming the field.

Text stored before a field was declared with another type (a text field become a date or money field),
or by an older version (a date field holding an instant's text), made ``CustomFieldSet.typed`` raise
``ValueError`` or ``decimal.InvalidOperation``: an untyped exception out of ``desk.custom_fields.typed``.
"""

from __future__ import annotations

import pytest

from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.errors import ValidationError

FIELDS = CustomFieldSet.of(
    CustomField("install_date", FieldType.DATE),
    CustomField("quote", FieldType.MONEY),
    CustomField("floor", FieldType.NUMBER),
)


@pytest.mark.parametrize(
    ("name", "stored"),
    [("install_date", "2026-03-09T10:00:00+00:00"), ("quote", "面议"), ("floor", "三楼")],
)
def test_stored_text_a_field_cannot_read_is_refused_naming_it(name: str, stored: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FIELDS.typed({name: stored})
    assert refused.value.field == f"fields.{name}"


def test_stored_text_a_field_reads_is_typed() -> None:
    typed = FIELDS.typed({"install_date": "2026-03-09", "floor": "3", "note": "未声明"})
    assert str(typed["install_date"]) == "2026-03-09" and str(typed["floor"]) == "3"
    assert typed["note"] == "未声明"
