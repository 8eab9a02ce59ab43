"""Teams as critical dispatch reads them: parsed once, checked against the store on every read.

A team document carries its whole on-call roster (a year of twelve-hour shifts is 730 of them), and
parsing it was most of a critical dispatch. The parsed team is kept between commands and handed out
again only while the store still holds the same version of it: every read asks the store for the
version first (one primary-key lookup, or one range of the index for "the emergency teams"), so a
roster changed by another process or thread is read again at once. Documents are never deleted and
every save raises the version, so an equal version is the same content; teams are written only by
the team commands (``save_team``, ``set_roster``), which do not read through here, so a version read
here is a committed one. Handed-out teams are shared: the dispatch paths read them, never change them.
At most :data:`TEAMS_KEPT` teams are kept, the least recently read forgotten first: a store may hold
many region teams, each with a year of shifts, and a cache has a bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from aftersales.domain.teams import Team, TeamKind
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.fork_locks import renew_after_fork

__all__ = ["TEAMS_KEPT", "TeamRoster"]

TEAMS_KEPT = 256
"""Parsed teams a desk keeps (the emergency teams and the region teams dispatched to lately)."""


class TeamRoster:
    """Parsed teams of one desk, each re-read when its stored version moved."""

    def __init__(self, limit: int = TEAMS_KEPT) -> None:
        self._teams: OrderedDict[str, Team] = OrderedDict()
        self._lock = threading.Lock()
        self.limit = limit
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        """A free lock in a forked child (a parent's thread may have held it at the fork)."""
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._teams)

    def team(self, uow: UnitOfWork, team_id: str) -> Team:
        """The team ``team_id`` as stored now (``NotFound`` if there is none)."""
        documents = uow.documents
        version_of = getattr(documents, "version", None)
        if version_of is None:  # a host's store without version reads: parse every time
            return documents.get(Team, team_id)
        return self._current(uow, team_id, int(version_of(Team, team_id)))

    def emergency_teams(self, uow: UnitOfWork) -> list[Team]:
        """Every team of kind ``emergency``, by id, as stored now."""
        documents = uow.documents
        versions_of = getattr(documents, "versions", None)
        if versions_of is None:
            found = documents.query(Team, kind=TeamKind.EMERGENCY.value)
            return sorted(found, key=lambda t: t.id)
        versions: dict[str, int] = versions_of(Team, kind=TeamKind.EMERGENCY.value)
        return [self._current(uow, team_id, versions[team_id]) for team_id in sorted(versions)]

    def emergency_team(self, uow: UnitOfWork) -> Team:
        """The first emergency team by id (``NotFound`` when the desk has none)."""
        teams = self.emergency_teams(uow)
        if not teams:
            raise NotFound("team", TeamKind.EMERGENCY.value)
        return teams[0]

    def _current(self, uow: UnitOfWork, team_id: str, version: int) -> Team:
        with self._lock:
            kept = self._teams.get(team_id)
            if kept is not None and kept.version == version:
                self._teams.move_to_end(team_id)
                return kept
        team = uow.documents.get(Team, team_id)
        if team.version == version:  # read in the same transaction: the version just checked
            with self._lock:
                self._teams[team_id] = team
                self._teams.move_to_end(team_id)
                while len(self._teams) > self.limit:
                    self._teams.popitem(last=False)
        return team
