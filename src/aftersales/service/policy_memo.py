"""Remembered answers of a pure policy, one memo per desk.

Policies are pure functions of their facts (architecture: no I/O, no clock), and the facts a desk
meets repeat: a handful of categories, severities, tiers. Deciding again builds the same reasons and
the same immutable :class:`~aftersales.policies.decision.Decision` each time, on every triage. The memo
is keyed by the policy's identity and the facts; the policy is kept beside its answer, so a policy
replaced on the desk (a new object that may reuse the old one's ``id``) is never answered from the
old one's memory. It stops remembering at ``limit`` facts (integers in the facts make the set open).

Only the library's own policies are remembered. A host's policy object (behind its guard,
:mod:`aftersales.policies.guard`) is asked every time: it may read the host's own data (a VIP list
that changes), and an answer from memory would silently be the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

from aftersales.policies.guard import is_guarded

__all__ = ["DecisionMemo"]

F = TypeVar("F", bound=Hashable, contravariant=True)
D = TypeVar("D", covariant=True)
FF = TypeVar("FF", bound=Hashable)
DD = TypeVar("DD")


class _Deciding(Protocol[F, D]):
    def decide(self, facts: F) -> D: ...


class DecisionMemo(Generic[FF, DD]):
    """``policy.decide(facts)``, answered from memory when this policy already decided these facts."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._kept: dict[tuple[int, Hashable], tuple[Any, DD]] = {}

    def decide(self, policy: _Deciding[FF, DD], facts: FF) -> DD:
        """The policy's decision for ``facts`` (the same immutable value for equal facts)."""
        if is_guarded(policy):
            return policy.decide(facts)
        key = (id(policy), facts)
        found = self._kept.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        decision = policy.decide(facts)
        if len(self._kept) < self.limit:
            self._kept[key] = (policy, decision)
        return decision

    def decide_by(
        self, policy: _Deciding[FF, DD], values: tuple[Hashable, ...], facts: Callable[[], FF]
    ) -> DD:
        """:meth:`decide` for the facts ``facts()`` builds from ``values`` (a plain tuple of what it reads):
        the facts object is built, and checked, only when these values were not decided before (building
        it costs more than the lookup on a command's path). A tuple is never taken for a facts object."""
        if is_guarded(policy):
            return policy.decide(facts())
        key = (id(policy), values)
        found = self._kept.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        decision = policy.decide(facts())
        if len(self._kept) < self.limit:
            self._kept[key] = (policy, decision)
        return decision
