"""JSON at the edge: what a web API sends to browsers and other services (schema version 1).

The store's own JSON (``aftersales.serialization``) writes instants as ``…+08:00[Asia/Shanghai]`` so
local-day arithmetic survives a round trip; ``datetime.fromisoformat`` before 3.11's extensions and
JavaScript's ``Date`` reject that. This module writes the form every client reads:

* every instant as RFC 3339 with a numeric offset (``2026-03-02T09:12:00+08:00``), and beside it a
  field ``<name>_zone`` with the IANA zone (``Asia/Shanghai``; ``null`` for a bare offset);
  instants inside lists or mappings carry the offset only;
* decimals as strings (``"128.50"``), money as ``{"amount": "128.50", "currency": "CNY"}``;
* enums as their codes (``"critical"``), durations as seconds (a number), dates as ``YYYY-MM-DD``;
* reasons as ``{"code", "params"}``, plus ``"text"`` in the reader's language when ``locale`` is
  given; ticket events then carry ``"reasons"`` rendered from their payload too;
* the top-level object names its type and the schema version: ``"$type"`` (the class name) and
  ``"$version"`` (:data:`SCHEMA_VERSION`). A field is only ever added within a version; renaming or
  removing one makes a new version.

:func:`to_dict` / :func:`to_json` take any public view or result (``TicketView``, ``CommandResult``,
``Progress``, ``SlaStatus``, a ``Page``, a ``Decision``, reports, ``DispatchReport``, ``JobsReport``…:
any attrs class, with nesting). :func:`from_dict` / :func:`from_json` read the output back into the
class (``TicketView`` included), with the instants in their zone again. See ``docs/embedding.md``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Mapping,
    MutableSequence,
    MutableSet,
    Sequence,
    Set,
)
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import cattrs
import orjson
from cattrs.errors import AttributeValidationNote
from cattrs.gen import make_dict_structure_fn, override

from aftersales.domain.bounds import INT64_MOST, check_bounded
from aftersales.domain.classification import Category
from aftersales.domain.events import TicketEvent
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.self_containing import self_containing
from aftersales.domain.ticket import Ticket
from aftersales.domain.validation import LONGEST_DURATION, check_id
from aftersales.errors import AftersalesError, ValidationError, carried_rule
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.reasons import render_reason, render_reasons
from aftersales.json_error_paths import error_paths, first_refusal
from aftersales.policies.decision import Decision
from aftersales.serialization import in_zone
from aftersales.service.views import CommandResult, TicketView

__all__ = ["SCHEMA_VERSION", "from_dict", "from_json", "instant_text", "to_dict", "to_json", "zone_name"]

T = TypeVar("T")

SCHEMA_VERSION = 1
"""The version of the JSON written here (``"$version"`` of every top-level object)."""

ZONE_SUFFIX = "_zone"


def zone_name(value: datetime) -> str | None:
    """The IANA name of ``value``'s zone (``"UTC"`` for UTC), or ``None`` for a bare offset."""
    tz = value.tzinfo
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    if tz is not None and value.utcoffset() == timedelta(0) and tz.tzname(value) == "UTC":
        return "UTC"
    return None


def instant_text(value: datetime) -> str:
    """``value`` in RFC 3339 with a numeric offset: what ``fromisoformat`` and ``Date`` both read."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("a naive datetime has no instant; pass an aware one", field="datetime")
    return value.isoformat()


# -- writing -------------------------------------------------------------------------------------------

# How a field is written, decided once per class from its declared type (the value is trusted to
# match its annotation, which attrs validators enforce; anything else goes through ``value``):
_PLAIN, _INSTANT, _ENUM, _ANY, _OTHER = range(5)
_PLAIN_TYPES = (str, int, bool, float, type(None))


def _kind_of(tp: Any) -> int:
    """The write kind of a field declared ``tp`` (``_ANY``: unknown, decided per value)."""
    while hasattr(tp, "__supertype__"):  # NewType ids: their base type
        tp = tp.__supertype__
    args = typing.get_args(tp)
    if args and type(None) in args and typing.get_origin(tp) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _kind_of(rest[0])
        kinds = {_kind_of(a) for a in rest}
        return _PLAIN if kinds == {_PLAIN} else _ANY
    if tp is datetime:
        return _INSTANT
    origin = typing.get_origin(tp)
    if isinstance(origin, type) and issubclass(origin, list | tuple | set | frozenset | Mapping):
        return _OTHER  # a container (``tuple[Reason, ...]``): never an instant itself
    if not isinstance(tp, type) or tp is object:
        return _ANY
    if issubclass(tp, Enum):
        return _ENUM if issubclass(tp, str | int) else _OTHER
    if tp in _PLAIN_TYPES:
        return _PLAIN
    if issubclass(tp, datetime):  # a subclass of datetime: decided per value
        return _ANY
    return _OTHER


def _field_kinds(cls: type) -> tuple[tuple[str, int], ...]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: decide by the values' own types
        hints = {}
    return tuple(
        # A field computed on demand is written under its public name (``metadata["json"]``: the SLA
        # status's ``started_at``), read through that property so the value is there.
        (a.metadata.get("json", a.name), _kind_of(hints[a.name]) if a.name in hints else _ANY)
        for a in attrs.fields(cls)
        if a.repr is not False  # caches (at_us, the SLA clock's calendar handle) stay out
    )


class _Writer:
    """Walks a value by its runtime type; one per locale (``None``: reasons as codes only).

    ``raw`` leaves instants and enums for orjson to write (in C, the same RFC 3339 text and codes):
    :func:`to_json` uses it, :func:`to_dict` does not (it returns strings). Each attrs class gets a
    writer function generated once (straight-line attribute reads into a dict), so writing a value
    costs no per-field loop, lookup or type test. ``words``: the pack vocabulary of the desk whose views
    it writes (a view of another desk's is written by that desk's writer).
    """

    def __init__(self, locale: str | None, raw: bool, words: PackWords | None = None) -> None:
        self.locale = locale
        self.raw = raw
        self.words = words
        self._by_type: dict[type, Callable[[Any], Any]] = {}
        self._instant: Callable[[Any], Any] = _same if raw else instant_text
        self._enum: Callable[[Any], Any] = _same if raw else _enum_value

    def value(self, v: Any) -> Any:
        handler = self._by_type.get(type(v))
        if handler is None:
            handler = self._by_type[type(v)] = self._handler(type(v))
        return handler(v)

    def _handler(self, tp: type) -> Callable[[Any], Any]:
        if tp in (str, int, bool, float, type(None)):
            return _same
        if issubclass(tp, datetime):
            return self._instant
        if issubclass(tp, Enum):
            return _same if self.raw and issubclass(tp, str | int) else _enum_value
        if issubclass(tp, Decimal):
            return str
        if issubclass(tp, Money):
            return lambda m: {"amount": str(m.amount), "currency": m.currency}
        if issubclass(tp, Category):
            return _code  # an open enumeration: its code, like the enums
        if issubclass(tp, Reason):
            return self.reason
        if issubclass(tp, TicketEvent):
            return self.event
        if issubclass(tp, TicketView):
            return self.view
        if attrs.has(tp):
            return self._compile(tp)
        if issubclass(tp, str | int):  # str and int subclasses (ids)
            return _same
        if issubclass(tp, date):
            return date.isoformat
        if issubclass(tp, timedelta):
            return _seconds
        if issubclass(tp, Mapping):
            return lambda m: {self.key(k): self.value(item) for k, item in m.items()}
        if issubclass(tp, set | frozenset):
            return lambda items: sorted((self.value(item) for item in items), key=repr)
        if issubclass(tp, list | tuple):
            return lambda items: [self.value(item) for item in items]
        if issubclass(tp, tzinfo):
            return lambda z: getattr(z, "key", None) or str(z)
        return _refuse

    def _compile(self, cls: type) -> Callable[[Any], Any]:
        """Generate ``cls``'s writer: one dict display in declaration order (statements when a field's
        type is only known from its value, which may add a ``_zone`` sibling)."""
        fields = _field_kinds(cls)
        for name, _kind in fields:
            if not name.isidentifier():  # pragma: no cover - attrs names are identifiers
                raise ValidationError(f"{cls.__name__}.{name} has no JSON form", field="obj")
        if all(kind != _ANY for _name, kind in fields):
            items = []
            for name, kind in fields:
                if kind == _PLAIN or (kind == _ENUM and self.raw):
                    items.append(f"{name!r}: o.{name}")
                elif kind == _INSTANT:  # the walrus keeps one read of the attribute for both keys
                    items.append(f"{name!r}: None if (v_{name} := o.{name}) is None else instant(v_{name})")
                    items.append(f"{name + ZONE_SUFFIX!r}: None if v_{name} is None else zone(v_{name})")
                else:
                    items.append(f"{name!r}: value(o.{name})")
            lines = ["def write(o):", "    return {" + ", ".join(items) + "}"]
        else:
            lines = ["def write(o):", "    out = {}"]
            for name, kind in fields:
                get = f"o.{name}"
                if kind == _PLAIN or (kind == _ENUM and self.raw):
                    lines.append(f"    out[{name!r}] = {get}")
                elif kind == _INSTANT:
                    lines.append(f"    v = {get}")
                    lines.append(f"    out[{name!r}] = None if v is None else instant(v)")
                    lines.append(f"    out[{name + ZONE_SUFFIX!r}] = None if v is None else zone(v)")
                elif kind == _ANY:
                    lines.append(f"    v = {get}")
                    lines.append(f"    if isinstance(v, datetime): put(out, {name!r}, v)")
                    lines.append(f"    else: out[{name!r}] = value(v)")
                else:
                    lines.append(f"    out[{name!r}] = value({get})")
            lines.append("    return out")
        scope: dict[str, Any] = {
            "instant": self._instant,
            "zone": _zone_of,
            "value": self.value,
            "put": self.instant,
            "datetime": datetime,
        }
        exec("\n".join(lines), scope)  # the source is built above from attrs field names only
        write: Callable[[Any], Any] = scope["write"]
        return write

    def many(self, items: Sequence[Any]) -> list[Any]:
        """``items`` written, the writer looked up once for a list of one type (notes, visits…)."""
        if not items:
            return []
        first = type(items[0])
        write = self._by_type.get(first)
        if write is None:
            write = self._by_type[first] = self._handler(first)
        value = self.value
        return [write(item) if type(item) is first else value(item) for item in items]

    def key(self, k: Any) -> str:
        if isinstance(k, Enum):
            return str(k.value)
        if isinstance(k, str | int):
            return str(k)
        raise ValidationError(f"a mapping key of type {type(k).__name__} has no JSON form", field="obj")

    def instant(self, out: dict[str, Any], name: str, v: datetime | None) -> None:
        if v is None:
            out[name] = None
            out[name + ZONE_SUFFIX] = None
        else:
            out[name] = self._instant(v)
            out[name + ZONE_SUFFIX] = _zone_of(v)

    def view(self, view: TicketView) -> dict[str, Any]:
        words = view._words
        if words != self.words and self.locale is not None:
            # The "why" in the words of the view's own desk's pack (a fault cause it labels).
            return _writer(self.locale, self.raw, words).view(view)
        # The ticket behind the view, read directly: a ledger page writes many.
        t = view._ticket
        value = self.value
        instant = self._instant
        enum = self._enum
        received, expected = t.received_at, t.expected_by
        taken_by = t.taken_by
        out: dict[str, Any] = {
            "id": t.id,
            "kind": enum(t.kind),
            "state": t.state,
            "customer_id": t.customer_id,
            "channel": enum(t.channel),
            "category": t.category.code,
            "description": t.description,
            "received_at": instant(received),
            "received_at_zone": _zone_of(received),
            "taken_by": {"id": taken_by.id, "role": enum(taken_by.role)},
            "asset_id": t.asset_id,
            "product_id": t.product_id,
            "batch": t.batch,
            "region": t.region,
            "dealer_id": t.dealer_id,
            "expected_by": None if expected is None else instant(expected),
            "expected_by_zone": None if expected is None else _zone_of(expected),
            "urgent": t.urgent,
            "priority": None if t.priority is None else enum(t.priority),
            "priority_reasons": [self.reason(r) for r in t.priority_reasons],
            "assessment": value(t.assessment),
            "assignee": value(t.assignee),
        }
        for name in _VIEW_INSTANTS:
            v = getattr(t, name)
            out[name] = None if v is None else instant(v)
            out[name + ZONE_SUFFIX] = None if v is None else _zone_of(v)
        out["version"] = t.version
        many = self.many
        out["fault_records"] = many(t.fault_records)
        out["visits"] = many(t.visits)
        out["notes"] = many(t.notes)
        out["events"] = (
            self._events_raw(t.events)
            if self.raw and self.locale is None
            else [self.event(e) for e in t.events]
        )
        out["is_open"] = t.is_open
        # Added within version 1 (issue 23): what describes a ticket beyond its workflow.
        out["tags"] = list(t.tags)
        out["custom_fields"] = dict(t.custom_fields)
        out["attachments"] = many(t.attachments)
        out["charges"] = value(t.charges)
        return out

    @staticmethod
    def _events_raw(events: list[TicketEvent]) -> list[dict[str, Any]]:
        # to_json's hot loop (events are most of a ticket): one dict per event, nothing else called
        # but the zone lookup; orjson writes the instants and enums itself.
        zones = _ZONES
        out: list[dict[str, Any]] = []
        append = out.append
        for e in events:
            at, actor, payload = e.at, e.actor, e.payload
            try:
                zone = zones.get(at.tzinfo)  # type: ignore[arg-type]
            except TypeError:  # an unhashable tzinfo: named the slow way below
                zone = None
            append(
                {
                    "seq": e.seq,
                    "at": at,
                    "at_zone": zone if zone is not None else _zone_of(at),
                    "actor": {"id": actor.id, "role": actor.role},
                    "action": e.action,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "reason": e.reason,
                    "payload": payload if type(payload) is dict else dict(payload),
                }
            )
        return out

    def reason(self, r: Reason) -> dict[str, Any]:
        out: dict[str, Any] = {"code": r.code, "params": dict(r.params)}
        if self.locale is not None:
            out["text"] = render_reason(r, self.locale, self.words)
        return out

    def event(self, e: TicketEvent) -> dict[str, Any]:
        # Events are most of a ticket: written directly (the payload is JSON-ready by contract).
        at = e.at
        actor = e.actor
        payload = e.payload
        out: dict[str, Any] = {
            "seq": e.seq,
            "at": at if self.raw else at.isoformat(),
            "at_zone": _zone_of(at),
            "actor": {"id": actor.id, "role": actor.role if self.raw else actor.role.value},
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
            "payload": payload if type(payload) is dict else dict(payload),
        }
        if self.locale is not None:
            out["reasons"] = list(render_reasons(e, self.locale, self.words))
        return out


_VIEW_INSTANTS = ("response_due_at", "resolution_due_at", "callback_due_at", "resolved_at", "closed_at")
_ZONES: dict[tzinfo, str | None] = {}


def _zone_of(value: datetime) -> str | None:
    # Instants share a handful of zones: remember each zone's name (fixed offsets have none).
    tz = value.tzinfo
    assert tz is not None
    try:
        return _ZONES[tz]
    except KeyError:
        name = zone_name(value)
        if len(_ZONES) < 256 and name is not None:
            _ZONES[tz] = name
        return name
    except TypeError:  # an unhashable tzinfo
        return zone_name(value)


def _same(v: Any) -> Any:
    return v


def _code(v: Category) -> str:
    return v.code


def _enum_value(v: Enum) -> Any:
    return v.value


def _seconds(v: timedelta) -> int | float:
    seconds = v.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _refuse(v: Any) -> Any:
    raise ValidationError(f"{type(v).__name__} has no JSON form", field="obj")


_WRITERS: dict[tuple[str | None, bool, PackWords | None], _Writer] = {
    (None, False, None): _Writer(None, False),
    (None, True, None): _Writer(None, True),
}


def _writer(locale: str | None, raw: bool = False, words: PackWords | None = None) -> _Writer:
    if locale is not None and not isinstance(locale, str):  # before the lookup: a list is unhashable
        raise ValidationError("locale is a locale identifier such as 'zh_Hans', or None", field="locale")
    if locale is None:
        words = None  # reasons as codes only: no words to choose
    found = _WRITERS.get((locale, raw, words))
    if found is None:
        if not isinstance(locale, str) or not locale.strip():
            raise ValidationError("locale is a locale identifier such as 'zh_Hans', or None", field="locale")
        try:
            render_reason(Reason("priority_normal"), locale)  # resolves the locale once, or refuses it
        except AftersalesError as exc:
            raise ValidationError(f"unknown locale {locale!r}: {exc}", field="locale") from None
        found = _Writer(locale, raw, words)
        if len(_WRITERS) < 1024:
            _WRITERS[(locale, raw, words)] = found
    return found


def _words_of(obj: object) -> PackWords | None:
    """The pack vocabulary of the desk ``obj`` (a view, or a result holding one) came from."""
    view = obj.ticket if isinstance(obj, CommandResult) else obj
    return view._words if isinstance(view, TicketView) else None


def to_dict(obj: object, *, locale: str | None = None) -> dict[str, Any]:
    """``obj`` (a view, a result, any attrs value) as JSON-ready data with ``$type`` and ``$version``.

    ``locale`` adds each reason's sentence (``"text"``) and each event's rendered ``"reasons"``.
    An object with no JSON form raises :class:`ValidationError` naming its type.
    """
    return _top(obj, _writer(locale, False, _words_of(obj)))


def _top(obj: object, writer: _Writer) -> dict[str, Any]:
    try:
        data = writer.value(obj)
    except RecursionError:
        # Looked for only once the walk overflowed, so writing stays free of bookkeeping.
        raise _unwritable(obj) from None
    if not isinstance(data, dict):
        raise ValidationError(f"to_dict takes a view or a result, not a {type(obj).__name__}", field="obj")
    return {"$type": type(obj).__name__, "$version": SCHEMA_VERSION, **data}


def _unwritable(obj: object) -> ValidationError:
    """The refusal of a value whose walk overflowed (:mod:`aftersales.domain.self_containing`)."""
    return self_containing(obj, "obj")


def to_json(obj: object, *, locale: str | None = None) -> str:
    """:func:`to_dict` as compact JSON text (UTF-8, Chinese kept readable)."""
    try:
        return orjson.dumps(_top(obj, _writer(locale, True, _words_of(obj)))).decode()
    except orjson.JSONEncodeError as exc:
        raise ValidationError(f"cannot be written as JSON: {exc}", field="obj") from None


# -- reading -------------------------------------------------------------------------------------------


def _with_zones(data: Any) -> Any:
    """Fold each ``<name>_zone`` into its instant's text (``…+08:00[Asia/Shanghai]``) for the reader."""
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    for key, zone in data.items():
        if key.endswith(ZONE_SUFFIX) and isinstance(zone, str):
            name = key[: -len(ZONE_SUFFIX)]
            text = out.get(name)
            if isinstance(text, str) and "[" not in text:
                out[name] = f"{text}[{zone}]"
    return out


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValidationError(f"an instant is an RFC 3339 string, got {value!r}", field="datetime")
    text, _sep, key = value.partition("[")
    try:
        parsed = datetime.fromisoformat(text)
        if key:
            parsed = in_zone(parsed, ZoneInfo(key.rstrip("]")))
    except (ValueError, KeyError, OSError):
        raise ValidationError(f"not an RFC 3339 instant: {value!r}", field="datetime") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"an instant needs an offset: {value!r}", field="datetime")
    return parsed


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A finite decimal in ASCII digits, as the writer's ``str(Decimal)`` gives it (``-0.50``, ``1E+3``,
``1E-7``). ``Decimal()`` alone also read ``NaN``, ``Infinity``, ``sNaN``, spaces, ``1_0`` and other
scripts' digits: a NaN then failed every comparison later, far from the data (session 38)."""


def _structure_decimal(value: Any, _: type) -> Decimal:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationError(f"decimals travel as strings, got {value!r}", field="decimal")
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        raise ValidationError(
            f"a decimal is ASCII digits with an optional sign, point and exponent, got {shown!r}",
            field="decimal",
            rule="number",
        )
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValidationError(f"not a decimal: {value!r}", field="decimal") from None
    if not (_LEAST_ADJUSTED <= number.adjusted() <= _MOST_ADJUSTED and len(number.as_tuple().digits) <= 40):
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:40]}…"
        raise ValidationError(
            f"a decimal has at most 15 digits before the point and 40 in all, and is 0 or at least 1E-40, "
            f"got {shown!r}",
            field="decimal",
            rule="number",
        )
    return number


_MOST_ADJUSTED = 15
"""A decimal read has at most 15 digits before the point, as a command's decimal argument
(``domain/validation``): ``1E+99999999`` was read, then any arithmetic on it raised ``decimal.Overflow``
or ``InvalidOperation`` (a quantize to cents) far from the data, and ``int()`` of it built a hundred
million digits (session 39). Nothing the library writes comes near: money is at most 10**10."""
_LEAST_ADJUSTED = -40
"""Nor smaller than ``1E-40`` (a share or rate holds 28 digits): ``1E-99999999`` divided anything into
``decimal.Overflow``. A zero written with such an exponent (``0E-99999999``) is refused with it."""


def _structure_timedelta(value: Any, _: type) -> timedelta:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValidationError(f"a duration is a number of seconds, got {value!r}", field="duration")
    # The bound of every duration a command takes: 1e300 seconds raised Python's OverflowError.
    if not abs(value) <= LONGEST_DURATION.total_seconds():
        raise ValidationError(
            f"a duration is at most 100 years either way, got {value!r:.40} seconds", field="duration"
        )
    return timedelta(seconds=value)


def _strict(kind: type, words: str) -> Callable[[Any, type], Any]:
    """A hook reading a JSON scalar of ``kind`` as it is. cattrs' own hooks call ``str(v)``, ``int(v)``
    and ``bool(v)``: a ``null`` name was read as the text ``"None"``, ``1.9`` as 1 and ``"false"`` as
    true (session 36) — bad data this module promises to refuse."""

    def hook(value: Any, cls: type) -> Any:
        if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
            raise ValidationError(f"expected {words}, got {value!r}", field=kind.__name__)
        return value if cls is kind else cls(value)  # an enum deriving from str or int: its code

    return hook


def _strict_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"expected a number, got {value!r}", field="float")
    return float(value)


def _coded_union(tp: Any) -> bool:
    """A union of whole numbers, ``None`` and enums written by their codes (a sampling rule: a number of
    days, :data:`~aftersales.domain.survey_campaigns.FROM_PACK` or none), which cattrs cannot read: a
    campaign's JSON was written and refused on the way back until session 37."""
    if not (isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union):
        return False
    options = typing.get_args(tp)
    enums = [o for o in options if isinstance(o, type) and issubclass(o, Enum)]
    return bool(enums) and all(o in (int, type(None)) or o in enums for o in options)


def _structure_coded_union(value: Any, tp: Any) -> Any:
    """``value`` read by its JSON type: ``null`` as none, a whole number as itself, text as the code of
    one of the union's enums; anything else (a fraction, ``true``, another code) is refused."""
    options = typing.get_args(tp)
    if value is None and type(None) in options:
        return None
    if int in options and type(value) is int:
        return value
    if type(value) is str:
        for option in options:
            if isinstance(option, type) and issubclass(option, Enum):
                for member in option:
                    if member.value == value:
                        return member
    allowed = ", ".join(getattr(o, "__name__", str(o)) for o in options)
    raise ValidationError(f"expected one of {allowed}, got {value!r}", field="value")


_COLLECTIONS = frozenset(
    {list, tuple, set, frozenset, Sequence, Set, MutableSequence, MutableSet, Collection, Iterable}
)


def _collection_fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` typed as a collection of items (or ``None``): a JSON string is no such
    collection, though cattrs iterates it into its characters (``"SHBJ"`` read as ``{"S", "H", …}``)."""
    names: list[str] = []
    # The types as cattrs resolved them when it built the class's hook (a generic: its origin's).
    for field in attrs.fields(typing.get_origin(cls) or cls):
        tp = field.type
        union = isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union
        options = typing.get_args(tp) if union else (tp,)
        if any((typing.get_origin(o) or o) in _COLLECTIONS for o in options):
            names.append(field.metadata.get("json", field.name))
    return tuple(names)


def _make_reader() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(timedelta, _structure_timedelta)
    conv.register_structure_hook(date, lambda v, _: date.fromisoformat(v))
    conv.register_structure_hook(Money, lambda v, _: Money(v["amount"], v["currency"]))
    conv.register_structure_hook(Reason, lambda v, _: Reason(v["code"], dict(v.get("params") or {})))
    conv.register_structure_hook(TicketEvent, lambda v, _: _structure_event(conv, v))
    conv.register_structure_hook(TicketView, lambda v, _: TicketView(conv.structure(v, Ticket)))
    conv.register_structure_hook(Category, lambda v, _: Category(v))
    conv.register_structure_hook_func(lambda t: t is object, _structure_object)
    conv.register_structure_hook_func(_coded_union, _structure_coded_union)

    def attrs_factory(cls: type) -> Callable[[Any, type], Any]:
        renamed: dict[str, Any] = {
            a.name: override(rename=a.metadata["json"]) for a in attrs.fields(cls) if "json" in a.metadata
        }
        base: Callable[[Any, type], Any] = make_dict_structure_fn(cls, conv, **renamed)
        collections = _collection_fields(cls)

        def structure(value: Any, tp: type) -> Any:
            if isinstance(value, Mapping):
                for name in collections:
                    if isinstance(value.get(name), str | bytes | Mapping):
                        raise ValidationError(f"{name} is a JSON array, got {value[name]!r}", field=name)
            return base(_with_zones(value), tp)

        return structure

    conv.register_structure_hook_factory(attrs.has, attrs_factory)
    conv.register_structure_hook(Ticket, _checked_ticket(attrs_factory(Ticket)))
    return conv


def _checked_ticket(base: Callable[[Any, type], Any]) -> Callable[[Any, type], Any]:
    """A ticket read as ``base`` reads it, its customer and version checked as a command checks them:
    the ``Ticket`` constructor takes them as given, so ``customer_id = ""`` and ``version = -1`` were read
    back (session 37, hostile input)."""

    def structure(value: Any, tp: type) -> Any:
        ticket = base(value, tp)
        try:
            check_id(ticket.customer_id, "customer_id")
            check_bounded(ticket.version, "version", INT64_MOST, least=0)
        except ValidationError as exc:  # placed at its field, as the ticket's own refusals are
            raise cattrs.ClassValidationError("While structuring Ticket", [exc], Ticket) from None
        return ticket

    return structure


def _event_fields() -> tuple[tuple[str, Any, bool], ...]:
    """A ticket event's fields read from JSON: name, type, whether the key must be there."""
    return (
        ("seq", int, True),
        ("at", datetime, True),
        ("actor", _actor_type(), True),
        ("action", str, True),
        ("from_state", str | None, True),
        ("to_state", str, True),
        ("reason", str | None, False),
    )


def _structure_event(conv: cattrs.Converter, value: Any) -> TicketEvent:
    """A ticket event, each field read as its JSON type is (a ``"1"`` seq or a number for an action was
    taken as it came: session 37), the errors collected per field so the refusal says where they are
    (``$.ticket.events[3].actor.role``)."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"a ticket event is a JSON object, got {type(value).__name__}")
    data = _with_zones(value)
    read: dict[str, Any] = {}
    errors: list[Exception] = []
    for name, kind, required in _event_fields():
        try:
            read[name] = conv.structure(data[name] if required else data.get(name), kind)
        except (AftersalesError, cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            exc.__notes__ = [
                *getattr(exc, "__notes__", []),
                AttributeValidationNote(f"Structuring TicketEvent @ attribute {name}", name, kind),
            ]
            errors.append(exc)
    payload = value.get("payload") or {}
    if not isinstance(payload, Mapping):
        errors.append(ValidationError(f"a payload is a JSON object, got {type(payload).__name__}"))
        errors[-1].__notes__ = [AttributeValidationNote("payload", "payload", dict)]
    if errors:
        raise cattrs.ClassValidationError("While structuring TicketEvent", errors, TicketEvent)
    return TicketEvent(**read, payload=dict(payload))


def _structure_object(value: Any, _: type) -> Any:
    """A field typed ``object`` (a result's decisions): a decision comes back as a ``Decision``
    whose outcome is the JSON data (the outcome's own type is not in the data); anything else as data."""
    if isinstance(value, Mapping) and {"outcome", "reasons", "policy"} <= value.keys():
        reasons = tuple(Reason(r["code"], dict(r.get("params") or {})) for r in value["reasons"])
        return Decision(value["outcome"], reasons, value["policy"])
    return value


def _actor_type() -> type:
    from aftersales.domain.actors import ActorRef

    return ActorRef


_reader = _make_reader()


def from_dict(data: Mapping[str, Any], cls: type[T]) -> T:
    """Read :func:`to_dict` output back as a ``cls``; bad data raises :class:`ValidationError`."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"from_dict takes a JSON object, got {type(data).__name__}", field="data")
    if not isinstance(cls, type) and not isinstance(typing.get_origin(cls), type):
        raise ValidationError(f"from_dict reads into a class, not {cls!r}", field="cls")
    version = data.get("$version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ValidationError(
            f"JSON schema version {version!r} is not {SCHEMA_VERSION}, which this aftersales reads",
            field="$version",
        )
    kind = data.get("$type")
    if kind is not None and kind != cls.__name__:
        raise ValidationError(f"the data is a {kind}, not a {cls.__name__}", field="$type")
    try:
        return _reader.structure(dict(data), cls)
    except AftersalesError:
        raise
    except cattrs.BaseValidationError as exc:
        messages = "; ".join(error_paths(exc))
        # The one error found carries its rule on (a host switches on it); several: none.
        facts = carried_rule(first_refusal(exc) or exc)
        raise ValidationError(f"invalid {cls.__name__} data: {messages}", field="data", **facts) from exc
    except cattrs.errors.StructureHandlerNotFoundError as exc:
        # A generic read bare (``Page``): which items to read is the caller's to say.
        raise ValidationError(
            f"cannot read a {cls.__name__}: {exc} (a generic names its item type, e.g. Page[TicketView])",
            field="cls",
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            f"invalid {cls.__name__} data: {type(exc).__name__}: {exc}", field="data"
        ) from exc


def from_json(text: str | bytes, cls: type[T]) -> T:
    """Read :func:`to_json` output back as a ``cls``."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON: {exc}", field="text") from None
    return from_dict(data, cls)
