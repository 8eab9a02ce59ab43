"""Where a complaint's solution was given (seed 003 二 5: 对于客户投诉…并在规定时限内给出解决方案).

A pack following seed 003 times a complaint's resolution to the solution given, not to the result told
afterwards (``give_feedback``, where every other pack's complaint clock stops): the handler's proposal
(``propose_solution``: 制定解决方案, put to the customer to negotiate) or the decision of a hard case coming
back as the solution (``decide``). A revision negotiated with the customer (``revise_solution``) does not
restart the clock; a customer rejecting the outcome (``reject``) sends the complaint back to be
investigated, so the solution given did not settle it and the clock runs again until the next one, as a
rejected acceptance keeps a service ticket's resolution clock running. A reopen starts a new cycle. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.domain.actors import Role
from aftersales.domain.events import TicketEvent

__all__ = ["SOLUTION_STEPS", "solution_given", "solution_given_us"]

SOLUTION_STEPS: tuple[str, ...] = ("decide", "propose_solution")
"""The complaint steps that give its solution (sorted: as a ticket records them)."""

_STAFF = frozenset(Role) - {Role.CUSTOMER, Role.SYSTEM, Role.AUDITOR}
_RESTART = frozenset({"opened", "reopen", "reject"})


def solution_given(events: Iterable[TicketEvent], steps: Iterable[str]) -> TicketEvent | None:
    """The event of ``events`` that gave the current cycle's standing solution: the first of ``steps``
    taken by staff since the opening, the last reopen or the last rejection; ``None`` when none did (or
    ``steps`` is empty: the pack times the resolution otherwise)."""
    wanted = frozenset(steps)
    if not wanted:
        return None
    found: TicketEvent | None = None
    for event in events:
        action = event.action
        if action in _RESTART:
            found = None
        elif found is None and action in wanted and event.actor.role in _STAFF:
            found = event
    return found


def solution_given_us(events: Iterable[TicketEvent], steps: Iterable[str]) -> int | None:
    """:func:`solution_given`'s instant in epoch µs (``None`` when none)."""
    found = solution_given(events, steps)
    return found.at_us if found is not None else None
