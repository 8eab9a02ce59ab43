"""The rules every value crossing the boundary must meet, derived from its type annotation.

Why one place: a hostile or careless caller can pass ``"false"`` for a bool, ``"gold"`` for a tier, a
datetime for a date, a 5 MB region or a NUL byte; each of those used to be stored and to break later
reads. :func:`checker_for` turns a type annotation into a checker that either returns the value (an
enum given by its code comes back as the member, text comes back NFC-normalised) or raises a
:class:`ValidationError` naming the field and the rule. :func:`check_record` applies the same rules to
every field of an attrs record (a customer, an engineer, an asset …) and to the records inside it.

The rules:

- ``bool`` is exactly ``True`` or ``False`` (no ``"false"``, no ``0``).
- enums are members or their codes; anything else names the allowed codes.
- ``int`` is an int (not a bool, not a float) within the signed 64-bit range, or a tighter range
  declared in :data:`INT_RANGES`.
- ``date`` is a date (not a datetime) and ``datetime`` is timezone-aware; both within 1900–2200.
- text is a ``str``, normalised to NFC, without control characters other than newline and tab (and
  without those either in one-line fields; a multi-line field reads CR LF as a newline), without lone
  surrogates, not made only of invisible format characters (zero-width spaces), and bounded in length.
- identifiers (``*_id`` fields and the id types) follow :data:`ID_PATTERN`.
"""

from __future__ import annotations

import collections.abc as cabc
import math
import re
import sys
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, NewType, Union

import attrs

from aftersales.domain.bounds import Bounds
from aftersales.errors import NaiveDatetimeError, OutOfBounds, ValidationError, shown_repr

__all__ = [
    "ID_PATTERN",
    "INT_RANGES",
    "LONGEST_DURATION",
    "MAX_ITEMS",
    "MAX_LINE",
    "MAX_TEXT",
    "MULTILINE_FIELDS",
    "YEAR_RANGE",
    "Checker",
    "check_id",
    "check_record",
    "check_text",
    "checker_for",
    "enum_code",
    "resolve_hint",
]

Checker = Callable[[Any], Any]
"""Takes a value, returns it (possibly normalised) or raises ``ValidationError``."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/\-]{0,63}")
"""An identifier: 1–64 ASCII letters, digits and ``_ . : @ / -``, starting with a letter or digit."""

YEAR_RANGE = (1900, 2200)
"""Dates and datetimes must fall within these years (inclusive): beyond them they are typos or attacks."""

MAX_LINE = 200
"""Default longest one-line text (names, codes, subjects)."""

MAX_TEXT = 10_000
"""Default longest free text (descriptions, notes, reasons)."""

MAX_ITEMS = 10_000
"""Longest collection accepted in one argument."""

INT64 = (-(2**63), 2**63 - 1)

MULTILINE_FIELDS = frozenset(
    {
        "address",
        "answer",
        "body",
        "change_note",
        "decision",
        "improvement",
        "outcome",
        "question",
        "root_cause",
        "solution",
        "comment",
        "content",
        "description",
        "details",
        "feedback",
        "note",
        "notes",
        "other_complaints",
        "reason",
        "remark",
        "resolution",
        "summary",
        "text",
        "why",
    }
)
"""Fields whose text may span lines; every other text field is one line (no CR/LF: no header injection)."""

LINE_LIMITS: Mapping[str, int] = {"region": 64, "name": 100, "model": 64, "serial": 64, "batch": 64}
"""Tighter bounds for some one-line fields, by field name."""

INT_RANGES: Mapping[str, tuple[int, int]] = {
    "satisfaction": (1, 5),
    "attitude": (1, 5),
    "score": (0, 100),
    "units_affected": (0, 10_000_000),
    "departments": (1, 10_000),  # seed 001 三(四)2: a problem is handled by one department at least
    "limit": (1, 1_000_000),  # 0 did nothing and said nothing: every command's limit starts at 1
    "batch": (1, 1_000_000),
    "page_size": (1, 1_000_000),
    "senders": (1, 1_000_000),
    "version": (0, 2**62),
    "expected_version": (0, 2**62),
    "quantity": (-1_000_000, 1_000_000),
    "months": (0, 1200),
    "active_load": (0, 1_000_000),
    "max_load": (0, 1_000_000),
}
"""Tighter ranges for some integer fields, by field name."""

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_LINE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _invisible(value: str) -> bool:
    """Whether non-empty ``value`` shows nothing but holds a format character (a zero-width space or
    joiner, a byte-order mark): it would pass for text while saying nothing. Plain whitespace is each
    field's own rule (required text refuses it, optional text may be empty)."""
    seen = False
    for char in value:
        if char.isspace():
            continue
        if unicodedata.category(char) != "Cf":
            return False
        seen = True
    return seen


def _leaf(field: str) -> str:
    return field.rsplit(".", 1)[-1].split("[", 1)[0]


def check_text(value: object, field: str, *, multiline: bool | None = None, limit: int | None = None) -> str:
    """``value`` as NFC text, or ``ValidationError`` naming ``field`` and the broken rule."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text, got {type(value).__name__}", field=field, rule="text")
    leaf = _leaf(field)
    if multiline is None:
        multiline = leaf in MULTILINE_FIELDS
    if multiline and "\r\n" in value:  # a browser's textarea sends its line breaks as CR LF
        value = value.replace("\r\n", "\n")
    if limit is None:
        limit = MAX_TEXT if multiline else LINE_LIMITS.get(leaf, MAX_LINE)
    if len(value) > limit:
        raise ValidationError(
            f"{field} is {len(value)} characters long; at most {limit} are allowed",
            field=field,
            rule="too_long",
            rule_params={"most": limit},
        )
    bad = (_BAD_CHARS if multiline else _BAD_LINE_CHARS).search(value)
    if bad is not None:
        what = "a line break" if bad.group() in "\r\n\u2028\u2029" else f"character U+{ord(bad.group()):04X}"
        rule = "control characters other than newline and tab" if multiline else "control characters"
        raise ValidationError(f"{field} contains {what}: {rule} are refused", field=field, rule="control")
    if not value.isascii() and _invisible(value):
        raise ValidationError(
            f"{field} is only invisible characters (zero-width spaces, joiners): write it or leave it empty",
            field=field,
            rule="invisible",
        )
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
        if len(value) > limit:  # pragma: no cover - NFC rarely lengthens
            raise ValidationError(
                f"{field} is too long; at most {limit} characters",
                field=field,
                rule="too_long",
                rule_params={"most": limit},
            )
    return value if type(value) is str else str.__getitem__(value, slice(None))


def _text_checker(field: str, leaf: str) -> Checker:
    # The field's rules looked up once, not on every call: commands check their text arguments each
    # time they run. Text that passes them all (the common case) is returned as it came.
    multiline = leaf in MULTILINE_FIELDS
    limit = MAX_TEXT if multiline else LINE_LIMITS.get(leaf, MAX_LINE)
    bad = _BAD_CHARS if multiline else _BAD_LINE_CHARS

    def check(value: object) -> str:
        if (
            type(value) is str
            and len(value) <= limit
            and bad.search(value) is None
            and (value.isascii() or (unicodedata.is_normalized("NFC", value) and not _invisible(value)))
        ):
            return value
        return check_text(value, field, multiline=multiline, limit=limit)

    return check


def check_id(value: object, field: str) -> str:
    """``value`` as an identifier matching :data:`ID_PATTERN`, or ``ValidationError``."""
    if type(value) is str and ID_PATTERN.fullmatch(value):
        return value
    if not isinstance(value, str):
        raise ValidationError(
            f"{field} must be an id (text), got {type(value).__name__}", field=field, rule="id"
        )
    # A str subclass (a host's lazy text, a template's safe string) is read as the plain text it holds,
    # as check_text reads it: its own __repr__, __hash__ or __eq__ may raise (session 29).
    plain = str.__getitem__(value, slice(None))
    if ID_PATTERN.fullmatch(plain):
        return plain
    shown = plain if len(plain) <= 40 else plain[:40] + "…"
    raise ValidationError(
        f"{field} {shown!r} is not a valid id: 1-64 ASCII letters, digits and _ . : @ / -, "
        "starting with a letter or digit",
        field=field,
        rule="id",
    )


def enum_code(enum: type[Enum], value: object, field: str) -> Any:
    """The member of ``enum`` that ``value`` is or whose code it is; otherwise name the allowed codes."""
    if isinstance(value, enum):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(m.value) for m in enum)
    raise ValidationError(
        f"{field} must be one of {allowed}; got {shown_repr(value, 40)}",
        field=field,
        rule="one_of",
        rule_params={"allowed": ", ".join(str(m.value) for m in enum)},
    )


def _check_bool(value: object, field: str) -> bool:
    if value is True or value is False:
        return value
    raise ValidationError(
        f"{field} must be True or False, got {shown_repr(value, 40)}", field=field, rule="true_or_false"
    )


def _check_int(value: object, field: str) -> int:
    low, high = INT_RANGES.get(_leaf(field), INT64)
    if type(value) is int and low <= value <= high:
        return value
    raise OutOfBounds(field, value, low, high)  # the one shape of every bounded whole number


def _year_ok(value: date, field: str) -> None:
    if not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        raise ValidationError(
            f"{field} must be within the years {YEAR_RANGE[0]}-{YEAR_RANGE[1]}, got {value.year}",
            field=field,
            rule="year_range",
            rule_params={"least": str(YEAR_RANGE[0]), "most": str(YEAR_RANGE[1])},  # a year, not 1,900
        )


def _check_date(value: object, field: str) -> date:
    if type(value) is not date:
        kind = "a datetime" if isinstance(value, datetime) else type(value).__name__
        raise ValidationError(f"{field} must be a date (not {kind})", field=field, rule="date")
    _year_ok(value, field)
    return value


def _check_datetime(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(
            f"{field} must be a datetime, got {type(value).__name__}", field=field, rule="datetime"
        )
    try:
        offset = value.utcoffset()
    except Exception:  # a broken tzinfo of the caller's
        raise ValidationError(f"{field} has a time zone that cannot be read", field=field) from None
    if offset is None:
        raise NaiveDatetimeError(field)
    _year_ok(value, field)
    return value


LONGEST_DURATION = timedelta(days=365 * 100)
"""The longest duration a command or a setting takes (100 years): one rule for every entry point."""


def _check_timedelta(value: object, field: str) -> timedelta:
    if not isinstance(value, timedelta):
        raise ValidationError(
            f"{field} must be a timedelta, got {type(value).__name__}", field=field, rule="duration"
        )
    if abs(value) > LONGEST_DURATION:
        raise ValidationError(f"{field} must be at most 100 years", field=field)
    return value


def _check_decimal(value: object, field: str) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(f"{field} must be a finite amount, got {value}", field=field, rule="number")
        if value.adjusted() > 15:
            raise ValidationError(
                f"{field} is out of range (at most 15 digits before the point)", field=field
            )
        return value
    if type(value) is int:
        return _check_int(value, field)
    raise ValidationError(
        f"{field} must be a Decimal, got {type(value).__name__}", field=field, rule="number"
    )


NOT_ID_FIELDS = frozenset({"tax_id", "wechat_id", "external_id"})
"""Fields named ``*_id`` that hold someone else's number (free text), not one of our identifiers."""


def _is_id_field(name: str) -> bool:
    return (name == "id" or name.endswith("_id")) and name not in NOT_ID_FIELDS


def _optional(inner: Checker) -> Checker:
    def check(value: Any) -> Any:
        return None if value is None else inner(value)

    return check


def _union(checkers: list[Checker], field: str) -> Checker:
    def check(value: Any) -> Any:
        first: ValidationError | None = None
        for candidate in checkers:
            try:
                return candidate(value)
            except ValidationError as exc:
                first = first or exc
        assert first is not None
        raise first

    return check


def _fixed_tuple(args: tuple[Any, ...], field: str) -> Checker:
    """``tuple[str, int]``: a pair (or triple …), each position checked by its own type."""
    items = [checker_for(arg, f"{field}[{n}]") for n, arg in enumerate(args)]

    def check(value: Any) -> Any:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, cabc.Iterable):
            raise ValidationError(
                f"{field} must be a tuple, got {type(value).__name__}", field=field, rule="collection"
            )
        values = tuple(value)
        if len(values) != len(items):
            raise ValidationError(f"{field} must have {len(items)} items, got {len(values)}", field=field)
        return tuple(item(v) for item, v in zip(items, values, strict=True))

    return check


def _collection(origin: Any, args: tuple[Any, ...], field: str) -> Checker:
    item = checker_for(args[0] if args and args[0] is not Ellipsis else Any, f"{field}[]")
    frozen = origin in (frozenset, cabc.Set, set, typing.AbstractSet)
    keep_list = origin is list

    def check(value: Any) -> Any:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, cabc.Iterable):
            raise ValidationError(
                f"{field} must be a collection, got {type(value).__name__}", field=field, rule="collection"
            )
        items = []
        for n, element in enumerate(value):
            if n >= MAX_ITEMS:
                raise ValidationError(
                    f"{field} has more than {MAX_ITEMS} items",
                    field=field,
                    rule="too_many",
                    rule_params={"most": MAX_ITEMS},
                )
            items.append(item(element))
        if frozen:
            return frozenset(items)
        return items if keep_list else tuple(items)

    return check


def _mapping(args: tuple[Any, ...], field: str) -> Checker:
    key = checker_for(args[0] if args else str, f"{field} key")
    val = checker_for(args[1] if len(args) > 1 else Any, f"{field}[]")

    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(
                f"{field} must be a mapping, got {type(value).__name__}", field=field, rule="collection"
            )
        if len(value) > MAX_ITEMS:
            raise ValidationError(
                f"{field} has more than {MAX_ITEMS} items",
                field=field,
                rule="too_many",
                rule_params={"most": MAX_ITEMS},
            )
        return {key(k): val(v) for k, v in value.items()}

    return check


def _of_class(cls: type[Any], field: str) -> Checker:
    def check(value: Any) -> Any:
        if not isinstance(value, cls):
            raise ValidationError(
                f"{field} must be a {cls.__name__}, got {type(value).__name__}",
                field=field,
                rule="wrong_type",
                rule_params={"expected": cls.__name__},
            )
        return value

    return check


def checker_for(hint: Any, field: str) -> Checker:
    """The checker for a value annotated ``hint`` in the field (or argument) named ``field``."""
    leaf = _leaf(field)
    if hint is Any or hint is object:
        return lambda value: value
    if isinstance(hint, NewType):
        if hint.__supertype__ is str and hint.__name__.endswith("Id"):
            return lambda value: check_id(value, field)
        return checker_for(hint.__supertype__, field)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        # An argument's own bounds (domain/bounds.Bounds) decide its refusal, the wrong type included;
        # other metadata leaves the value to its command (a streamed import).
        bounds = [m for m in args[1:] if isinstance(m, Bounds)]
        if bounds:
            return lambda value: bounds[0].check(value, field)
        return lambda value: value
    if origin is Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        inner = (
            checker_for(members[0], field)
            if len(members) == 1
            else _union([checker_for(m, field) for m in members], field)
        )
        return _optional(inner) if len(members) < len(args) else inner
    if origin is typing.Literal:
        allowed = args
        return lambda value: value if value in allowed else enum_code_literal(allowed, value, field)
    if origin is tuple and len(args) > 1 and args[-1] is not Ellipsis:
        return _fixed_tuple(args, field)
    if origin in (tuple, list, set, frozenset, cabc.Sequence, cabc.Iterable, cabc.Set, cabc.Collection):
        return _collection(origin, args, field)
    if origin in (dict, cabc.Mapping, cabc.MutableMapping):
        return _mapping(args, field)
    if origin is not None:
        return lambda value: value  # Callable, Protocols with parameters …: nothing generic to check
    if hint is bool:
        return lambda value: _check_bool(value, field)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda value: enum_code(hint, value, field)
    if hint is str:
        if _is_id_field(leaf):
            return lambda value: check_id(value, field)
        return _text_checker(field, leaf)
    if hint is int:
        return lambda value: _check_int(value, field)
    if hint is float:
        return lambda value: _check_float(value, field)
    if hint is datetime:
        return lambda value: _check_datetime(value, field)
    if hint is date:
        return lambda value: _check_date(value, field)
    if hint is timedelta:
        return lambda value: _check_timedelta(value, field)
    if hint is Decimal:
        return lambda value: _check_decimal(value, field)
    if isinstance(hint, type) and attrs.has(hint):
        return _record_or_code(hint, field)
    if isinstance(hint, type) and not getattr(hint, "_is_protocol", False):
        return _of_class(hint, field)
    return lambda value: value


def _record_or_code(cls: type[Any], field: str) -> Checker:
    # A value class of one field (Category) may be given by its code, as an enum is.
    by_code = len([a for a in attrs.fields(cls) if a.init]) == 1

    def check(value: Any) -> Any:
        if by_code and isinstance(value, str) and not isinstance(value, cls):
            try:
                return cls(check_text(value, field))
            except ValidationError as exc:
                raise ValidationError(f"{field}: {exc}", field=field) from None
        return check_record(value, field, cls)

    return check


def enum_code_literal(allowed: tuple[Any, ...], value: object, field: str) -> Any:
    """Refuse a value outside a ``Literal``'s choices, naming them."""
    raise ValidationError(
        f"{field} must be one of {', '.join(map(repr, allowed))}; got {shown_repr(value, 40)}",
        field=field,
        rule="one_of",
        rule_params={"allowed": ", ".join(map(str, allowed))},
    )


def _check_float(value: object, field: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(
            f"{field} must be a number, got {type(value).__name__}", field=field, rule="number"
        )
    ok = abs(value) <= 10**12 if isinstance(value, int) else math.isfinite(value) and abs(value) <= 1e12
    if not ok:
        raise ValidationError(f"{field} must be a finite number of at most 1e12", field=field, rule="number")
    return value


def resolve_hint(annotation: object, namespace: Mapping[str, Any]) -> Any:
    """An annotation (maybe a string, as ``from __future__ import annotations`` leaves it) as a type.

    One that cannot be resolved (a name imported only for type checking) is ``Any``: not checked.
    """
    if not isinstance(annotation, str):
        return Any if annotation is None else annotation
    try:
        return eval(annotation, dict(namespace))
    except Exception:
        return Any


_CHECKERS: dict[tuple[type[Any], str], tuple[tuple[str, str, Checker], ...]] = {}


def _record_checkers(cls: type[Any], field: str) -> tuple[tuple[str, str, Checker], ...]:
    found = _CHECKERS.get((cls, field))
    if found is None:
        namespace = vars(sys.modules[cls.__module__])
        found = tuple(
            (a.name, a.alias, checker_for(resolve_hint(a.type, namespace), f"{field}.{a.alias}"))
            for a in attrs.fields(cls)
            if a.init
        )
        if len(_CHECKERS) < 10_000:  # field paths are few; a bound keeps a hostile caller from growing it
            _CHECKERS[(cls, field)] = found
    return found


def check_record(
    record: object, field: str, cls: type[Any] | None = None, *, skip: frozenset[str] = frozenset()
) -> Any:
    """``record`` with every field checked by its annotation (records inside it too), but those named in
    ``skip`` (a caller that checks them itself, more cheaply: a bulk import replays a ticket's events).

    Returns the record itself, or a copy when a value was normalised (an enum given by its code, text
    that was not NFC). A record of the wrong class, or a field that breaks a rule, raises
    ``ValidationError`` naming ``field.attribute``.
    """
    expected = cls or type(record)
    if not isinstance(record, expected) or not attrs.has(type(record)):
        raise ValidationError(
            f"{field} must be a {expected.__name__}, got {type(record).__name__}",
            field=field,
            rule="wrong_type",
            rule_params={"expected": expected.__name__},
        )
    changes: dict[str, Any] = {}
    for name, alias, check in _record_checkers(type(record), field):
        if name in skip:
            continue
        value = getattr(record, name)
        checked = check(value)
        if checked is value or (type(checked) is type(value) and checked == value):
            continue
        if isinstance(value, (list, tuple, set, frozenset, dict)) and checked == value:
            continue  # the converter's own collection type; the items are unchanged
        changes[alias] = checked  # evolve takes a field by its init name (``_x`` is ``x``)
    if not changes:
        _own_validators(record, field)
        return record
    try:
        return attrs.evolve(typing.cast(Any, record), **changes)
    except ValidationError:
        raise
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field} cannot be rebuilt: {exc}", field=field) from None


def _own_validators(record: object, field: str) -> None:
    """Run the record's own attrs validators again: a value set behind the constructor's back (an
    unknown time zone, a blank name) is refused here rather than stored."""
    try:
        attrs.validate(typing.cast(Any, record))
    except ValidationError as exc:
        where = f"{field}.{exc.field}" if exc.field else field
        raise ValidationError(f"{where}: {exc}", field=where) from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(f"{field} is not valid: {exc}", field=field) from None


def text_set(field: str) -> Callable[[Any], frozenset[str]]:
    """An attrs converter: an iterable of text (not one string) as a ``frozenset``, or ``ValidationError``."""

    def convert(value: Any) -> frozenset[str]:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, cabc.Iterable):
            raise ValidationError(
                f"{field} must be a collection of codes, got {type(value).__name__}", field=field
            )
        items = (
            frozenset(value) if isinstance(value, (set, frozenset, list, tuple)) else frozenset(list(value))
        )
        for item in items:
            if not isinstance(item, str):
                raise ValidationError(f"{field} holds {type(item).__name__}, not text", field=field)
        return items

    return convert


def record_tuple(field: str, cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """An attrs converter: an iterable of ``cls`` records as a tuple, or ``ValidationError``."""

    def convert(value: Any) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, cabc.Iterable):
            raise ValidationError(
                f"{field} must be a collection, got {type(value).__name__}", field=field, rule="collection"
            )
        items = tuple(value)
        for item in items:
            if not isinstance(item, cls):
                raise ValidationError(f"{field} holds {type(item).__name__}, not {cls.__name__}", field=field)
        return items

    return convert
