"""When an engineer can be given work: not after leaving (离职/停用), not during a recorded absence (请假).

Seed 003 dispatches by service type, skills and location (根据服务类型、工程师技能特长及地理位置进行合理派工)
and starts the emergency team for critical problems: each of those paths picks a person who must be
there to go. An :class:`Absence` is a period, start inclusive and end exclusive, with its reason; an
engineer's ``active`` flag (on :class:`~aftersales.domain.parties.Engineer`) says whether it still
works for the company or the dealer at all. Pure: no I/O, no clock (the instant is always passed in).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

import attrs

from aftersales.domain.instants import require_aware
from aftersales.domain.text import required_text
from aftersales.errors import ValidationError

__all__ = ["MAX_ABSENCES", "Absence", "absences", "overlapping"]

MAX_ABSENCES = 100
"""Absences one engineer may have recorded at once (ended ones are dropped when a new one is added)."""


def _aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    require_aware(value, attribute.name)


@attrs.frozen
class Absence:
    """The engineer is away from ``starts_at`` (inclusive) to ``ends_at`` (exclusive), for ``reason``."""

    starts_at: datetime = attrs.field(validator=_aware)
    ends_at: datetime = attrs.field(validator=_aware)
    reason: str = attrs.field(validator=required_text(500))

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValidationError("an absence ends after it starts", field="ends_at")

    def covers(self, at: datetime) -> bool:
        """Is ``at`` inside the absence?"""
        return self.starts_at <= require_aware(at, "at") < self.ends_at

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Does the absence share an instant with ``[starts_at, ends_at)``?"""
        require_aware(starts_at, "starts_at")
        return self.starts_at < require_aware(ends_at, "ends_at") and starts_at < self.ends_at


def absences(value: Iterable[Absence]) -> tuple[Absence, ...]:
    """attrs converter: the absences in start order, none overlapping, at most :data:`MAX_ABSENCES`."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError("absences is a list of Absence values", field="absences")
    items = tuple(value)
    if not all(isinstance(a, Absence) for a in items):
        raise ValidationError("absences is a list of Absence values", field="absences")
    if len(items) > MAX_ABSENCES:
        raise ValidationError(
            f"at most {MAX_ABSENCES} absences are recorded at once",
            field="absences",
            rule="too_many",
            rule_params={"most": MAX_ABSENCES},
        )
    ordered = tuple(sorted(items, key=lambda a: (a.starts_at, a.ends_at)))
    for earlier, later in pairwise(ordered):
        if later.starts_at < earlier.ends_at:
            raise ValidationError(
                f"absences overlap: one from {later.starts_at.isoformat()} starts before the one from "
                f"{earlier.starts_at.isoformat()} ends",
                field="absences",
                rule="absences_overlap",
            )
    return ordered


def overlapping(recorded: Iterable[Absence], starts_at: datetime, ends_at: datetime) -> Absence | None:
    """The first of ``recorded`` sharing an instant with ``[starts_at, ends_at)``, or ``None``."""
    return next((a for a in recorded if a.overlaps(starts_at, ends_at)), None)
