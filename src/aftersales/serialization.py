"""The one serialisation path: a cattrs converter that round-trips every entity and value.

Adapters store what :func:`unstructure` produces (JSON-ready dicts) and rebuild objects with
:func:`structure`. Decimals travel as strings (exact); datetimes as ISO 8601 with their offset and,
for IANA zones, the zone name in brackets (RFC 9557; a naive one is refused on the way in); dates
and times as ISO strings; Money as ``{"amount": "12.50", "currency": "CNY"}``; categories as codes.
Build your own with :func:`make_converter` if you need extra hooks; never use the global cattrs converter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, TypeVar, cast

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter

from aftersales.domain.actors import ActorRef
from aftersales.domain.attachments import Attachment
from aftersales.domain.charges import ChargeSheet
from aftersales.domain.classification import Category, Channel, Priority, TicketKind
from aftersales.domain.contact import Contact, zone
from aftersales.domain.events import NO_PAYLOAD, TicketEvent, ordered_event
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.self_containing import self_containing
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, CustomerNote, FaultRecord, Visit
from aftersales.errors import ValidationError
from aftersales.shared_reading import sheet_hook, structure_money, structure_reason, structure_reasons

__all__ = [
    "EventsText",
    "StoredEvents",
    "converter",
    "datetime_text",
    "decode_json",
    "dumps",
    "dumps_utf8",
    "encode_json",
    "encode_json_utf8",
    "event_data",
    "events_stored_as",
    "forget_encoded",
    "in_zone",
    "load_ticket",
    "loads",
    "make_converter",
    "parse_datetime_text",
    "structure",
    "ticket_json_utf8",
    "ticket_state_utf8",
    "ticket_text_utf8",
    "unstructure",
]

T = TypeVar("T")


def datetime_text(value: datetime) -> str:
    """How a datetime is stored: ISO 8601 with its offset and, for an IANA zone, ``[zone]`` (RFC 9557).

    The zone name, not just the offset, so local-day arithmetic survives a round trip.
    """
    kept = _TEXTS.get(id(value))
    if kept is not None and kept[0] is value:  # this very (immutable) datetime: the same text
        return kept[1]
    offset = value.utcoffset()
    if offset is None or offset.seconds % 60 or offset.microseconds:
        text = value.isoformat()
    else:  # orjson writes the same text 5x faster (tests hold them equal); not offsets with seconds
        text = orjson.dumps(value)[1:-1].decode()
    key = getattr(value.tzinfo, "key", None)
    if key:
        text = f"{text}[{key}]"
    if len(_TEXTS) >= _KEEP_TEXTS:
        _TEXTS.clear()
    _TEXTS[id(value)] = (value, text)  # the datetime is kept with its text: its id is not reused meanwhile
    return text


# The text of the datetimes written last, by identity. A command writes its instant ("now") in its event,
# in the stored ticket, in each outbox message and its payload, and a save writes the received time and
# the due times again; ``isoformat`` with a zone costs a few µs. All forgotten at once when full. Sized
# for the instants of a few thousand tickets (about 3 MB): a ticket's received time and unchanged due
# times are the same objects from save to save, and with 64 they were always forgotten in between.
_TEXTS: dict[int, tuple[datetime, str]] = {}
_KEEP_TEXTS = 16384


# Recently parsed datetime texts. A ticket repeats its instants (received, first event, due times)
# and is read again and again; a text always parses to the same immutable value.
_INSTANTS: dict[str, datetime] = {}
_INSTANTS_LIMIT = 16384


def parse_datetime_text(text: str) -> datetime:
    """A datetime from :func:`datetime_text` (offset, and the IANA zone in brackets when it had one)."""
    return _structure_datetime(text, datetime)


def _structure_datetime(value: Any, _: type) -> datetime:
    if type(value) is str:
        found = _INSTANTS.get(value)
        if found is not None:
            return found
    elif isinstance(value, datetime):
        return require_aware(value, "datetime")
    try:
        text, _sep, key = value.partition("[")
        parsed = datetime.fromisoformat(text)
        if key:
            parsed = in_zone(parsed, zone(key.rstrip("]")))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(f"not an ISO 8601 datetime: {value!r}") from None
    parsed = require_aware(parsed, "datetime")
    if type(value) is str:
        if len(_INSTANTS) >= _INSTANTS_LIMIT:
            _INSTANTS.clear()
        _INSTANTS[value] = parsed
    return parsed


def in_zone(parsed: datetime, tz: tzinfo) -> datetime:
    """``parsed`` (fixed offset) with its IANA zone, keeping the stored wall time where the zone gives
    it the stored offset. Datetimes sharing a zone compare by wall time, so a time written inside a
    daylight-saving gap (02:30 on the spring-forward night, offset before the change) must read back
    as that wall time, not as the normalised 03:30, or the event would no longer equal itself."""
    local = parsed.replace(tzinfo=tz)
    offset = parsed.utcoffset()
    if local.utcoffset() == offset:
        return local
    local = local.replace(fold=1)  # the second 02:30 of the autumn night
    return local if local.utcoffset() == offset else parsed.astimezone(tz)


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, float | bool):
        raise ValidationError(f"decimals travel as strings, not {type(value).__name__}")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"not a decimal: {value!r}") from None


def _contact_hooks(
    conv: cattrs.Converter,
) -> tuple[Callable[[Contact], dict[str, Any]], Callable[[Any, type], Contact]]:
    """A contact's record carries its phone's E.164 form and SMS flag, so reading it back parses nothing
    (:meth:`Contact.restore`); records written without them are checked as before."""
    plain = cattrs.gen.make_dict_unstructure_fn(Contact, conv)
    names = frozenset(a.alias for a in attrs.fields(Contact) if a.init)

    def unstructure_contact(contact: Contact) -> dict[str, Any]:
        data: dict[str, Any] = plain(contact)
        facts = contact.phone_facts()
        if facts is not None:
            data["phone_e164"], data["phone_sms"] = facts
        return data

    def structure_contact(value: Any, _: type) -> Contact:
        if not isinstance(value, Mapping):
            raise ValidationError(f"a contact is a mapping, got {value!r}")
        fields = dict(value)
        e164, sms = fields.pop("phone_e164", None), fields.pop("phone_sms", None)
        if not names.issuperset(fields):
            extra = set(fields) - names
            raise ValidationError(f"invalid Contact data: unknown field(s) {', '.join(sorted(extra))}")
        if "channels" in fields and isinstance(fields["channels"], list):
            fields["channels"] = tuple(fields["channels"])
        return Contact.restore(fields, e164, sms)

    return unstructure_contact, structure_contact


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


def _unstructure_event(e: TicketEvent, known: tuple[datetime, str] | None = None) -> dict[str, Any]:
    # Events are most of a ticket's bytes: a direct hook is several times faster than the generic one,
    # and keys whose value is the default (no from_state, no reason, no payload) are left out. ``known``
    # is an instant already written (the ticket's received_at, which its first event shares).
    data = {
        "seq": e.seq,
        "at": known[1] if known is not None and e.at is known[0] else datetime_text(e.at),
        "actor": {"id": e.actor.id, "role": e.actor.role._value_},
        "action": e.action,
        "to_state": e.to_state,
    }
    if e.from_state is not None:
        data["from_state"] = e.from_state
    if e.reason is not None:
        data["reason"] = e.reason
    if e.payload:
        data["payload"] = dict(e.payload)
    return data


def events_stored_as(events: Sequence[TicketEvent], stored: Sequence[Any]) -> bool:
    """Whether the stored events ``stored`` (decoded JSON, as many as ``events`` or more) begin with
    exactly ``events``, every field of every one.

    For a store that reuses events it parsed before instead of parsing a row's again. "The log only
    grows" does not prove it: a customer's erasure rewrites the events a ticket has (their reasons and
    payloads lose the person's name and number) and adds none, so an equal count and an equal last
    step say nothing about the text of the earlier ones. Comparing is a few dict lookups per event,
    a fraction of building them again.
    """
    if len(stored) < len(events):
        return False
    for event, data in zip(events, stored, strict=False):  # ``stored`` may be longer
        mine = _unstructure_event(event)
        if mine != data and not _same_json(mine, data):
            return False
    return True


def _same_json(a: Any, b: Any) -> bool:
    # Equal JSON written with a tuple where the stored JSON has a list (or in another key order).
    try:
        return bool(orjson.dumps(a, option=_CANONICAL) == orjson.dumps(b, option=_CANONICAL))
    except orjson.JSONEncodeError:
        return False


_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _structure_event(value: Any, _: type, ordered: bool | None = None) -> TicketEvent:
    # ``ordered``: whether this event's payload (of a plain dict event) is proven sorted already
    # (:func:`_structure_events`); None: checked here, in C. Unproven, the event sorts it as it is made.
    if (type(value) is not dict and not isinstance(value, Mapping)) or not value.keys() <= _EVENT_KEYS:
        raise ValidationError(f"not a ticket event: {value!r}"[:200])
    payload = value.get("payload") or NO_PAYLOAD
    if ordered is None:
        ordered = payload is NO_PAYLOAD or _in_sorted_order(payload)
    make = ordered_event if ordered and type(value) is dict else TicketEvent
    try:
        return make(
            int(value["seq"]),
            _structure_datetime(value["at"], datetime),
            _structure_actor(value["actor"]),
            str(value["action"]),
            value.get("from_state"),
            str(value["to_state"]),
            value.get("reason"),
            payload,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"invalid ticket event: {exc}") from None


def _structure_events(values: Any) -> list[TicketEvent]:
    """A ticket's events from their JSON. Every payload is held with sorted keys
    (:mod:`aftersales.domain.canonical`); all of them are checked at once, in C, and events whose payloads
    pass are made without the event's own walk of each (issue 21: that walk, once per event of every
    ticket parsed from a store, was most of the check's cost). A store this library wrote passes; other
    data (a host's, ``jsonb``'s key order) is checked event by event and sorted where it is not."""
    if type(values) is not list:
        return [_structure_event(e, TicketEvent) for e in values]
    payloads = [e["payload"] for e in values if type(e) is dict and "payload" in e]
    ordered = True if not payloads or _in_sorted_order(payloads) else None
    return [_structure_event(e, TicketEvent, ordered) for e in values]


def _in_sorted_order(value: Any) -> bool:
    """Whether JSON-ready ``value`` has the keys of every mapping in it (at any depth) in sorted order,
    as :func:`aftersales.domain.canonical.is_canonical` says, decided in C: its JSON text equals the text
    with sorted keys (keys are distinct, so any key out of order changes the text; orjson sorts str keys
    by code point, as Python does). False for what orjson does not write (a ``MappingProxyType``, a
    datetime, a non-str key, a value that contains itself): the caller then takes the slow path, which
    decides."""
    try:
        return bool(orjson.dumps(value) == orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    except orjson.JSONEncodeError:
        return False


_TICKET_KEYS = (
    "id", "kind", "customer_id", "channel", "category", "description", "received_at", "taken_by", "state",
    "asset_id", "product_id", "batch", "region", "dealer_id", "expected_by", "urgent", "priority",
    "priority_reasons", "assessment", "assignee", "fault_records", "visits", "notes", "events",
    "response_due_at", "resolution_due_at", "callback_due_at", "resolved_at", "closed_at", "version",
    "tags", "custom_fields", "attachments",
    "charges", "response_steps", "response_late_after", "resolution_late_after", "resolution_steps",
)  # fmt: skip
_TICKET_KEY_SET = frozenset(_TICKET_KEYS)
_TICKET_DEFAULTS = {a.name: a.default for a in attrs.fields(Ticket)}
# Dict lookups instead of Enum calls on the load path; a miss is a KeyError, refused like a bad value.
_KINDS = {m.value: m for m in TicketKind}
_CHANNELS = {m.value: m for m in Channel}
_PRIORITIES = {m.value: m for m in Priority}
_CATEGORIES: dict[str, Category] = {c.code: c for c in Category.builtin()}


def _structure_category(value: Any) -> Category:
    found = _CATEGORIES.get(value) if isinstance(value, str) else None
    if found is None:
        found = Category(value)
        if len(_CATEGORIES) < 1024:
            _CATEGORIES[found.code] = found
    return found


_PLAIN = (str, int, bool, float, type(None))


def _json_ready(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """An unstructure hook for ``Mapping[str, Any]`` payloads: JSON-ready values pass through as they are.

    Payloads are JSON-ready by contract, so walking them is enough; anything else (a datetime, a Decimal)
    still goes through the converter. Several times faster than cattrs' per-value dispatch on ``Any``.
    """

    def plain(value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is dict or kind is MappingProxyType:
            return {key: plain(item) for key, item in value.items()}
        if kind is list or kind is tuple:
            return [plain(item) for item in value]
        return conv.unstructure(value)

    return plain


def _reasons_data(reasons: tuple[Reason, ...]) -> list[dict[str, Any]]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


# The JSON text of immutable values a ticket keeps from save to save (its assessment, assignee and
# priority reasons are shared objects: a copy of the ticket holds the same ones), by identity, the value
# kept with its text so its id is not reused meanwhile. All forgotten at once when full.
_ENCODED: dict[int, tuple[object, orjson.Fragment]] = {}
_KEEP_ENCODED = 8192


def _encoded(value: Any, data: Callable[[Any], Any]) -> orjson.Fragment:
    """``data(value)`` as JSON text to embed (an ``orjson.Fragment``), made once per (immutable) value."""
    kept = _ENCODED.get(id(value))
    if kept is not None and kept[0] is value:
        return kept[1]
    found = orjson.Fragment(encode_json_utf8(data(value)))
    if len(_ENCODED) >= _KEEP_ENCODED:
        _ENCODED.clear()
    _ENCODED[id(value)] = (value, found)
    return found


def _structure_optional_datetime(value: Any) -> datetime | None:
    return None if value is None else _structure_datetime(value, datetime)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _ticket_hooks(
    conv: cattrs.Converter,
) -> tuple[Callable[[Ticket, Any, bool], dict[str, Any]], Callable[[Any, type], Ticket]]:
    """Direct hooks for Ticket, the hot path of every store (2-3x faster than the generated ones).

    Same data and the same refusals as the generated hooks: unknown keys, naive datetimes and bad
    codes raise; nested values go through the converter's own hooks.
    """
    if tuple(a.name for a in attrs.fields(Ticket)) != _TICKET_KEYS:
        raise RuntimeError("Ticket's fields changed: update the direct hooks in aftersales.serialization")
    unstructure_assessment = conv.get_unstructure_hook(Assessment)
    unstructure_assignee = conv.get_unstructure_hook(Assignee)
    unstructure_fault = conv.get_unstructure_hook(FaultRecord)
    unstructure_visit = conv.get_unstructure_hook(Visit)
    unstructure_note = conv.get_unstructure_hook(CustomerNote)
    structure_assessment = conv.get_structure_hook(Assessment)
    structure_assignee = conv.get_structure_hook(Assignee)
    structure_fault = conv.get_structure_hook(FaultRecord)
    structure_visit = conv.get_structure_hook(Visit)
    structure_note = conv.get_structure_hook(CustomerNote)
    unstructure_attachment = conv.get_unstructure_hook(Attachment)
    structure_attachment = conv.get_structure_hook(Attachment)
    dt = datetime_text

    def unstructure_ticket(t: Ticket, events: Any = None, encoded: bool = False) -> dict[str, Any]:
        # Compact: optional values that are unset are left out (the loader defaults them). The lists the
        # SQLite reporting triggers read (events, visits, fault_records) are always written.
        # ``_value_``, not ``.value``: the member's own attribute, without the enum property's descriptor.
        # ``encoded``: the data goes straight to orjson (a save), so the immutable values a ticket keeps
        # from save to save (assessment, assignee, priority reasons) are written as their kept text.
        received = dt(t.received_at)
        data: dict[str, Any] = {
            "id": t.id,
            "kind": t.kind._value_,
            "customer_id": t.customer_id,
            "channel": t.channel._value_,
            "category": t.category.code,
            "description": t.description,
            "received_at": received,
            "taken_by": {"id": t.taken_by.id, "role": t.taken_by.role._value_},
            "state": t.state,
        }
        # Plain ifs, not a loop over pairs: this runs for every ticket of a bulk import.
        if t.asset_id is not None:
            data["asset_id"] = t.asset_id
        if t.product_id is not None:
            data["product_id"] = t.product_id
        if t.batch is not None:
            data["batch"] = t.batch
        if t.region is not None:
            data["region"] = t.region
        if t.dealer_id is not None:
            data["dealer_id"] = t.dealer_id
        if t.expected_by is not None:
            data["expected_by"] = dt(t.expected_by)
        if t.urgent:
            data["urgent"] = True
        if t.priority is not None:
            data["priority"] = t.priority._value_
        if encoded:
            if t.priority_reasons:
                data["priority_reasons"] = _encoded(t.priority_reasons, _reasons_data)
            if t.assessment is not None:
                data["assessment"] = _encoded(t.assessment, unstructure_assessment)
            if t.assignee is not None:
                data["assignee"] = _encoded(t.assignee, unstructure_assignee)
        else:
            if t.priority_reasons:
                data["priority_reasons"] = _reasons_data(t.priority_reasons)
            if t.assessment is not None:
                data["assessment"] = unstructure_assessment(t.assessment)
            if t.assignee is not None:
                data["assignee"] = unstructure_assignee(t.assignee)
        data["fault_records"] = [unstructure_fault(f) for f in t.fault_records] if t.fault_records else []
        data["visits"] = [unstructure_visit(v) for v in t.visits] if t.visits else []
        if t.notes:
            data["notes"] = [unstructure_note(n) for n in t.notes]
        if events is None:
            known = (t.received_at, received)
            events = [_unstructure_event(e, known) for e in t.events]
        data["events"] = events
        if t.response_due_at is not None:
            data["response_due_at"] = dt(t.response_due_at)
        if t.resolution_due_at is not None:
            data["resolution_due_at"] = dt(t.resolution_due_at)
        if t.callback_due_at is not None:
            data["callback_due_at"] = dt(t.callback_due_at)
        if t.resolved_at is not None:
            data["resolved_at"] = dt(t.resolved_at)
        if t.closed_at is not None:
            data["closed_at"] = dt(t.closed_at)
        data["version"] = t.version
        if t.tags:
            data["tags"] = list(t.tags)
        if t.custom_fields:
            data["custom_fields"] = dict(t.custom_fields)
        if t.attachments:
            data["attachments"] = [unstructure_attachment(a) for a in t.attachments]
        if t.charges is not None:
            data["charges"] = conv.unstructure(t.charges, ChargeSheet)
        if t.response_steps:
            data["response_steps"] = list(t.response_steps)
        if t.response_late_after is not None:
            data["response_late_after"] = dt(t.response_late_after)
        if t.resolution_late_after is not None:
            data["resolution_late_after"] = dt(t.resolution_late_after)
        if t.resolution_steps:
            data["resolution_steps"] = list(t.resolution_steps)
        return data

    def structure_ticket(o: Any, _: type) -> Ticket:
        if type(o) is not dict and not isinstance(o, Mapping):
            raise ValidationError(f"a ticket is a mapping, got {type(o).__name__}")
        unknown = o.keys() - _TICKET_KEY_SET
        if unknown:
            raise ValidationError(f"invalid Ticket data: unknown key(s) {sorted(unknown)}")
        get = o.get
        priority = get("priority")
        assessment = get("assessment")
        assignee = get("assignee")
        charges = get("charges")
        return Ticket(
            id=str(o["id"]),  # type: ignore[arg-type]
            kind=_KINDS[o["kind"]],
            customer_id=str(o["customer_id"]),  # type: ignore[arg-type]
            channel=_CHANNELS[o["channel"]],
            category=_structure_category(o["category"]),
            description=str(o["description"]),
            received_at=_structure_datetime(o["received_at"], datetime),
            taken_by=_structure_actor(o["taken_by"]),
            state=str(get("state", _TICKET_DEFAULTS["state"])),
            asset_id=_optional_str(get("asset_id")),  # type: ignore[arg-type]
            product_id=_optional_str(get("product_id")),  # type: ignore[arg-type]
            batch=_optional_str(get("batch")),
            region=_optional_str(get("region")),
            dealer_id=_optional_str(get("dealer_id")),  # type: ignore[arg-type]
            expected_by=_structure_optional_datetime(get("expected_by")),
            urgent=bool(get("urgent", False)),
            priority=_PRIORITIES[priority] if priority is not None else None,
            priority_reasons=tuple(structure_reason(r, Reason) for r in get("priority_reasons", ())),
            assessment=structure_assessment(assessment, Assessment) if assessment is not None else None,
            assignee=structure_assignee(assignee, Assignee) if assignee is not None else None,
            fault_records=tuple(structure_fault(f, FaultRecord) for f in get("fault_records", ())),
            visits=tuple(structure_visit(v, Visit) for v in get("visits", ())),
            notes=tuple(structure_note(n, CustomerNote) for n in get("notes", ())),
            events=_structure_events(get("events", ())),
            response_due_at=_structure_optional_datetime(get("response_due_at")),
            resolution_due_at=_structure_optional_datetime(get("resolution_due_at")),
            callback_due_at=_structure_optional_datetime(get("callback_due_at")),
            resolved_at=_structure_optional_datetime(get("resolved_at")),
            closed_at=_structure_optional_datetime(get("closed_at")),
            version=int(get("version", 0)),
            tags=tuple(str(tag) for tag in get("tags", ())),
            custom_fields={str(k): str(v) for k, v in get("custom_fields", {}).items()},
            attachments=tuple(structure_attachment(a, Attachment) for a in get("attachments", ())),
            charges=conv.structure(charges, ChargeSheet) if charges is not None else None,
            response_steps=tuple(str(step) for step in get("response_steps", ())),
            response_late_after=_structure_optional_datetime(get("response_late_after")),
            resolution_late_after=_structure_optional_datetime(get("resolution_late_after")),
            resolution_steps=tuple(str(step) for step in get("resolution_steps", ())),
        )

    return unstructure_ticket, structure_ticket


DERIVED = "aftersales_derived"
"""Metadata key of an attrs field derived from others and not stored: a document's index value computed
from its fields (``SlaAlert.moment``). Left out of the JSON, an older release (whose converter refuses
unknown keys) still reads the document; read back, its default computes it again."""


def _has_derived(cls: Any) -> bool:
    return attrs.has(cls) and any(f.metadata.get(DERIVED) for f in attrs.fields(cls))


def _without_derived(cls: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    omitted = {f.name: override(omit=True) for f in attrs.fields(cls) if f.metadata.get(DERIVED)}
    return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=False, **omitted)  # type: ignore[arg-type]


def make_converter() -> cattrs.Converter:
    """Build a converter configured for aftersales types (JSON-ready output)."""
    conv = make_json_converter(forbid_extra_keys=True, omit_if_default=False, detailed_validation=False)
    conv.register_unstructure_hook(datetime, datetime_text)
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
    conv.register_structure_hook(Money, structure_money)
    conv.register_unstructure_hook(Category, lambda c: c.code)
    conv.register_structure_hook(Category, lambda v, _: Category(v))
    conv.register_unstructure_hook(Reason, lambda r: {"code": r.code, "params": dict(r.params)})
    conv.register_structure_hook(Reason, structure_reason)
    conv.register_structure_hook_func(lambda cls: cls == tuple[Reason, ...], structure_reasons)
    unstructure_contact, structure_contact = _contact_hooks(conv)
    conv.register_unstructure_hook(Contact, unstructure_contact)
    conv.register_structure_hook(Contact, structure_contact)
    conv.register_unstructure_hook(MappingProxyType, dict)
    payload = _json_ready(conv)
    conv.register_unstructure_hook_func(lambda cls: cls == Mapping[str, Any], payload)
    conv.register_structure_hook(ActorRef, _structure_actor)
    conv.register_unstructure_hook(TicketEvent, _unstructure_event)
    conv.register_structure_hook(TicketEvent, _structure_event)
    conv.register_unstructure_hook_factory(_has_derived, lambda cls: _without_derived(cls, conv))
    unstructure_ticket, structure_ticket = _ticket_hooks(conv)
    global _unstructure_ticket
    _unstructure_ticket = unstructure_ticket
    conv.register_unstructure_hook(Ticket, cast(Callable[[Any], Any], unstructure_ticket))
    conv.register_structure_hook(Ticket, structure_ticket)
    conv.register_structure_hook(ChargeSheet, sheet_hook(conv))
    return conv


converter: cattrs.Converter = make_converter()
"""The converter every adapter uses."""


def unstructure(obj: object) -> Any:
    """``obj`` as JSON-ready data (dicts, lists, str, int, bool, None). A value that contains itself is
    a ``ValidationError`` naming ``obj`` (looked for once the converter's walk overflowed)."""
    try:
        return converter.unstructure(obj)
    except RecursionError:
        raise self_containing(obj, "obj") from None


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


# JSON text is made and read with orjson: on a ticket it is 8-10× faster than the json module (a desk
# command writes and reads one, a bulk import writes 50,000 a second), and its output is the same compact
# UTF-8 text. Integers must fit 64 bits: orjson refuses larger ones on the way out (a clear error here)
# and would read them back as floats, and SQLite's JSON functions could not compare them either.
# {3: "x"} is written {"3":"x"}, as the json module did. Datetimes and dataclasses are not written by
# orjson's own rules but handed to the converter (``_default``), so data the converter has not walked
# (an outbox payload) comes out exactly as if it had.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(value: Any) -> Any:
    """orjson's hook for values that are not JSON types: whatever the converter makes of them."""
    data = converter.unstructure(value)
    if data is value:
        raise TypeError(f"{type(value).__name__} is not JSON-ready")
    return data


def encode_json(data: Any) -> str:
    """JSON-ready ``data`` as compact text (Chinese kept readable), as :func:`dumps` writes it."""
    return encode_json_utf8(data).decode()


def encode_json_utf8(data: Any) -> bytes:
    """:func:`encode_json` as UTF-8 bytes (for stores that take bytes: no decode per write)."""
    try:
        return orjson.dumps(data, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError as exc:
        raise ValidationError(f"cannot be stored as JSON: {exc}") from None


def decode_json(text: str | bytes) -> Any:
    """Parse JSON text (what :func:`encode_json` wrote) into dicts, lists and scalars."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON: {exc}") from None


def dumps(obj: object) -> str:
    """``obj`` as a compact JSON string (UTF-8 text, Chinese kept readable)."""
    return encode_json(unstructure(obj))


def dumps_utf8(obj: object) -> bytes:
    """:func:`dumps` as UTF-8 bytes."""
    return encode_json_utf8(unstructure(obj))


def loads(text: str | bytes, cls: type[T]) -> T:
    """Rebuild a ``cls`` from :func:`dumps` output."""
    return structure(decode_json(text), cls)


_unstructure_ticket: Callable[[Ticket, Any, bool], dict[str, Any]]


@attrs.frozen
class EventsText:
    """The stored JSON array of a ticket's first ``count`` events (the last one numbered ``last_seq``)."""

    count: int
    last_seq: int
    array: bytes


class StoredEvents:
    """The events of a ticket as parsed from its stored JSON (plain lists and dicts), kept beside the
    ticket a store read, so that its save writes them back with one ``orjson`` dump instead of
    converting every event again (:meth:`text`). Made by :func:`load_ticket`."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list[Any]) -> None:
        self._raw = raw

    def text(self) -> EventsText | None:
        """The :class:`EventsText` of these events (None if they are not a list of numbered events)."""
        raw = self._raw
        if not raw:
            return None
        last = raw[-1]
        seq = last.get("seq") if isinstance(last, dict) else None
        if not isinstance(seq, int):
            return None
        return EventsText(len(raw), seq, encode_json_utf8(raw))


def load_ticket(text: str | bytes) -> tuple[Ticket, StoredEvents | None]:
    """:func:`loads` of a stored ticket, with its events as parsed (for :func:`ticket_text_utf8`)."""
    data = decode_json(text)
    ticket = structure(data, Ticket)
    raw = data.get("events") if isinstance(data, dict) else None
    return ticket, StoredEvents(raw) if isinstance(raw, list) else None


def ticket_text_utf8(ticket: Ticket, version: int, stored: EventsText | None) -> tuple[bytes, EventsText]:
    """The stored JSON of ``ticket`` at ``version`` (as :func:`dumps_utf8`), and its events' text.

    Events are append-only and most of a ticket's bytes: with the text of the events already stored
    (``stored``, kept from the last save), only the new events are serialized and the earlier ones are
    written back verbatim (an ``orjson.Fragment``), so a save costs the same on the 3rd or the 50th
    event. A ``stored`` that does not describe this ticket's first events is ignored.
    """
    kept = _events_text(ticket, stored)
    data = _unstructure_ticket(ticket, orjson.Fragment(kept.array), True)
    data["version"] = version
    return encode_json_utf8(data), kept


def ticket_state_utf8(ticket: Ticket, version: int, stored: EventsText | None) -> tuple[bytes, EventsText]:
    """:func:`ticket_text_utf8` without the ``events`` member (the same bytes with that member cut
    out), and its events' text: a store that keeps the events apart (SQLite's log) writes this state.

    Made directly, not cut out of the whole text: the whole text copies every event's bytes into it
    once more, and the cut searched and copied them again, on every save (issue 21).
    """
    kept = _events_text(ticket, stored)
    data = _unstructure_ticket(ticket, _NO_EVENTS, True)
    del data["events"]
    data["version"] = version
    return encode_json_utf8(data), kept


_NO_EVENTS = orjson.Fragment(b"[]")
"""A stand-in for the events member that :func:`ticket_state_utf8` deletes (never encoded)."""


def _events_text(ticket: Ticket, stored: EventsText | None) -> EventsText:
    """The JSON array of all of ``ticket``'s events: ``stored`` (the text of its first events) with
    the new ones appended, or all of them serialized if ``stored`` does not describe them."""
    events = ticket.events
    known = (ticket.received_at, datetime_text(ticket.received_at))
    if (
        stored is not None
        and 0 < stored.count <= len(events)
        and events[stored.count - 1].seq == stored.last_seq
    ):
        new = events[stored.count :]
        if new:
            written = [_unstructure_event(e, known) for e in new]
            more = encode_json_utf8(written)
            # Each new event becomes an outbox message in the same command: its data is made once.
            if len(_WRITTEN) >= _KEEP_WRITTEN:
                _WRITTEN.clear()
            for event, data in zip(new, written, strict=True):
                _WRITTEN[id(event)] = (event, data)
            array = stored.array[:-1] + b"," + more[1:]
        else:
            array = stored.array
    else:
        array = encode_json_utf8([_unstructure_event(e, known) for e in events])
    return EventsText(len(events), events[-1].seq if events else 0, array)


# The data of the events a command's save just wrote (by identity, the event kept with it so its id is
# not reused meanwhile), for :func:`event_data`: each is handed out once. Cleared when full (events
# saved by a path that makes no outbox message are never asked for).
_WRITTEN: dict[int, tuple[TicketEvent, dict[str, Any]]] = {}
_KEEP_WRITTEN = 64


def forget_encoded() -> None:
    """Forget the JSON text kept of recently saved values and events (an erasure: an assessment's note
    or an event's reason may quote the person; the memos refill on the next saves)."""
    _ENCODED.clear()
    _WRITTEN.clear()


def event_data(event: TicketEvent) -> dict[str, Any]:
    """``unstructure(event)``, a dict the caller owns: the one a save in this command already made for
    ``event`` when there is one (handed out once; its text is already written), else a new one."""
    kept = _WRITTEN.pop(id(event), None)
    if kept is not None and kept[0] is event:
        return kept[1]
    return _unstructure_event(event)


def ticket_json_utf8(ticket: Ticket) -> bytes:
    """:func:`dumps_utf8` of a ticket, straight through its hook (a bulk import writes thousands a
    second: the converter's dispatch per call is a third of the cost). Same bytes."""
    return encode_json_utf8(_unstructure_ticket(ticket, None, False))
