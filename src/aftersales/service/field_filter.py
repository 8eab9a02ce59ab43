"""Custom-field filters checked against the fields a desk declares (session 32, j).

Why: ``TicketFilter(custom_fields=...)`` is a port object that knows no declarations, so a misspelt
field name ("colur") or a value no ticket can hold (a choice the field does not offer) matched nothing
and the ledger, search and counts answered an empty list, as if no ticket carried it. A query a user
passes is used or refused: the desk refuses such a filter with a :class:`ValidationError` naming
``fields.<name>`` and the rule (``one_of``, with the names or choices allowed), and reads a value typed
as text the way the field reads it ("12.0" finds the number 12), as values are stored.
"""

from __future__ import annotations

import attrs

from aftersales.domain.custom_fields import CustomFieldSet, FieldType, canonical_value
from aftersales.errors import ValidationError
from aftersales.ports.queries import TicketFilter

__all__ = ["checked_field_filter"]


def checked_field_filter(filters: TicketFilter, fields: CustomFieldSet) -> TicketFilter:
    """``filters`` with each custom-field value as the declared field stores it; an undeclared name
    or a value outside a choice field's choices is a ``ValidationError`` (rule ``one_of``)."""
    if not filters.custom_fields:
        return filters
    wanted: dict[str, str] = {}
    for name, text in filters.custom_fields:
        field = fields.fields.get(name)
        if field is None:
            raise ValidationError(
                f"unknown custom field {name!r}",
                field=f"fields.{name}",
                rule="one_of",
                rule_params={"allowed": ", ".join(sorted(fields.fields)) or "-"},
            )
        if field.type is FieldType.CHOICE and text not in field.choices:
            raise ValidationError(
                f"custom field {name!r}: {text!r} is not one of {', '.join(field.choices)}",
                field=f"fields.{name}",
                rule="one_of",
                rule_params={"allowed": ", ".join(field.choices)},
            )
        # Money is stored as "12.50 CNY" text, which typed() reads; the other types parse typed text.
        typed = field.typed(text) if field.type is FieldType.MONEY else field.parse(text)
        wanted[name] = canonical_value(typed)
    return attrs.evolve(filters, custom_fields=wanted)
