"""The ticket event: one line of the 售后问题台账 (who, when, from, to, why, what)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.canonical import canonical, is_canonical
from aftersales.domain.instants import micros, require_aware

__all__ = ["NO_PAYLOAD", "JsonValue", "TicketEvent", "ordered_event"]

JsonValue = Any
"""A JSON-ready value: str, int, bool, None, or lists and str-keyed dicts of them."""

NO_PAYLOAD: Mapping[str, JsonValue] = MappingProxyType({})
"""The shared empty payload (most steps carry none; one read-only instance saves memory)."""


@attrs.frozen
class TicketEvent:
    """An immutable record of one change to a ticket.

    ``action`` is the workflow trigger (or ``opened``); ``from_state`` is ``None`` only for
    ``opened``. ``payload`` holds JSON-ready facts of the step (the assignee, the priority and its
    reason codes, the fault record): enough to audit the step without the ticket.

    ``at_us`` is ``at`` as exact microseconds since the Unix epoch (UTC), computed once when the event is
    made: the SLA clock reads every event's instant on every derivation, and converting a datetime costs
    more than the rest of that reading.
    """

    seq: int
    at: datetime
    actor: ActorRef
    action: str
    from_state: str | None
    to_state: str
    reason: str | None = None
    payload: Mapping[str, JsonValue] = NO_PAYLOAD
    at_us: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        try:
            at_us = micros(self.at)
        except TypeError:
            require_aware(self.at, "at")  # raises the precise error (naive, or not a datetime)
            raise
        object.__setattr__(self, "at_us", at_us)
        if self.payload and not is_canonical(self.payload):  # keys sorted: see aftersales.domain.canonical
            object.__setattr__(self, "payload", canonical(self.payload))

    def handed_out(self) -> TicketEvent:
        """This event with a payload of its own (the same JSON, new dicts and lists), for a caller.

        Why: an event is kept by the store's parsed tickets and shared by every later copy of its
        ticket; its payload is JSON data in plain dicts. A caller that changed the payload of an event it
        was handed would change what this process's later commands read (a triage's priority, a
        dispatch's assignee) while every other process reads the stored event.
        """
        payload = self.payload
        if payload is NO_PAYLOAD:
            return self
        # Slot by slot, written out: a loop over the field names cost half as much again (a command's
        # result hands out each of its events). A field added to the event is added here too (a test
        # compares every field of the copy).
        own = _NEW(TicketEvent)
        _SET(own, "seq", self.seq)
        _SET(own, "at", self.at)
        _SET(own, "actor", self.actor)
        _SET(own, "action", self.action)
        _SET(own, "from_state", self.from_state)
        _SET(own, "to_state", self.to_state)
        _SET(own, "reason", self.reason)
        _SET(own, "payload", _owned(payload))
        _SET(own, "at_us", self.at_us)
        return own


_NEW = object.__new__
_SET = object.__setattr__


def ordered_event(
    seq: int,
    at: datetime,
    actor: ActorRef,
    action: str,
    from_state: str | None,
    to_state: str,
    reason: str | None,
    payload: Mapping[str, JsonValue],
) -> TicketEvent:
    """``TicketEvent(...)`` for a caller that has proven ``payload``'s keys sorted at every depth already
    (the serializer checks all of a stored ticket's payloads at once, in C): made without walking the
    payload again. Why: that walk ran for every event of every ticket parsed from a store (issue 21).
    Anything else builds events with the class, which checks and sorts. A field added to the event is
    added here too (a test compares every field with the class's event)."""
    try:
        at_us = micros(at)
    except TypeError:
        require_aware(at, "at")
        raise
    made = _NEW(TicketEvent)
    _SET(made, "seq", seq)
    _SET(made, "at", at)
    _SET(made, "actor", actor)
    _SET(made, "action", action)
    _SET(made, "from_state", from_state)
    _SET(made, "to_state", to_state)
    _SET(made, "reason", reason)
    _SET(made, "payload", payload)
    _SET(made, "at_us", at_us)
    return made


_ATOMS = frozenset({str, int, bool, float, type(None)})


def _owned(value: Any) -> Any:
    """JSON data copied: new dicts and lists (tuples stay tuples), the same atoms. An atom inside a dict
    or a list is taken as it is, without a call (most of a payload is atoms: half the calls of a copy)."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _ATOMS else _owned(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _ATOMS else _owned(item) for item in value]
    if kind in _ATOMS:
        return value
    if kind is tuple:
        return tuple(_owned(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _owned(item) for key, item in value.items()}
    return value
