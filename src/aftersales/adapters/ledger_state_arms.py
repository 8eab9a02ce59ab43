"""The SQLite ledger export's breached filter as one index range per open state (issue 21).

The export pages by (received_us, id). Session 33 dropped the ledger's due index (the sweep tables hold
its keys), so a breached export walked the received-time index over every ticket ever stored, closed
ones included, testing each row. Breached tickets are unresolved, and so open: their state is one of
the workflows' non-final states. ``tickets_state`` (state, received_us, id) gives each such state's
tickets in the export's order, so the filter becomes one arm per open state (each a range of that
index, no sort), merged in order as a dealer's scope's two arms are (:func:`~.sql_ledger.arm_pages`).
No index is added, so no write pays for it. A filter that names a dealer, customer, engineer, region,
product or label keeps its own arms: that index's range is narrower than any state's, and sixteen arms
would read it sixteen times.
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.adapters.sql_ledger import where_arms
from aftersales.domain.classification import TicketKind
from aftersales.domain.ticket import workflow_for
from aftersales.ports.queries import TicketFilter

__all__ = ["OPEN_STATES", "export_arms"]

OPEN_STATES: tuple[str, ...] = tuple(
    sorted({s for w in map(workflow_for, TicketKind) for s in w.states if not w.is_final(s)})
)
"""Every state a ticket of any kind can be open in (``is_open``, and so ``unresolved``, is false in the
others)."""


_ROW_TESTS: dict[str, Any] = {
    "states": (),
    "priorities": (),
    "categories": (),
    "kind": None,
    "received_from": None,
    "received_to": None,
    "due_before": None,
    "breached_at": None,
    "text": None,
    "is_open": None,
    "unresolved": None,
    "parts_pause": None,
}
"""The filter's fields no index of its own serves (tested on each row of a range; the received-time
bounds narrow each state's range)."""
_NO_FILTER = TicketFilter()


def _led_by_state(f: TicketFilter) -> bool:
    """Whether nothing but row tests and received-time bounds narrow ``f``."""
    return attrs.evolve(f, **_ROW_TESTS) == _NO_FILTER


def export_arms(f: TicketFilter) -> list[tuple[list[str], list[object]]]:
    """The SQLite export's disjoint arms of ``f`` (:func:`~.sql_ledger.where_arms`); a breached filter's
    split by open state (those of ``f.states`` when it names some: a final one holds no breached ticket).

    Every arm keeps the whole filter (``unresolved``, the due and late-gap tests), so the rows are
    exactly the filter's; the split only chooses the index each arm is a range of."""
    if f.breached_at is None or not _led_by_state(f):
        return where_arms(f, "?", "LIKE")
    states = [s for s in OPEN_STATES if not f.states or s in f.states]
    return [arm for s in states for arm in where_arms(attrs.evolve(f, states=(s,)), "?", "LIKE")]
