"""Strict structuring of pack parameters (TOML tables) into attrs params classes.

Why not cattrs: its structuring is lenient by design (``"1"`` becomes a ``str`` list item, ``True`` an
``int``, ``1.5`` is truncated), and its errors for attrs validators do not name the key. A pack author needs
the opposite: a wrong type or an out-of-range value must be refused with the file and the dotted key. This
walk supports exactly the shapes our params classes use: ``bool``, ``int``, ``float``, ``str``, enums,
``tuple[X, ...]``, ``frozenset[X]``, ``Mapping[K, V]`` and nested attrs classes.

A params class may list ``RETIRED_KEYS`` (key -> why it is refused): keys a pack might still set that the
library does not honour. They are refused with that explanation rather than read and ignored.

A params class may also list ``RAW_SHAPES`` (field -> type): the shape a field's TOML is read in when its
attrs converter builds a richer value from it (the walk checks the shape and names the key; the
converter checks the rest). A union of ``Money`` (a table) and ``int`` is read by the value's shape.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import attrs

from aftersales.domain.money import Money
from aftersales.domain.number_text import NUMBER_TEXT
from aftersales.domain.text import CODE_PATTERN
from aftersales.errors import ConfigurationError, ValidationError, carried_rule, shown_repr

__all__ = [
    "MAX_NUMBER",
    "a_number",
    "at_least",
    "category_codes",
    "check_category_code",
    "frozen_mapping",
    "in_range",
    "listed",
    "number_limit",
    "structure_params",
    "true_or_false",
]

P = TypeVar("P")

MAX_NUMBER = 10**9
"""The largest magnitude a pack number may have: hours, days, amounts and shares all fit far below it."""


def frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """attrs converter: a read-only copy of ``value`` (params are shared between policies)."""
    return types.MappingProxyType(dict(value))


def listed(value: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: a list (tuple, set) as a tuple. ``converter=tuple`` read a bare text as its letters:
    ``LifecycleParams(acceptance_channels="phone")`` allowed the channels "p", "h", "o", "n" and "e". The
    class's ``refused_typed`` names the field the refusal is about."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple | set | frozenset):
        raise ValidationError(f"a list is expected, got {shown_repr(value, 40)}", rule="collection")
    return tuple(value)


def _figure(bound: float) -> int | str:
    """A bound as a rule's figure: a whole number as such (worded in the locale's digits), else as written."""
    return bound if isinstance(bound, int) else str(bound)


def a_number(field: str, value: object) -> None:
    """A finite number of at most what a pack file may set at ``field`` (:func:`number_limit`: ten years
    of a duration named by its unit, else :data:`MAX_NUMBER`), not a bool. Built in Python (a pack's TOML
    is checked by type already), ``callback_hours=True`` was one hour, and ``complex_resolution_days`` took
    NaN (every comparison with it is false, so ``at_least`` let it by), infinity and 10**30; until session
    39 it took 10**9 days, which a pack refuses, and every triage then failed with Python's OverflowError."""
    most = number_limit(field)
    bad = ValidationError(
        f"{field} is a number of at most {most:,}, got {value!r:.40}", field=field, rule="number"
    )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad
    if not math.isfinite(value) or abs(value) > most:  # a NaN passes every "not below" check
        raise bad


def at_least(minimum: float) -> Any:
    """attrs validator: a number not below ``minimum`` (raises ValidationError naming the field)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
        a_number(attribute.name, value)
        if value < minimum:
            raise ValidationError(
                f"{attribute.name} must be at least {minimum}, got {value}",
                field=attribute.name,
                rule="at_least",
                rule_params={"least": _figure(minimum)},
            )

    return check


def true_or_false(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``True`` or ``False`` itself. A pack's TOML is checked by its type already; built
    in Python, ``dealer_contract="no"`` was taken as true (any text is) and switched the rule on."""
    if not isinstance(value, bool):
        raise ValidationError(
            f"{attribute.name} is True or False, got {value!r:.40}",
            field=attribute.name,
            rule="true_or_false",
        )


def in_range(low: float, high: float) -> Any:
    """attrs validator: a number in ``[low, high]``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
        a_number(attribute.name, value)
        if not low <= value <= high:
            raise ValidationError(
                f"{attribute.name} must be between {low} and {high}, got {value}",
                field=attribute.name,
                rule="between",
                rule_params={"least": _figure(low), "most": _figure(high)},
            )

    return check


def category_codes(instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    """attrs validator: a list of ticket category codes (snake_case; categories are open, so any
    well-formed code). A malformed one ("Inquiry", "repair ") could never match a ticket: refused."""
    for item in value:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"{attribute.name} lists category codes (snake_case), got {item!r}", field=attribute.name
            )


def check_category_code(code: object, field: str) -> None:
    """Refuse a malformed category code (a table key or list item of a pack) with the pack key ``field``
    that holds it (``category_overrides.Bad Key``), not the bare ``category`` the domain's check names."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            f"{field}: a category is a snake_case code, got {code!r}", field=field, rule="snake_code"
        )


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def structure_params(raw: object, cls: type[P], *, file: str, key: str) -> P:
    """``raw`` (a TOML table) as an instance of the attrs class ``cls``.

    Raises :class:`ConfigurationError` naming ``file`` and the dotted key of the first unknown key,
    wrong type or out-of-range value; missing keys take the class's documented defaults.
    """
    return typing.cast(P, _attrs(raw, cls, file, key))


def _attrs(raw: object, cls: type, file: str, key: str) -> object:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"expected a table, got {_kind(raw)}", file=file, key=key)
    fields = {f.name: f for f in attrs.fields(cls)}
    retired: Mapping[str, str] = getattr(cls, "RETIRED_KEYS", {})
    for name in sorted(set(raw) & set(retired)):
        raise ConfigurationError(retired[name], file=file, key=_join(key, name))
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigurationError(
            f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(fields))}",
            file=file,
            key=_join(key, unknown[0]),
        )
    hints = _hints(cls)
    shapes: Mapping[str, Any] = getattr(cls, "RAW_SHAPES", {})
    values = {
        name: _value(item, shapes.get(name, hints[name]), file, _join(key, name))
        for name, item in raw.items()
    }
    try:
        return cls(**values)
    except ConfigurationError as error:
        # A validator that raised ConfigurationError itself knows the field but not the file or the
        # section: name both, as every other refusal does ("maintenance.interval_months", not
        # "interval_months" of no file).
        if error.file is not None:
            raise  # a nested table's, already named in full
        last = (error.key or "").rsplit(".", 1)[-1]
        message = str(error).removeprefix(f"{error.key}: ") if error.key else str(error)
        where = _join(key, last) if last in fields else key
        raise ConfigurationError(message, file=file, key=where, **carried_rule(error)) from error
    except (ValidationError, ValueError, TypeError) as error:
        field: str | None = getattr(error, "field", None)
        message = str(error)
        named = error.args[1] if len(error.args) > 1 else None
        if field is None and isinstance(named, attrs.Attribute):  # attrs' own validators (in_, instance_of)
            field, message = named.name, str(error.args[0])
        where = _join(key, field) if field else key
        raise ConfigurationError(message, file=file, key=where, **carried_rule(error)) from error


def _value(raw: object, hint: Any, file: str, key: str) -> object:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _value(raw, options[0], file, key)
        if set(options) == {Money, int}:  # an amount (a table) or a count, told apart by the value's shape
            return _value(raw, Money if isinstance(raw, dict) else int, file, key)
        raise TypeError(f"unsupported union type {hint!r} in params")  # a programming error, not a pack one
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        raise _wrong(raw, "a boolean", file, key)
    if hint is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            limit = number_limit(key)
            if abs(raw) > limit:
                raise _wrong(raw, f"an integer of at most {limit:,}", file, key)
            return raw
        raise _wrong(raw, "an integer", file, key)
    if hint is float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # inf, nan and 1e300 parse as TOML floats; every later time or money sum would overflow.
            limit = number_limit(key)
            if not math.isfinite(raw) or abs(raw) > limit:
                raise _wrong(raw, f"a finite number of at most {limit:,}", file, key)
            return float(raw)
        raise _wrong(raw, "a number", file, key)
    if hint is str:
        if isinstance(raw, str):
            return raw
        raise _wrong(raw, "a string", file, key)
    if hint is Decimal:
        # Amounts and shares are exact: an integer or a decimal string ("12.50"), never a TOML float.
        # Text as a pack's fees take it (ASCII digits, a minus, a point): Decimal alone also read "1e3",
        # " 20 ", "2_0", "+20" and other scripts' digits, which FeesParams refuses when built in Python.
        if isinstance(raw, int | str) and not isinstance(raw, bool) and _plain_number(raw):
            try:
                value = Decimal(raw)
            except ArithmeticError:
                raise _wrong(raw, "a decimal number as a string", file, key) from None
            if value.is_finite() and abs(value) <= MAX_NUMBER:
                return value
        expected = 'an integer or a decimal string such as "12.50" in ASCII digits (floats are inexact)'
        raise _wrong(raw, expected, file, key, rule="number")
    if hint is Money:
        return _money(raw, file, key)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(raw, hint, file, key)
    if isinstance(hint, type) and attrs.has(hint):
        return _attrs(raw, hint, file, key)
    if origin in (tuple, frozenset):
        if not isinstance(raw, list):
            raise _wrong(raw, "an array", file, key)
        items = [_value(item, args[0], file, f"{key}[{i}]") for i, item in enumerate(raw)]
        return tuple(items) if origin is tuple else frozenset(items)
    if origin in (dict, Mapping):
        if not isinstance(raw, dict):
            raise _wrong(raw, "a table", file, key)
        return {
            _value(name, args[0], file, _join(key, name)): _value(item, args[1], file, _join(key, name))
            for name, item in raw.items()
        }
    raise TypeError(f"unsupported params type {hint!r}")


DURATION_LIMITS = {"minutes": 60 * 24 * 3660, "hours": 24 * 3660, "days": 3660, "months": 1200, "years": 100}
"""Durations a pack may set, by the unit its key names (``response_hours``): at most ten years."""


def _plain_number(raw: int | str) -> bool:
    return isinstance(raw, int) or NUMBER_TEXT.fullmatch(raw) is not None


def number_limit(key: str) -> int:
    """The largest magnitude the number at ``key`` may have: a duration's by its unit, else MAX_NUMBER."""
    for part in reversed(key.replace("[", ".").split(".")):
        for unit, limit in DURATION_LIMITS.items():
            if part.endswith((unit, unit[:-1])):
                return limit
    return MAX_NUMBER


def _money(raw: object, file: str, key: str) -> Money:
    if not isinstance(raw, dict) or set(raw) != {"amount", "currency"}:
        raise _wrong(raw, 'a table {amount = "12.50", currency = "CNY"}', file, key)
    amount = _value(raw["amount"], Decimal, file, _join(key, "amount"))
    try:
        return Money(amount, raw["currency"])  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(str(error), file=file, key=key, **carried_rule(error)) from error


def _enum(raw: object, hint: type[Enum], file: str, key: str) -> Enum:
    allowed = [str(member.value) for member in hint]
    if isinstance(raw, str) and raw in allowed:
        return hint(raw)
    raise ConfigurationError(f"expected one of {', '.join(allowed)}; got {raw!r}", file=file, key=key)


def _wrong(raw: object, expected: str, file: str, key: str, *, rule: str | None = None) -> ConfigurationError:
    return ConfigurationError(f"expected {expected}, got {_kind(raw)} {raw!r}", file=file, key=key, rule=rule)


def _kind(raw: object) -> str:
    return {dict: "a table", list: "an array", bool: "a boolean", int: "an integer", float: "a number"}.get(
        type(raw), "a string" if isinstance(raw, str) else type(raw).__name__
    )


def _join(key: str, name: object) -> str:
    return f"{key}.{name}" if key else str(name)
