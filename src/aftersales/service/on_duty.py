"""Who is at the service desk now: the stored shift roster, read in a command's unit of work.

Kept apart from the desk that plans the shifts so the notifications can read it without the command
path's imports (:class:`~aftersales.service.notify.Notifications` tells the agents on duty).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.agent_shifts import DeskRoster
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["ROSTER_ID", "agents_on_duty", "stored_roster"]

ROSTER_ID = "desk"


def stored_roster(uow: UnitOfWork) -> DeskRoster | None:
    """The desk's roster as stored, or ``None`` before the first plan."""
    try:
        roster: DeskRoster = uow.documents.get(DeskRoster, ROSTER_ID)
    except NotFound:
        return None
    return roster


def agents_on_duty(uow: UnitOfWork, at: datetime) -> tuple[ActorRef, ...]:
    """The agents the roster has at the desk at ``at`` (none without a roster)."""
    roster = stored_roster(uow)
    if roster is None:
        return ()
    return tuple(ActorRef(agent, Role.AGENT) for agent in roster.on_duty(at))
