"""TicketEvent.handed_out: a copy equal in every field whose payload shares no dict or list with the
event's (issue 21, session 26: the copy sets each field by name, so a field it forgot shows here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.events import NO_PAYLOAD, TicketEvent

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = ActorRef("agent-1", "agent")


def _event(payload: Mapping[str, Any]) -> TicketEvent:
    return TicketEvent(3, AT, ACTOR, "triage", "new", "triaged", "why", payload)


def _containers(value: Any) -> list[Any]:
    """Every dict and list in ``value``, outermost first."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]
    if isinstance(value, list | tuple):
        own = [value] if isinstance(value, list) else []
        return own + [c for item in value for c in _containers(item)]
    return []


def test_every_field_is_copied() -> None:
    event = _event({"priority": "normal", "reasons": [{"code": "x", "params": {"by": "agent"}}]})
    copy = event.handed_out()
    assert copy is not event
    for field in attrs.fields(TicketEvent):
        assert getattr(copy, field.name) == getattr(event, field.name), field.name
    assert copy.at_us == event.at_us  # not compared by ==: checked on its own


def test_payload_shares_no_dict_or_list_and_keeps_atoms_and_tuples() -> None:
    name = "浦东特约承销商"
    event = _event({"a": [1, 2.5, None, True, {"b": [name]}], "c": (1, {"d": 2}), "e": {}})
    copy = event.handed_out()
    assert copy.payload == event.payload
    assert type(copy.payload["c"]) is tuple  # tuples stay tuples
    theirs, ours = _containers(event.payload), _containers(copy.payload)
    assert len(theirs) == len(ours) == 6
    assert all(a is not b for a, b in zip(theirs, ours, strict=True))
    assert copy.payload["a"][4]["b"][0] is name  # atoms shared, not copied
    copy.payload["a"][4]["b"].append("changed")
    assert event.payload["a"][4]["b"] == [name]


def test_a_read_only_mapping_inside_becomes_a_dict_of_its_own() -> None:
    inner = MappingProxyType({"k": [1]})
    event = _event({"m": inner})
    copy = event.handed_out()
    assert type(copy.payload["m"]) is dict and copy.payload["m"] == {"k": [1]}
    assert copy.payload["m"]["k"] is not event.payload["m"]["k"]


def test_an_event_without_payload_is_handed_out_as_it_is() -> None:
    event = TicketEvent(1, AT, ACTOR, "opened", None, "new")
    assert event.payload is NO_PAYLOAD and event.handed_out() is event
