"""The one serialisation path: a cattrs converter that round-trips every entity and value.

Adapters store what :func:`unstructure` produces (JSON-ready dicts) and rebuild objects with
:func:`structure`. Decimals travel as strings (exact); datetimes as ISO 8601 with their offset and,
for IANA zones, the zone name in brackets (RFC 9557; a naive one is refused on the way in); dates
and times as ISO strings; Money as ``{"amount": "12.50", "currency": "CNY"}``; categories as codes.
Build your own with :func:`make_converter` if you need extra hooks; never use the global cattrs converter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import make_converter as make_json_converter

from aftersales.domain.actors import ActorRef
from aftersales.domain.classification import Category
from aftersales.domain.contact import zone
from aftersales.domain.events import NO_PAYLOAD, TicketEvent
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError

__all__ = ["converter", "dumps", "loads", "make_converter", "structure", "unstructure"]

T = TypeVar("T")


def _unstructure_datetime(value: datetime) -> str:
    # RFC 9557: keep the IANA zone, not just the offset, so local-day arithmetic survives a round trip.
    text = value.isoformat()
    key = getattr(value.tzinfo, "key", None)
    return f"{text}[{key}]" if key else text


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return require_aware(value, "datetime")
    try:
        text, _sep, key = value.partition("[")
        parsed = datetime.fromisoformat(text)
        if key:
            local = parsed.astimezone(zone(key.rstrip("]")))
            parsed = local
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(f"not an ISO 8601 datetime: {value!r}") from None
    return require_aware(parsed, "datetime")


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, float | bool):
        raise ValidationError(f"decimals travel as strings, not {type(value).__name__}")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"not a decimal: {value!r}") from None


def _structure_money(value: Any, _: type) -> Money:
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise ValidationError(f"money is {{'amount': str, 'currency': str}}, got {value!r}")
    amount = value["amount"]
    if isinstance(amount, float):
        raise ValidationError("money amounts travel as strings, never floats")
    return Money(amount, value["currency"])


def _structure_reason(value: Any, _: type) -> Reason:
    return Reason(value["code"], dict(value.get("params") or {}))


_ACTORS: dict[tuple[str, str], ActorRef] = {}
_EVENT_KEYS = frozenset(("seq", "at", "actor", "action", "from_state", "to_state", "reason", "payload"))


def _structure_actor(value: Any, _: type = ActorRef) -> ActorRef:
    # Actors repeat on every event of a ticket: share one frozen instance per (id, role).
    key = (value["id"], value["role"])
    found = _ACTORS.get(key)
    if found is None:
        if set(value) != {"id", "role"}:
            raise ValidationError(f"an actor is {{'id', 'role'}}, got {sorted(value)}")
        found = ActorRef(*key)
        if len(_ACTORS) < 4096:
            _ACTORS[key] = found
    return found


def _unstructure_event(e: TicketEvent) -> dict[str, Any]:
    # Events are most of a ticket's bytes: a direct hook is several times faster than the generic one.
    return {
        "seq": e.seq,
        "at": _unstructure_datetime(e.at),
        "actor": {"id": e.actor.id, "role": e.actor.role.value},
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "reason": e.reason,
        "payload": dict(e.payload),
    }


def _structure_event(value: Any, _: type) -> TicketEvent:
    if not isinstance(value, Mapping) or not value.keys() <= _EVENT_KEYS:
        raise ValidationError(f"not a ticket event: {value!r}"[:200])
    try:
        return TicketEvent(
            int(value["seq"]),
            _structure_datetime(value["at"], datetime),
            _structure_actor(value["actor"]),
            str(value["action"]),
            value["from_state"],
            str(value["to_state"]),
            value.get("reason"),
            value.get("payload") or NO_PAYLOAD,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"invalid ticket event: {exc}") from None


def make_converter() -> cattrs.Converter:
    """Build a converter configured for aftersales types (JSON-ready output)."""
    conv = make_json_converter(forbid_extra_keys=True, omit_if_default=False, detailed_validation=False)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, lambda v: v.isoformat())
    conv.register_structure_hook(date, lambda v, _: v if isinstance(v, date) else date.fromisoformat(v))
    conv.register_unstructure_hook(time, lambda v: v.isoformat())
    conv.register_structure_hook(time, lambda v, _: v if isinstance(v, time) else time.fromisoformat(v))
    conv.register_unstructure_hook(timedelta, lambda v: v.total_seconds())
    conv.register_structure_hook(timedelta, lambda v, _: timedelta(seconds=v))
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Money, lambda m: {"amount": str(m.amount), "currency": m.currency})
    conv.register_structure_hook(Money, _structure_money)
    conv.register_unstructure_hook(Category, lambda c: c.code)
    conv.register_structure_hook(Category, lambda v, _: Category(v))
    conv.register_unstructure_hook(Reason, lambda r: {"code": r.code, "params": dict(r.params)})
    conv.register_structure_hook(Reason, _structure_reason)
    conv.register_unstructure_hook(MappingProxyType, dict)
    conv.register_structure_hook(ActorRef, _structure_actor)
    conv.register_unstructure_hook(TicketEvent, _unstructure_event)
    conv.register_structure_hook(TicketEvent, _structure_event)
    return conv


converter: cattrs.Converter = make_converter()
"""The converter every adapter uses."""


def unstructure(obj: object) -> Any:
    """``obj`` as JSON-ready data (dicts, lists, str, int, bool, None)."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Rebuild a ``cls`` from :func:`unstructure` output; invalid data raises :class:`ValidationError`."""
    try:
        return converter.structure(data, cls)
    except ValidationError:
        raise
    except cattrs.BaseValidationError as exc:
        messages = "; ".join(cattrs.transform_error(exc))
        raise ValidationError(f"invalid {cls.__name__} data: {messages}") from exc
    except (cattrs.ForbiddenExtraKeysError, KeyError, TypeError, ValueError, AttributeError) as exc:
        # The converter runs without detailed validation (3× faster loads); name what it saw.
        raise ValidationError(f"invalid {cls.__name__} data: {type(exc).__name__}: {exc}") from exc


def dumps(obj: object) -> str:
    """``obj`` as a compact JSON string (UTF-8 text, Chinese kept readable)."""
    return json.dumps(unstructure(obj), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes, cls: type[T]) -> T:
    """Rebuild a ``cls`` from :func:`dumps` output."""
    return structure(json.loads(text), cls)
