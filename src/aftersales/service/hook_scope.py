"""When a ticket hook can have anything to do: the steps and the states it reacts to (issue 21).

Every ticket command runs the desk's ticket hooks after its step, and most of them act on a few steps
only (a resolve, a fault record) or on a ticket entering or leaving a few states (cancelled, closed). A
hook that says so (:func:`reacting_to`) is not called by a command that takes none of its steps and
moves the ticket into or out of none of its states: its own check, a call with six arguments, ran on
every triage, dispatch and note and found nothing to do (about 6 µs a command for twelve hooks). The
scope only ever skips a call the hook would have answered with nothing: it is a superset of the hook's
own condition, which stays in the hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

__all__ = ["HookScope", "reacting_to", "scope_of"]

_ATTRIBUTE = "_aftersales_hook_scope"

H = TypeVar("H", bound=Callable[..., Any])


@attrs.frozen
class HookScope:
    """The steps (``actions``) and the states a hook reacts to: it may act when a command takes one of
    the steps, or moves the ticket into or out of one of the states."""

    actions: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()

    def concerns(self, before: str, after: str, actions: frozenset[str]) -> bool:
        """Whether a command that moved its ticket from ``before`` to ``after`` by the steps ``actions``
        may give the hook something to do."""
        if before != after and (before in self.states or after in self.states):
            return True
        return not self.actions.isdisjoint(actions)


def reacting_to(hook: H, *, actions: Iterable[str] = (), states: Iterable[str] = ()) -> H:
    """``hook``, marked as acting only on the steps ``actions`` or on entering or leaving ``states``
    (the runner then calls it only then). Returns ``hook`` itself."""
    setattr(hook, _ATTRIBUTE, HookScope(frozenset(actions), frozenset(states)))
    return hook


def scope_of(hook: Callable[..., Any]) -> HookScope | None:
    """The scope :func:`reacting_to` gave ``hook`` (``None``: it runs after every ticket command)."""
    found = getattr(hook, _ATTRIBUTE, None)
    return found if isinstance(found, HookScope) else None
