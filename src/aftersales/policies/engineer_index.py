"""Indexes of the roster for dispatch: engineers by skill and region, dealers by territory.

Dispatch must not scan every engineer (issue 9: among 1,000 engineers within 1 ms). The index is built once
from the roster and kept current as loads change: only engineers *below* their load limit sit in the
buckets, so a lookup touches the few engineers who could take the ticket. Nothing here does I/O; the
service layer builds the index from its repositories and calls :meth:`EngineerIndex.set_load` when it
assigns or closes a ticket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set

from aftersales.domain.call_shape import host_factories
from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.parties import Dealer, Engineer
from aftersales.errors import DuplicateError, NotFound, ValidationError

__all__ = ["ANY", "DealerIndex", "EngineerIndex"]

ANY = ""
"""The skill key under which every engineer is filed (for tickets that need no particular skill)."""

_EMPTY: frozenset[EngineerId] = frozenset()


@host_factories
class EngineerIndex:
    """Engineers with spare capacity, by (skill, region), by skill, and emergency-team membership.

    An engineer who is no longer active (left the company or the dealer) is held by id only: it is in
    no bucket, whatever its load.

    ``candidates(skill, region)`` is a dictionary lookup; ``set_load`` moves one engineer in or out of
    their buckets (cost proportional to their number of skills).
    """

    __slots__ = ("_by_skill", "_by_skill_region", "_emergency", "_engineers", "_load")

    def __init__(self, engineers: Iterable[Engineer] = ()) -> None:
        self._engineers: dict[EngineerId, Engineer] = {}
        self._load: dict[EngineerId, int] = {}
        self._by_skill_region: defaultdict[tuple[str, str | None], set[EngineerId]] = defaultdict(set)
        self._by_skill: defaultdict[str, set[EngineerId]] = defaultdict(set)
        self._emergency: defaultdict[str, set[EngineerId]] = defaultdict(set)
        for engineer in engineers:
            self.add(engineer)

    def __len__(self) -> int:
        return len(self._engineers)

    def __contains__(self, engineer_id: object) -> bool:
        return engineer_id in self._engineers

    def add(self, engineer: Engineer) -> None:
        """File a new engineer; their ``active_load`` is the starting load."""
        if engineer.id in self._engineers:
            raise DuplicateError(f"engineer {engineer.id!r} is already in the index")
        self._engineers[engineer.id] = engineer
        self._load[engineer.id] = engineer.active_load
        if engineer.active and engineer.active_load < engineer.max_load:
            self._file(engineer)  # one who left (离职/停用) is known by id, never a candidate

    def remove(self, engineer_id: EngineerId) -> None:
        """Take an engineer out (left the company, moved to another roster)."""
        engineer = self.get(engineer_id)
        self._unfile(engineer)
        del self._engineers[engineer_id], self._load[engineer_id]

    def replace(self, engineer: Engineer) -> None:
        """Re-file an engineer whose skills, region, level or limits changed."""
        self.remove(engineer.id)
        self.add(engineer)

    def get(self, engineer_id: EngineerId) -> Engineer:
        """The engineer as filed (``active_load`` as given at filing; see :meth:`load`)."""
        try:
            return self._engineers[engineer_id]
        except KeyError:
            raise NotFound("engineer", engineer_id) from None

    def load(self, engineer_id: EngineerId) -> int:
        """The engineer's current number of open assignments."""
        self.get(engineer_id)
        return self._load[engineer_id]

    def set_load(self, engineer_id: EngineerId, load: int) -> None:
        """Record a load change; the engineer leaves or rejoins the buckets when crossing the limit."""
        engineer = self.get(engineer_id)
        if not isinstance(load, int) or isinstance(load, bool) or load < 0:
            raise ValidationError("load must be a non-negative integer", field="load", rule="non_negative")
        had_room = engineer.active and self._load[engineer_id] < engineer.max_load
        has_room = engineer.active and load < engineer.max_load
        self._load[engineer_id] = load
        if had_room and not has_room:
            self._unfile(engineer)
        elif has_room and not had_room:
            self._file(engineer)

    def adjust_load(self, engineer_id: EngineerId, delta: int) -> int:
        """Add ``delta`` (e.g. +1 on assignment, -1 on close) to the load; returns the new load."""
        new = max(0, self.load(engineer_id) + delta)
        self.set_load(engineer_id, new)
        return new

    def candidates(self, skill: str | None, region: str | None) -> Set[EngineerId]:
        """Engineers with room who have ``skill`` (any skill if ``None``) and work in ``region``."""
        return self._by_skill_region.get((skill or ANY, region), _EMPTY)

    def with_skill(self, skill: str | None) -> Set[EngineerId]:
        """Engineers with room who have ``skill``, in any region."""
        return self._by_skill.get(skill or ANY, _EMPTY)

    def emergency(self, skill: str | None) -> Set[EngineerId]:
        """Emergency-team members with room who have ``skill``, in any region."""
        return self._emergency.get(skill or ANY, _EMPTY)

    def _keys(self, engineer: Engineer) -> tuple[str, ...]:
        return (ANY, *engineer.skills)

    def _file(self, engineer: Engineer) -> None:
        for skill in self._keys(engineer):
            self._by_skill_region[(skill, engineer.region)].add(engineer.id)
            self._by_skill[skill].add(engineer.id)
            if engineer.emergency_team:
                self._emergency[skill].add(engineer.id)

    def _unfile(self, engineer: Engineer) -> None:
        for skill in self._keys(engineer):
            self._by_skill_region[(skill, engineer.region)].discard(engineer.id)
            self._by_skill[skill].discard(engineer.id)
            self._emergency[skill].discard(engineer.id)


@host_factories
class DealerIndex:
    """Dealers by the regions they serve (home region and service area), and by id."""

    __slots__ = ("_by_id", "_by_region")

    def __init__(self, dealers: Iterable[Dealer] = ()) -> None:
        self._by_id: dict[DealerId, Dealer] = {}
        self._by_region: defaultdict[str, list[Dealer]] = defaultdict(list)
        for dealer in dealers:
            if dealer.id in self._by_id:
                raise DuplicateError(f"dealer {dealer.id!r} is already in the index")
            self._by_id[dealer.id] = dealer
            for region in {dealer.region, *dealer.service_area}:
                self._by_region[region].append(dealer)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, dealer_id: DealerId) -> Dealer | None:
        """The dealer with ``dealer_id``, or ``None``."""
        return self._by_id.get(dealer_id)

    def serving(self, region: str | None) -> tuple[Dealer, ...]:
        """The dealers whose territory includes ``region``, home-region dealers first, then by id."""
        if region is None:
            return ()
        found = self._by_region.get(region, [])
        return tuple(sorted(found, key=lambda d: (d.region != region, d.id)))
