"""The custom-fields policy kind: fields a pack declares for its tickets (``[custom_fields.fields.<name>]``).

    [custom_fields.fields.install_date]
    type = "date"
    label = "安装日期"
    required_for = ["installation"]

The desk merges them with the fields the host declares (a name declared by both is a
``ConfigurationError``); see :mod:`aftersales.domain.custom_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.policies.kinds import PolicyKind

__all__ = ["KIND", "CustomFieldsParams", "FieldSpec", "pack_fields"]


@attrs.frozen
class FieldSpec:
    """One declared field in a pack."""

    type: FieldType = FieldType.TEXT
    label: str = ""
    choices: tuple[str, ...] = ()
    required_for: tuple[str, ...] = ()
    currency: str | None = None
    max_length: int = 500


@attrs.frozen
class CustomFieldsParams:
    """The ``[custom_fields]`` section of a pack."""

    fields: Mapping[str, FieldSpec] = attrs.field(factory=dict)


def pack_fields(params: CustomFieldsParams | None) -> CustomFieldSet:
    """The field set a pack declares."""
    chosen = params or CustomFieldsParams()
    return CustomFieldSet.of(
        *(
            CustomField(
                name,
                spec.type,
                spec.label,
                spec.choices,
                frozenset(spec.required_for),
                spec.currency,
                spec.max_length,
            )
            for name, spec in chosen.fields.items()
        )
    )


KIND = PolicyKind("custom_fields", CustomFieldsParams, pack_fields)
