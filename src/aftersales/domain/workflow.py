"""Workflow definitions: states and transitions as data, one ``transitions.Machine`` per definition.

Why a compiled table: firing through ``transitions`` costs tens of microseconds per call and
``add_model`` keeps every model alive. The definition builds one model-less ``Machine`` at import
(which validates it: unknown states, duplicate triggers); the ``(state, trigger) -> state`` table
is compiled *from that machine's events*, so the machine stays the single source of truth, and
diagrams are drawn from the same definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, StrEnum
from typing import Any

import attrs
from transitions import Machine

from aftersales.domain.actors import Role
from aftersales.domain.call_shape import host_factories
from aftersales.errors import InvalidTransition, ValidationError

__all__ = ["STAY", "TransitionSpec", "Workflow"]

STAY = "="
"""Destination meaning "the same state": a recorded step that does not move the workflow."""


def _plain(state: object) -> str:
    # transitions treats Enum members by *name*; the table and the models use values.
    return str(state.value) if isinstance(state, Enum) else str(state)


def _plain_all(states: Iterable[object]) -> tuple[str, ...]:
    return tuple(_plain(s) for s in states)


def _roles(roles: Iterable[Role]) -> frozenset[Role]:
    return frozenset(Role(r) for r in roles)


@attrs.frozen
class TransitionSpec:
    """One trigger: from which states, to which state, who may fire it, whether a reason is required."""

    trigger: str
    sources: tuple[str, ...] = attrs.field(converter=_plain_all)
    dest: str = attrs.field(converter=_plain)
    roles: frozenset[Role] = attrs.field(converter=_roles)
    needs_reason: bool = False


@host_factories
class Workflow:
    """A named workflow: its states, initial state, transitions, and final states.

    Models (tickets, complaints, requests) carry their state as a plain string attribute; the
    workflow answers "where does ``trigger`` lead from ``state``?" and raises
    :class:`InvalidTransition` when nowhere.
    """

    __slots__ = ("_allowed", "_diagram", "_specs", "_table", "final", "initial", "machine", "name", "states")

    def __init__(
        self,
        name: str,
        states: type[StrEnum],
        initial: StrEnum,
        transitions: Iterable[TransitionSpec],
        final: Iterable[StrEnum] = (),
    ) -> None:
        self.name = name
        self.states: tuple[str, ...] = tuple(s.value for s in states)
        self.initial: str = initial.value
        self.final: frozenset[str] = frozenset(s.value for s in final)
        specs = tuple(transitions)
        self._specs: dict[str, TransitionSpec] = {}
        for spec in specs:
            if spec.trigger in self._specs:
                raise ValueError(f"{name}: trigger {spec.trigger!r} defined twice")
            self._specs[spec.trigger] = spec
        self.machine = Machine(
            model=None,
            states=list(self.states),
            initial=self.initial,
            transitions=[self._as_transitions_dict(s) for s in specs],
            auto_transitions=False,
            send_event=True,
        )
        self._table = self._compile(self.machine)
        # The triggers allowed from each state (a tuple, immutable like the table it is read from): every
        # ticket command asks, and walking every trigger cost more than the rest of the permission check.
        self._allowed: dict[str, tuple[str, ...]] = {}
        self._diagram: str | None = None

    @staticmethod
    def _as_transitions_dict(spec: TransitionSpec) -> dict[str, Any]:
        return {"trigger": spec.trigger, "source": list(spec.sources), "dest": spec.dest}

    @staticmethod
    def _compile(machine: Machine) -> dict[tuple[str, str], str]:
        table: dict[tuple[str, str], str] = {}
        for trigger, event in machine.events.items():
            for source, transitions in event.transitions.items():
                (transition,) = transitions  # one destination per (source, trigger): no guards here
                table[(source, trigger)] = source if transition.dest is None else transition.dest
        return table

    def target(self, state: str, trigger: str) -> str:
        """The state ``trigger`` leads to from ``state``; :class:`InvalidTransition` if not allowed."""
        try:
            return self._table[(state, trigger)]
        except KeyError:
            if state not in self.states:
                raise ValidationError(f"{self.name}: unknown state {state!r}", field="state") from None
            if trigger not in self._specs:
                raise ValidationError(f"{self.name}: unknown trigger {trigger!r}", field="trigger") from None
            raise InvalidTransition(self.name, state, trigger) from None

    def spec(self, trigger: str) -> TransitionSpec:
        """The definition of ``trigger`` (who may fire it, whether it needs a reason)."""
        try:
            return self._specs[trigger]
        except KeyError:
            raise ValidationError(f"{self.name}: unknown trigger {trigger!r}", field="trigger") from None

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger, in definition order."""
        return tuple(self._specs)

    def allowed(self, state: str) -> tuple[str, ...]:
        """The triggers that may fire from ``state``, in definition order."""
        found = self._allowed.get(state)
        if found is None:
            found = tuple(t for t in self._specs if (state, t) in self._table)
            if state in self.states:  # an unknown state asked about is not kept (a caller's typo)
                self._allowed[state] = found
        return found

    def permits(self, state: str, trigger: str) -> bool:
        """Whether ``trigger`` may fire from ``state`` (``trigger in allowed(state)``, one lookup)."""
        return (state, trigger) in self._table

    def is_final(self, state: str) -> bool:
        """True for end states (closed, cancelled, …)."""
        return state in self.final

    def validate_state(self, state: str) -> str:
        """Return ``state`` if this workflow knows it; raise :class:`ValidationError` otherwise."""
        if state not in self.states:
            raise ValidationError(f"{self.name}: unknown state {state!r}", field="state")
        return state

    def mermaid(self) -> str:
        """The workflow as a Mermaid state diagram, drawn by ``transitions`` from this definition."""
        if self._diagram is None:
            from transitions.extensions.diagrams import GraphMachine
            from transitions.extensions.diagrams_mermaid import Graph

            graph_machine = GraphMachine(
                model=None,
                states=list(self.states),
                initial=self.initial,
                transitions=[self._as_transitions_dict(s) for s in self._specs.values()],
                auto_transitions=False,
                graph_engine="mermaid",
                title=self.name,
            )
            self._diagram = str(Graph(graph_machine).get_graph(title=self.name).draw(None))  # type: ignore[arg-type]
        return self._diagram
