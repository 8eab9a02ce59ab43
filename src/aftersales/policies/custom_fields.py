"""The custom-fields policy kind: fields a pack declares for its tickets (``[custom_fields.fields.<name>]``).

    [custom_fields.fields.install_date]
    type = "date"
    label = "安装日期"
    required_for = ["installation"]

    [custom_fields.fields.risk_note]
    type = "text"
    staff_only = true        # the staff's: a customer reads, finds, filters and gives none

The desk merges them with the fields the host declares (a name declared by both is a
``ConfigurationError``); see :mod:`aftersales.domain.custom_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from aftersales.domain.custom_fields import ALL_CATEGORIES, MAX_TEXT, CustomField, CustomFieldSet, FieldType
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, ValidationError, carried_rule
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params
from aftersales.policies.params import true_or_false

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
    staff_only: bool = attrs.field(default=False, validator=true_or_false)


def _declared(instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, FieldSpec]) -> None:
    """Each field as the desk will declare it, refused at load naming ``fields.<name>`` (the desk used to
    refuse it only when opened, naming the section alone), and what the domain would take but could never
    use: a ``required_for`` code no category has, a ``max_length`` no text fits."""
    for name, spec in value.items():
        where = f"{attribute.name}.{name}"
        # Before the field is built, which refuses it too but names only the field (session 37).
        if not 1 <= spec.max_length <= MAX_TEXT:
            raise ValidationError(
                f"max_length is from 1 to {MAX_TEXT} characters, got {spec.max_length}",
                field=f"{where}.max_length",
            )
        try:
            _field(name, spec)
        except ConfigurationError as error:
            raise ValidationError(
                str(error).removeprefix("custom_fields: "), field=where, **carried_rule(error)
            ) from None
        for code in spec.required_for:
            if code != ALL_CATEGORIES and not (isinstance(code, str) and CODE_PATTERN.fullmatch(code)):
                raise ValidationError(
                    f"required_for lists category codes (snake_case) or {ALL_CATEGORIES!r}, got {code!r}",
                    field=f"{where}.required_for",
                )


@refused_typed
@attrs.frozen
class CustomFieldsParams:
    """The ``[custom_fields]`` section of a pack."""

    fields: Mapping[str, FieldSpec] = attrs.field(factory=dict, validator=_declared)


def _field(name: str, spec: FieldSpec) -> CustomField:
    return CustomField(
        name,
        spec.type,
        spec.label,
        spec.choices,
        frozenset(spec.required_for),
        spec.currency,
        spec.max_length,
        spec.staff_only,
    )


def pack_fields(params: CustomFieldsParams | None) -> CustomFieldSet:
    """The field set a pack declares."""
    chosen = own_params(params, CustomFieldsParams, "custom_fields")
    return CustomFieldSet.of(*(_field(name, spec) for name, spec in chosen.fields.items()))


KIND = PolicyKind("custom_fields", CustomFieldsParams, pack_fields)
