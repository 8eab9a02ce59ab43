"""Engineer loads read from the store: open tickets per engineer, counted per ticket state.

A duty manager balancing work needs the live figure, not a count of the whole ledger done by hand.
The counts come from the store's grouped counts (one per open state), so they are as current as the
ledger and cost the same on memory, SQLite and PostgreSQL. A ticket counts for its assignee and for
every engineer the coordinator added to its team (``assisting``), as the engineer's own ledger lists it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.queries import CountField, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.permissions import PERMISSIONS, Workflow, check_role

__all__ = ["OPEN_STATES", "EngineerLoad", "engineer_loads_in"]

_DONE = frozenset({"resolved", "accepted", "closed", "cancelled"})
OPEN_STATES: tuple[str, ...] = tuple(s.value for s in TicketState if s.value not in _DONE)
"""States in which a ticket is still work for its engineer (resolved or accepted: the customer's turn)."""


@attrs.frozen
class EngineerLoad:
    """One engineer's open tickets: the total and the count in each open state (zero states left out)."""

    engineer_id: str
    name: str
    team: str | None
    open: int
    by_state: Mapping[str, int]
    max_load: int
    assisting: int = 0
    """Of ``open``, the tickets the engineer was added to (a critical ticket's team), not assigned."""
    active: bool = True
    """False once the engineer left (离职/停用, or a recorded departure past): its open tickets are work for
    the office to move."""

    @property
    def has_capacity(self) -> bool:
        """True while the engineer works here and is below its load limit (no dispatch picks one who
        left, whatever its load)."""
        return self.active and self.open < self.max_load


def engineer_loads_in(
    uow: UnitOfWork, actor: Actor, team: str | None = None, now: datetime | None = None
) -> list[EngineerLoad]:
    """Every engineer's load (of ``team`` if given), most loaded first, then by id; ``active`` at ``now``
    (a recorded departure past, as well as a deactivation; ``now`` ``None``: deactivation alone).

    Dealer staff see their own dealer's engineers only. A ``team`` no engineer belongs to (in the
    actor's scope) is ``NotFound`` rather than an empty answer that hides a typo.
    """
    check_role(actor, "engineer_loads", team, PERMISSIONS[Workflow.DOCUMENTS]["engineer_loads"])
    engineers = list(uow.engineers.list())
    office = actor.has_role(Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER)
    office = office or actor.has_role(Role.AUDITOR, Role.SYSTEM)
    if not office:
        engineers = [e for e in engineers if e.dealer_id is not None and e.dealer_id == actor.dealer_id]
    if team is not None:
        engineers = [e for e in engineers if e.team == team]
        if not engineers:
            raise NotFound("team", team)
    per_state = {
        state: uow.tickets.count_by(CountField.ASSIGNEE_ID, TicketFilter(states=(state,)))
        for state in OPEN_STATES
    }
    # Issue 20: an engineer the coordinator added to a ticket's team works on it too.
    member_states = {
        state: uow.tickets.count_by(CountField.MEMBER, TicketFilter(states=(state,))) for state in OPEN_STATES
    }
    loads = []
    for engineer in engineers:
        me = engineer.id
        by_state = {s: n for s in OPEN_STATES if (n := per_state[s].get(me, 0) + member_states[s].get(me, 0))}
        assisting = sum(counts.get(me, 0) for counts in member_states.values())
        loads.append(
            EngineerLoad(
                me,
                engineer.name,
                engineer.team,
                sum(by_state.values()),
                by_state,
                engineer.max_load,
                assisting,
                engineer.active if now is None else not engineer.gone_at(now),
            )
        )
    loads.sort(key=lambda load: (-load.open, load.engineer_id))
    return loads
