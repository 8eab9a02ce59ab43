"""SLA targets and a target's status: what a ticket's clocks measure (response, arrival, resolution,
callback), how each is counted (working or wall-clock time, working days, end of day), when to warn,
which states pause, and where one target's clock stands at an instant (phase, state, due, warning).

The rules (seeds 000–004) are in :mod:`aftersales.domain.sla_clock`'s docstring; it re-exports every
public name here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import duration_us
from aftersales.domain.number_text import number_from_text
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.validation import LONGEST_DURATION
from aftersales.errors import ValidationError, shown_repr

__all__ = [
    "BASES",
    "RESPONSE_ACTIONS",
    "SLA_EXTENSION_KEY",
    "STARTS",
    "TARGET_NAMES",
    "WALL_BASES",
    "ClockPhase",
    "SlaState",
    "SlaTarget",
    "SlaTargets",
    "TargetStatus",
    "pending_status",
]

TARGET_NAMES = ("response", "arrival", "resolution", "dealer_resolution", "callback")
"""The targets a ticket can have, in the order statuses list them. ``dealer_resolution`` is the seed 002
dealer's 24 hours kept beside a service contract's own resolution target (both bind; see
:func:`aftersales.policies.sla_terms.apply_terms`): it is met, stopped and extended as a resolution."""

BASES = ("working", "calendar", "working_days", "end_of_day", "calendar_days")
"""How a target's duration is counted: working time, wall-clock time, N working-day lengths of working
time, "by the end of the N-th following working day", or whole local days of wall-clock time."""

STARTS = ("opened", "dealer_dispatch", "work_done")
"""When a target's clock starts: at the opening (or reopen), or at the dispatch to a dealer (seed 002); a
callback's at the resolution (acceptance) unless ``work_done``: the work marked done (seed 003)."""

SLA_EXTENSION_KEY = "sla_extension"
"""Payload key of an event that approves a target's extension (a target name or a list of them)."""

EXTENSION_LIMIT_KEY = "new_limit_seconds"
"""Payload key of an extension event holding the new limit in seconds (the target's maximum when absent)."""

RESPONSE_ACTIONS = frozenset({"note_to_customer", "contact_customer", "add_visit"})
"""Customer-facing steps that count as the first response when staff take them (seed 003: contacting the
customer and telling them the expected visit or solution time). An internal note does not count."""

_NOT_PAUSABLE = frozenset(
    {TicketState.RESOLVED, TicketState.ACCEPTED, TicketState.CLOSED, TicketState.CANCELLED}
)
_ZERO = timedelta(0)


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in TARGET_NAMES:
        raise ValidationError(
            f"target name must be one of {', '.join(TARGET_NAMES)}, got {value!r}",
            field="name",
            rule="one_of",
            rule_params={"allowed": ", ".join(TARGET_NAMES)},
        )


def _check_basis(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in BASES:
        raise ValidationError(
            f"basis must be one of {', '.join(BASES)}, got {value!r}",
            field="basis",
            rule="one_of",
            rule_params={"allowed": ", ".join(BASES)},
        )


def _check_start(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in STARTS:
        raise ValidationError(
            f"start must be one of {', '.join(STARTS)}, got {value!r}",
            field="start",
            rule="one_of",
            rule_params={"allowed": ", ".join(STARTS)},
        )


def _positive_duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "extended_to":
        return
    if not isinstance(value, timedelta) or value <= _ZERO:
        raise ValidationError(
            f"{attribute.name} must be a positive timedelta, got {value!r}",
            field=attribute.name,
            rule="positive_duration",
        )
    # The bound of every duration a command or setting takes (a host's SLA policy builds targets too):
    # timedelta.max was taken and every due time on the wall clock then raised Python's OverflowError.
    if value > LONGEST_DURATION:
        raise ValidationError(
            f"{attribute.name} must be at most 100 years, got {value!r}", field=attribute.name
        )


_DAY_BASES = frozenset({"working_days", "end_of_day", "calendar_days"})
WALL_BASES = frozenset({"calendar", "calendar_days"})
"""The bases that count wall-clock time (the others count working time on the calendar)."""


@attrs.frozen
class SlaTarget:
    """One time limit: ``name`` (response, arrival, resolution, callback), ``duration`` and its ``basis``.

    ``basis`` is ``working`` (working time on the calendar), ``calendar`` (wall-clock time, e.g. the seed
    002 dealer contract's 24 hours), ``working_days`` (``duration`` in whole days, each worth the calendar's
    working-day length of working time) or ``end_of_day`` (whole days: due at the end of working hours on
    the N-th following working day) or ``calendar_days`` (whole local days, every day counted: due at the
    local midnight ending the N-th day after the start's day — seed 004's 七天内). ``extended_to`` is the
    longest the target may be extended to by an approval (seed 002: 48 h "in special cases"); ``None`` when
    it cannot be extended. ``start`` says when the clock starts (``opened``, or ``dealer_dispatch`` for the
    dealer contract); a callback runs from the resolution, or from the work marked done with ``work_done``
    (seed 003: 工程师将处理结果录入系统, 客服专员在24小时内…回访), which only a callback may name.
    """

    name: str = attrs.field(validator=_check_name)
    duration: timedelta = attrs.field(validator=_positive_duration)
    basis: str = attrs.field(default="working", validator=_check_basis)
    extended_to: timedelta | None = attrs.field(default=None, validator=_positive_duration)
    start: str = attrs.field(default="opened", validator=_check_start)

    duration_us: int = attrs.field(init=False, repr=False, eq=False)
    """``duration`` in whole microseconds (the clock measures on integers)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "duration_us", duration_us(self.duration))
        if self.basis in _DAY_BASES:
            for value in (self.duration, self.extended_to):
                if value is not None and value % timedelta(days=1):
                    raise ValidationError(f"{self.basis} targets are whole days", field="duration")
        if self.start == "work_done" and self.name != "callback":
            raise ValidationError("only a callback runs from the work marked done", field="start")
        if self.extended_to is not None and self.extended_to < self.duration:
            raise ValidationError("extended_to must not be shorter than duration", field="extended_to")


def _share(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int | str):
        raise ValidationError(
            f"warn_at must be a number, got {shown_repr(value)}", field="warn_at", rule="number"
        )
    # Text by the one rule for typed numbers; "abc" and NaN escaped as decimal.InvalidOperation (a NaN
    # fails even the range comparison), untyped.
    share: Decimal | None
    if isinstance(value, str):
        share = number_from_text(value)
    else:  # a float as written (0.8, not its binary expansion); an int of any size (str() has a limit)
        share = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if share is None or not share.is_finite():
        raise ValidationError(
            f"warn_at must be a number, got {shown_repr(value)}", field="warn_at", rule="number"
        )
    if not Decimal(0) < share <= Decimal(1):
        raise ValidationError(f"warn_at must be a share in (0, 1], got {shown_repr(value)}", field="warn_at")
    return share


def _targets(value: Iterable[SlaTarget]) -> tuple[SlaTarget, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):  # tuple(5) escaped as TypeError
        raise ValidationError("targets must be SlaTarget values", field="targets")
    found = tuple(value)
    names = [t.name for t in found if isinstance(t, SlaTarget)]
    if len(names) != len(found):
        raise ValidationError("targets must be SlaTarget values", field="targets")
    if len(set(names)) != len(names):
        raise ValidationError("each target name may appear once", field="targets")
    return tuple(sorted(found, key=lambda t: TARGET_NAMES.index(t.name)))


def _pause_states(value: Iterable[str]) -> frozenset[TicketState]:
    if isinstance(value, str):
        value = (value,)
    states: set[TicketState] = set()
    for item in value:
        try:
            state = TicketState(item)
        except ValueError:
            raise ValidationError(
                f"unknown ticket state {item!r} in pause_states", field="pause_states"
            ) from None
        if state in _NOT_PAUSABLE:
            raise ValidationError(f"{state.value} cannot pause the clock", field="pause_states")
        states.add(state)
    return frozenset(states)


def _actions(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    found = frozenset(value)
    if not found or not all(isinstance(item, str) and item for item in found):
        raise ValidationError("response_actions must name at least one step", field="response_actions")
    return found


def _steps_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


@attrs.frozen
class SlaTargets:
    """The targets that apply to one ticket, when to warn, and which states pause the clock.

    ``warn_at`` is the share of a target's window after which it is at risk (default 0.8, stored as a
    Decimal so the threshold is exact). ``pause_states`` default to awaiting the customer.
    ``response_actions`` are the steps that count as the first response. ``acceptance`` says the resolution
    is met at the customer's acceptance (``confirm``) and the callback counts from it; without it (complaints)
    both use ``resolve``; ``resolution_actions``, when given, meet the resolution instead.
    """

    targets: tuple[SlaTarget, ...] = attrs.field(converter=_targets)
    warn_at: Decimal = attrs.field(default=Decimal("0.8"), converter=_share)
    pause_states: frozenset[TicketState] = attrs.field(
        default=frozenset({TicketState.AWAITING_CUSTOMER}), converter=_pause_states
    )
    response_actions: frozenset[str] = attrs.field(default=RESPONSE_ACTIONS, converter=_actions)
    acceptance: bool = True
    resolution_actions: frozenset[str] = attrs.field(default=frozenset(), converter=_steps_set)
    """Steps that meet the resolution instead of the acceptance or the feedback (empty: those): seed
    003 二 5's solution given (:data:`~aftersales.domain.sla_solution.SOLUTION_STEPS`), the first by staff
    since the cycle's start or the last rejection. The callback still counts from the feedback."""
    # Derived once, read on every derivation: warn_at as an exact integer ratio, and whether any target
    # counts working time (only then do the instants go on the calendar).
    _warn_ratio: tuple[int, int] = attrs.field(init=False, repr=False, eq=False)
    _working: bool = attrs.field(init=False, repr=False, eq=False)
    _pause_values: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    _pending: dict[str, TargetStatus] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_warn_ratio", self.warn_at.as_integer_ratio())
        object.__setattr__(self, "_working", any(t.basis not in WALL_BASES for t in self.targets))
        # The event log holds states as plain strings: matching them against plain strings is cheaper.
        object.__setattr__(self, "_pause_values", frozenset(s.value for s in self.pause_states))
        # A clock that has not started shows the same value every time: made once.
        object.__setattr__(self, "_pending", {t.name: pending_status(t, t.duration) for t in self.targets})

    def get(self, name: str) -> SlaTarget | None:
        """The target called ``name``, or ``None`` when this ticket has none."""
        for target in self.targets:
            if target.name == name:
                return target
        return None


class ClockPhase(CodedEnum):
    """Where a target's clock stands: not started, running, paused, met, or stopped without being met."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    STOPPED = "stopped"


class SlaState(CodedEnum):
    """A target's state as a service manager reads it: breached wins over every other state."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


@attrs.frozen
class TargetStatus:
    """One target at one instant.

    ``budget`` is the time the target allows in its basis (working time for the working bases, wall-clock
    time for ``calendar``); ``elapsed`` and ``remaining`` are in the same units, pauses excluded, and
    ``paused_time`` is the time the clock stood still. ``due_at`` (also ``deadline`` and ``due``) is the exact
    instant the budget runs out (projected from now while paused): the earliest instant at which the accrued
    time equals the budget. ``warning_at`` is when ``warn_at`` of the budget is used. ``started_at`` is when
    the clock actually started (the next working instant after the receipt, for working bases).
    ``breach`` is how far past the budget the clock went (or zero). ``warning`` means the target is still
    open, not breached, and at least ``warn_at`` of it is used. ``provisional`` marks a due computed on
    provisional holiday data. Every instant is in the calendar's time zone.
    """

    target: SlaTarget
    phase: ClockPhase
    # Filled lazily for working targets; JSON and repr show them under their public names.
    _started: datetime | None = attrs.field(eq=False, metadata={"json": "started_at"})
    deadline: datetime | None
    due_at: datetime | None
    budget: timedelta
    elapsed: timedelta
    met_at: datetime | None
    warning: bool
    extended: bool
    paused_time: timedelta = _ZERO
    _warn_instant: datetime | None = attrs.field(default=None, eq=False, metadata={"json": "warning_at"})
    provisional: bool = False
    # Working targets map their start and warning offsets back to instants only when asked: most readers
    # (the sweep, the ledger) need the due alone. (calendar, start offset, warning offset)
    _lazy: tuple[BusinessCalendar, int, int] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def started_at(self) -> datetime | None:
        """When the clock started (for working targets: the first working instant at or after the start)."""
        if self._started is None and self._lazy is not None:
            calendar, start, _ = self._lazy
            object.__setattr__(self, "_started", calendar.instant_at(start, last=True))
        return self._started

    @property
    def warning_at(self) -> datetime | None:
        """When ``warn_at`` of the budget is used (the earliest instant with that much accrued)."""
        if self._warn_instant is None and self._lazy is not None:
            calendar, _, warn = self._lazy
            object.__setattr__(self, "_warn_instant", calendar.instant_at(warn))
        return self._warn_instant

    @property
    def name(self) -> str:
        """The target's name."""
        return self.target.name

    @property
    def due(self) -> datetime | None:
        """The due instant (the same as ``due_at``)."""
        return self.due_at

    @property
    def paused(self) -> bool:
        """True while the clock is paused."""
        return self.phase is ClockPhase.PAUSED

    @property
    def state(self) -> SlaState:
        """Running, paused, met or breached (or pending / stopped); a breach shows even once met."""
        if self.elapsed > self.budget:
            return SlaState.BREACHED
        return SlaState(self.phase.value)

    @property
    def remaining(self) -> timedelta:
        """The budget left (zero once it is used up)."""
        return self.budget - self.elapsed if self.elapsed < self.budget else _ZERO

    @property
    def breached(self) -> bool:
        """True when the clock went past the budget (whether or not the target was met since)."""
        return self.elapsed > self.budget

    @property
    def breach(self) -> timedelta:
        """How far past the budget the clock went (zero when it did not)."""
        return self.elapsed - self.budget if self.elapsed > self.budget else _ZERO


def pending_status(target: SlaTarget, budget: timedelta) -> TargetStatus:
    """The status of ``target`` before its clock starts (``budget`` left): the same value every time."""
    return TargetStatus(target, ClockPhase.PENDING, None, None, None, budget, _ZERO, None, False, False)
