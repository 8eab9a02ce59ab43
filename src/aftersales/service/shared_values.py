"""One shared object per set of inputs for the immutable values commands build again and again.

A triage's assessment, a dispatch's assignee, the reason of a manual dispatch: frozen values whose every
input is in the key, so the value found is the one that would have been built (validators included) and
sharing it is safe. Sharing also leaves one object fewer per command for the garbage collector to walk
for as long as the ticket is kept. Bounded: forgotten all at once when full.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from aftersales.domain.classification import ImpactScope, Plan, Severity
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assessment, Assignee, AssigneeKind
from aftersales.ports.erasure import quotes_any

__all__ = ["ValueMemo", "assessment", "assignee", "forget", "manual_dispatch_reason"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ValueMemo(Generic[K, V]):
    """Values by the key of every input they were built from (immutable values only)."""

    __slots__ = ("_kept", "_limit")

    def __init__(self, limit: int = 4096) -> None:
        self._kept: dict[K, V] = {}
        self._limit = limit

    def recall(self, key: K) -> V | None:
        """The value kept for ``key``, or ``None``."""
        return self._kept.get(key)

    def forget(self, needles: Sequence[str]) -> int:
        """Drop the values whose key holds text quoting one of ``needles`` (an erasure); how many."""
        kept = self._kept
        gone = [
            key
            for key in list(kept)
            if any(isinstance(part, str) and quotes_any(part, needles) for part in _parts(key))
        ]
        for key in gone:
            kept.pop(key, None)
        return len(gone)

    def keep(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key`` (forgetting every other when full); returns ``value``."""
        kept = self._kept
        if len(kept) >= self._limit:
            kept.clear()
        kept[key] = value
        return value


def _parts(key: object) -> tuple[object, ...]:
    return key if isinstance(key, tuple) else (key,)


def forget(needles: Sequence[str]) -> int:
    """Drop every shared value built from text quoting one of ``needles`` (an erased person's name or
    number typed into a triage note): it must not stay in this process. Returns how many."""
    return sum(memo.forget(needles) for memo in (_ASSESSMENTS, _ASSIGNEES, _MANUAL))


_ASSESSMENTS: ValueMemo[tuple[object, ...], Assessment] = ValueMemo()
_ASSIGNEES: ValueMemo[tuple[str, str, str], Assignee] = ValueMemo()
_MANUAL: ValueMemo[str, Reason] = ValueMemo()


def assessment(
    nature: str,
    severity: Severity,
    impact_scope: ImpactScope,
    plan: Plan,
    units_affected: int,
    production_stopped: bool,
    departments: int,
    skill: str | None,
    note: str,
    complex_problem: bool = False,
) -> Assessment:
    """``Assessment(...)`` of these arguments, one shared value per set of them: triages repeat a
    handful of assessments, and building one runs six validators and three converters.

    Only arguments of their exact types are looked up (``True == 1``, ``Severity.LOW == "low"``: an
    equal key of another type would give a value built from other inputs); anything else is built, and
    checked, as given.
    """
    key = (
        nature, severity, impact_scope, plan, units_affected, production_stopped, departments, skill, note,
        complex_problem,
    )  # fmt: skip
    if (
        type(severity) is Severity
        and type(impact_scope) is ImpactScope
        and type(plan) is Plan
        and type(units_affected) is int
        and type(production_stopped) is bool
        and type(departments) is int
        and type(nature) is str
        and type(note) is str
        and type(complex_problem) is bool
        and (skill is None or type(skill) is str)
    ):
        found = _ASSESSMENTS.recall(key)
        if found is None:
            found = _ASSESSMENTS.keep(key, Assessment(*key))
        return found
    return Assessment(*key)


def assignee(kind: AssigneeKind, id: str, name: str) -> Assignee:
    """``Assignee(kind, id, name)``, one shared value per (kind, id, name) of exact types (see
    :func:`assessment`); a dealer or engineer record's id and name are its own strings."""
    if type(kind) is AssigneeKind and type(id) is str and type(name) is str:
        key = (kind, id, name)
        found = _ASSIGNEES.recall(key)
        if found is None:
            found = _ASSIGNEES.keep(key, Assignee(kind, id, name))
        return found
    return Assignee(kind, id, name)


def manual_dispatch_reason(role: str) -> Reason:
    """``Reason("dispatch_manual", {"by": role})``, one per role (there are a handful)."""
    if type(role) is not str:
        return Reason("dispatch_manual", {"by": role})
    found = _MANUAL.recall(role)
    if found is None:
        found = _MANUAL.keep(role, Reason("dispatch_manual", {"by": role}))
    return found
