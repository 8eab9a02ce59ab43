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

__all__ = ["NO_PAYLOAD", "JsonValue", "TicketEvent"]

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
