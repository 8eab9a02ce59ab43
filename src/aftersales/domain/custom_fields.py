"""Custom fields: typed facts a pack or a host adds to tickets without forking the model.

A :class:`CustomField` declares a name, a :class:`FieldType` (text, number, date, choice, money), the
categories that require it, and the choices or currency it needs. A :class:`CustomFieldSet` validates
what a user gives (unknown name, wrong type, missing required field → ``ValidationError`` naming the
field ``fields.<name>``) and stores each value as canonical text in the ticket's ``fields`` map:
no column per field, the same text in every store, equal values compare equal in filters.

A field declared ``staff_only`` holds the staff's own facts about a ticket (a ``risk_note``, a
``cost_centre``): a customer reads no value of it anywhere, finds and filters no ticket by it and gives
none (``service.reader_view``). Such a field cannot be required: customers open calls themselves
(``open_ticket``) and could never give it. A value of a field the set does not declare (stored under an
earlier declaration) is hidden from customers as a staff-only one is (``hidden_from_customers``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.money import Money, currency_exponent
from aftersales.domain.number_text import number_from_text
from aftersales.domain.validation import check_text
from aftersales.errors import ConfigurationError, UnknownCurrency, ValidationError, carried_rule, shown_repr

__all__ = [
    "ALL_CATEGORIES",
    "OPENED_WITHOUT_VALUES",
    "CustomField",
    "CustomFieldSet",
    "FieldType",
    "HiddenFields",
    "canonical_value",
]

ALL_CATEGORIES = "*"
"""In ``required_for``: every category of service call (not those of :data:`OPENED_WITHOUT_VALUES`)."""

OPENED_WITHOUT_VALUES = frozenset({"complaint", "maintenance"})
"""Categories whose tickets are opened without field values: a complaint (a crisis report goes in at
once, seed 004; a low callback score opens one by itself) and a planned maintenance visit (the daily
job). No field can be required of them: ``"*"`` does not reach them and naming one is refused."""

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_TEXT = 500


class FieldType(CodedEnum):
    """The types a custom field may have."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MONEY = "money"


def canonical_value(value: object) -> str:
    """The stored text of a typed value: numbers normalised, dates ISO, money ``"12.50 CNY"``."""
    if isinstance(value, bool):
        raise ValidationError("a custom field value is not a yes/no", field="fields")
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, Decimal | int):
        return _number_text(Decimal(value))
    if isinstance(value, datetime):
        raise ValidationError("a date field holds a day, not a date and time", field="fields")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise ValidationError(f"unsupported custom field value {shown_repr(value)}", field="fields")


def _number_text(number: Decimal) -> str:
    """``number`` as plain digits, normalised whatever its typed precision: 1.50, 1.5 and 1.500 are one
    value, and equal values must be one text to compare equal in filters (a non-whole number used to
    keep the zeros it was typed with). Every digit is kept (the default context rounded past 28), and a
    number whose digits would not fit a field's text (1e999999999) is refused, not written out."""
    if not number.is_finite():
        return str(number)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number's
    if max(number.adjusted(), 0) + max(-exponent, 0) >= MAX_TEXT:
        raise ValidationError(f"a number field holds at most {MAX_TEXT} digits", field="fields")
    exact = number.normalize(Context(prec=max(len(number.as_tuple().digits), 1)))
    text = format(exact, "f")
    return text if text != "-0" else "0"


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(_listed(value, "choices"))


def _codes(value: Iterable[str]) -> frozenset[str]:
    return frozenset(_listed(value, "required_for"))


def _listed(value: object, key: str) -> Iterable[str]:
    """``value``, a collection of texts; one text is no list of them (``"repair"`` was read as its letters,
    a field required for the categories r, e, p…: never required; session 37)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(
            f"{key} is a list of texts, got {shown_repr(value)}", key="custom_fields", rule="collection"
        )
    return value


def _refuse(name: str, message: str) -> ValidationError:
    return ValidationError(f"custom field {name!r}: {message}", field=f"fields.{name}")


@attrs.frozen
class CustomField:
    """One declared field. ``required_for`` holds category codes (or ``"*"`` for all); ``staff_only``
    keeps its values from the customer (the staff's own facts, as tags are the staff's labels)."""

    name: str
    type: FieldType = attrs.field(converter=FieldType)
    label: str = ""
    choices: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    required_for: frozenset[str] = attrs.field(default=frozenset(), converter=_codes)
    currency: str | None = None
    max_length: int = MAX_TEXT
    staff_only: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ConfigurationError(
                f"a custom field name is a lower-case identifier of at most 40 characters, got {self.name!r}",
                key="custom_fields",
            )
        if not isinstance(self.staff_only, bool):
            # "no" or 0 would read as a visibility it is not: a yes/no, or refused.
            raise ConfigurationError(
                f"staff_only of {self.name!r} is true or false, got {self.staff_only!r}",
                key="custom_fields",
                rule="true_or_false",
            )
        if self.staff_only and self.required_for:
            raise ConfigurationError(
                f"staff-only field {self.name!r} cannot be required: a customer opening a call may not "
                "give it",
                key="custom_fields",
            )
        unanswerable = sorted(self.required_for & OPENED_WITHOUT_VALUES)
        if unanswerable:
            raise ConfigurationError(
                f"{self.name!r} cannot be required for {', '.join(unanswerable)}: those tickets are opened "
                "without field values (a complaint or crisis report, a planned maintenance visit)",
                key="custom_fields",
            )
        if self.type is FieldType.CHOICE and not self.choices:
            raise ConfigurationError(f"choice field {self.name!r} declares no choices", key="custom_fields")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ConfigurationError(f"only choice fields have choices ({self.name!r})", key="custom_fields")
        for choice in self.choices:
            try:
                clean = isinstance(choice, str) and check_text(choice, "choice", multiline=False) == choice
            except ValidationError:
                clean = False
            if not clean or not choice.strip():
                raise ConfigurationError(
                    f"choice {choice!r} of {self.name!r} is not plain one-line text", key="custom_fields"
                )
        if self.type is not FieldType.MONEY and self.currency is not None:
            raise ConfigurationError(
                f"only money fields have a currency ({self.name!r})", key="custom_fields"
            )
        if self.currency is not None:
            try:  # a currency no amount is in would refuse every value given (UnknownCurrency)
                currency_exponent(self.currency)
            except UnknownCurrency:
                raise ConfigurationError(
                    f"currency of {self.name!r} is no ISO 4217 code: {shown_repr(self.currency)}",
                    key="custom_fields",
                ) from None
        if type(self.max_length) is not int or not 1 <= self.max_length <= MAX_TEXT:
            # -1 refused every text, 1.5 was kept as a length
            raise ConfigurationError(
                f"max_length of {self.name!r} is a whole number from 1 to {MAX_TEXT}",
                key="custom_fields",
                rule="whole_number",
                rule_params={"least": 1, "most": MAX_TEXT},
            )

    def required(self, category: str) -> bool:
        """Whether tickets of ``category`` must carry this field."""
        if category in self.required_for:
            return True
        return ALL_CATEGORIES in self.required_for and category not in OPENED_WITHOUT_VALUES

    def parse(self, value: object) -> object:
        """The typed value of ``value`` (a typed value, or text as a user would type it)."""
        name = self.name
        if self.type is FieldType.TEXT or self.type is FieldType.CHOICE:
            if not isinstance(value, str) or not value.strip():
                raise _refuse(name, "expects non-blank text")
            if len(value) > self.max_length:
                raise _refuse(name, f"is at most {self.max_length} characters")
            if self.type is FieldType.CHOICE and value not in self.choices:
                raise _refuse(name, f"{shown_repr(value)} is not one of {', '.join(self.choices)}")
            # The rules of all text users type (no control characters but newline and tab, no lone
            # surrogates, NFC): a NUL or a surrogate was stored by one store and refused by another,
            # with the driver's untyped error (PostgreSQL's DataError, SQLite's UnicodeEncodeError).
            return check_text(value, f"fields.{name}", multiline=True, limit=self.max_length)
        if self.type is FieldType.NUMBER:
            if isinstance(value, bool | float):
                raise _refuse(name, "expects a whole or decimal number (int, Decimal or text), not a float")
            # Text as Money reads it (number_text): Decimal alone took "１２", "١٢", "1e3" and "1_000".
            number: Decimal | None
            if isinstance(value, str):
                number = number_from_text(value)
            else:
                number = Decimal(value) if isinstance(value, int | Decimal) else None
            if number is None or not number.is_finite():
                raise _refuse(name, f"{shown_repr(value)} is not a number")
            try:
                _number_text(number)
            except ValidationError as error:
                raise _refuse(name, str(error).removeprefix("fields: ")) from None
            return number
        if self.type is FieldType.DATE:
            if isinstance(value, datetime):
                # A day, not an instant: which day an instant is depends on a time zone (and the text
                # stored was the instant's, which typed() could not read back).
                raise _refuse(name, "expects a date (YYYY-MM-DD), not a date and time")
            if isinstance(value, date):
                return value
            if isinstance(value, str):  # anything else was "None", refused as "unsupported value None"
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    pass
            raise _refuse(name, f"{shown_repr(value)} is not a date (YYYY-MM-DD)")
        # money
        if not isinstance(value, Money):
            raise _refuse(name, "expects Money")
        if self.currency is not None and value.currency != self.currency:
            raise _refuse(name, f"is in {self.currency}, got {value.currency}")
        return value

    def typed(self, stored: str) -> Any:
        """The typed value of stored text; text this type cannot read (stored before the field was
        declared with another type, or by an older version) is a ``ValidationError`` naming the field,
        not a ``ValueError`` or ``decimal.InvalidOperation`` from the parser."""
        try:
            if self.type is FieldType.NUMBER:
                return Decimal(stored)
            if self.type is FieldType.DATE:
                return date.fromisoformat(stored)
            if self.type is FieldType.MONEY:
                amount, currency = stored.split(" ")
                return Money(Decimal(amount), currency)
        except (ValueError, ArithmeticError, TypeError):  # InvalidOperation is an ArithmeticError
            raise _refuse(self.name, f"stored value {stored!r} is not a {self.type.value}") from None
        return stored


@host_factories
@attrs.frozen
class CustomFieldSet:
    """The custom fields a desk knows, by name (declared by the pack and the host)."""

    fields: Mapping[str, CustomField] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        # A list of fields (``CustomFieldSet([...])``) failed at the desk's construction with a bare
        # AttributeError ('list' object has no attribute 'values'): refused by name, pointing to ``of``.
        fields = self.fields
        if not isinstance(fields, Mapping) or not all(
            isinstance(f, CustomField) and f.name == name for name, f in fields.items()
        ):
            raise ConfigurationError(
                "fields map each name to its CustomField: build the set with CustomFieldSet.of(*fields)",
                key="custom_fields",
            )

    @classmethod
    def of(cls, *fields: CustomField) -> CustomFieldSet:
        """A set of ``fields``; a name declared twice is a ``ConfigurationError``."""
        found: dict[str, CustomField] = {}
        for field in fields:
            if not isinstance(field, CustomField):
                raise ConfigurationError(f"not a CustomField: {field!r}", key="custom_fields")
            if field.name in found:
                raise ConfigurationError(
                    f"custom field {field.name!r} is declared twice", key="custom_fields"
                )
            found[field.name] = field
        return cls(found)

    @classmethod
    def from_config(cls, config: Mapping[str, Mapping[str, Any]]) -> CustomFieldSet:
        """Read ``{name: {type, label, choices, required_for, currency, max_length, staff_only}}`` (a
        pack's TOML table)."""
        known = {"type", "label", "choices", "required_for", "currency", "max_length", "staff_only"}
        fields = []
        for name, spec in config.items():
            if not isinstance(spec, Mapping):
                raise ConfigurationError(f"custom field {name!r} is a table", key=f"custom_fields.{name}")
            unknown = set(spec) - known
            if unknown:
                raise ConfigurationError(
                    f"unknown key(s) {', '.join(sorted(unknown))}", key=f"custom_fields.{name}"
                )
            try:
                fields.append(CustomField(name=name, **spec))
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(str(exc), key=f"custom_fields.{name}", **carried_rule(exc)) from None
        return cls.of(*fields)

    @property
    def staff_only(self) -> frozenset[str]:
        """The names of the fields a customer reads, finds, filters and gives no value of."""
        return frozenset(name for name, field in self.fields.items() if field.staff_only)

    @property
    def hidden_from_customers(self) -> HiddenFields:
        """The names whose values a customer does not read, find or filter by: the staff-only fields, and
        every name this set does not declare at all.

        Why the undeclared ones: a value stored under an earlier declaration (a store opened before with
        another pack, a field the host dropped) may have been staff-only then; this set no longer knows,
        so a customer reads it no more than the staff's own facts (a ``risk_note`` declared staff-only by
        pack A was shown to the customer once the desk opened with pack B)."""
        return HiddenFields(frozenset(name for name, field in self.fields.items() if not field.staff_only))

    def merged(self, other: CustomFieldSet) -> CustomFieldSet:
        """Both sets; a name in both is a ``ConfigurationError``."""
        return CustomFieldSet.of(*self.fields.values(), *other.fields.values())

    def validate(
        self, values: Mapping[str, object] | None, category: str, current: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The ticket's field map after applying ``values`` (``None`` removes one) to ``current``.

        Checks names, types and that every field required for ``category`` has a value.
        """
        if values is not None and not isinstance(values, Mapping):
            raise ValidationError("custom fields are a mapping of name to value", field="fields")
        result = dict(current or {})
        for name, value in (values or {}).items():
            field = self.fields.get(name) if isinstance(name, str) else None
            if field is None:
                raise ValidationError(f"unknown custom field {name!r}", field=f"fields.{name}")
            if value is None:
                result.pop(name, None)
            else:
                result[name] = canonical_value(field.parse(value))
        for field in self.fields.values():
            if field.required(category) and field.name not in result:
                raise ValidationError(
                    f"custom field {field.name!r} is required for category {category!r}",
                    field=f"fields.{field.name}",
                )
        return result

    def typed(self, stored: Mapping[str, str]) -> dict[str, Any]:
        """Stored values as typed values (fields no longer declared stay text)."""
        out: dict[str, Any] = {}
        for name, text in stored.items():
            field = self.fields.get(name)
            out[name] = field.typed(text) if field is not None else text
        return out


@attrs.frozen
class HiddenFields:
    """The custom-field names a customer does not read (:attr:`CustomFieldSet.hidden_from_customers`):
    every name but the ``public`` ones the desk declares. Answers ``name in hidden`` only."""

    public: frozenset[str]

    def __contains__(self, name: object) -> bool:
        return name not in self.public
