"""When the progress reminder next looks at each open service ticket or complaint: a due key, so a run
reads only the tickets due (seed 001 三(五)1, :mod:`aftersales.service.progress_updates`).

The hourly reminder read every watched ticket of the store each run (all open service tickets, page by
page) to find the few whose customer had heard nothing for ``update_every`` working hours. Now each
watched ticket has a :class:`ProgressWatch` whose index field ``due`` (fixed-width microseconds) is the
earliest instant its next reminder can fall due, and a run reads one range of it up to the run's instant.

The key never runs late, so no reminder is missed:

- a ticket opened, or moved back into a watched state (out of waiting for the customer, a rework), gets
  the instant its silence reaches one period (the request, or the last news, plus ``update_every``
  working hours), in the command's transaction;
- news to the customer only makes the real due later: the key stays, and the run that reaches it finds
  the ticket not due and moves the key to the real instant (one read per piece of news at most);
- a run that announces a period moves the key to the next period's end; one that finds the ticket gone,
  or not watched clears it (the ticket leaves the range until it is watched again).

The keys are counted with the pack's ``update_every``: :class:`ProgressBasis` records it, and a run that
finds none (a store from before the keys) or another one computes every watched ticket's key once, page by
page, as the reminder used to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.customer_heard import (
    COMPLAINT_WATCHED_STATES,
    WATCHED_STATES,
    last_heard,
    watched_states,
)
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, DuplicateError, NotFound
from aftersales.policies.progress import pack_progress_rules
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.hook_scope import reacting_to

__all__ = [
    "BASIS_ID",
    "ProgressBasis",
    "ProgressWatch",
    "Silence",
    "basis_id",
    "due_key",
    "forget_keys",
    "keep_watch",
    "silence_of",
    "watch_on_change",
    "watch_opened",
]

BASIS_ID = "progress"
"""The service tickets' :class:`ProgressBasis`; a kind's own is :func:`basis_id` (complaints, session 39:
a store whose tickets were keyed before complaints were watched keys its open complaints once)."""


def basis_id(kind: TicketKind) -> str:
    """The id of the :class:`ProgressBasis` of the records of ``kind``."""
    return BASIS_ID if kind is TicketKind.SERVICE else f"{BASIS_ID}:{kind.value}"


_HOUR = timedelta(hours=1)
_WATCHED = frozenset(WATCHED_STATES) | frozenset(COMPLAINT_WATCHED_STATES)  # no state name in both


@attrs.define
class ProgressWatch:
    """When the progress reminder next looks at a ticket (its id): ``due``, fixed-width µs, or ``None``
    while the ticket is not watched."""

    DOCUMENT_KIND: ClassVar[str] = "progress_watch"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("due",)
    id: str
    due: str | None = None
    version: int = 0


@attrs.define
class ProgressBasis:
    """The ``update_every`` (working hours) every watched ticket's key was computed with."""

    DOCUMENT_KIND: ClassVar[str] = "progress_watch_basis"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    every: int
    version: int = 0


def due_key(us: int) -> str:
    """An instant (µs) as the index compares it: fixed width, so text order is time order."""
    return f"{max(us, 0):020d}"


@attrs.frozen
class Silence:
    """How long a ticket's customer has heard nothing: since ``heard``, ``periods`` whole periods, and
    when the next period ends (``next_us``: when the reminder next needs to look)."""

    heard: datetime
    periods: int
    next_us: int


def _told(context: DeskContext, ticket: Ticket) -> Callable[[TicketEvent], bool]:
    policy = context.policies.notification
    notifications = context.notifications
    priority = ticket.priority or Priority.NORMAL
    return lambda event: notifications.tells_customer(policy, event, ticket.kind, priority)


def silence_of(context: DeskContext, ticket: Ticket, now: datetime, every: int) -> Silence:
    """The customer's silence on ``ticket`` at ``now`` in periods of ``every`` working hours (clock hours
    on a desk without a calendar). Where the calendar's holiday data does not reach yet, no period is
    counted and the ticket is looked at again in an hour."""
    heard = last_heard(ticket, _told(context, ticket))
    period = every * _HOUR
    calendar = context.calendar
    try:
        if heard >= now:
            periods = 0
        else:
            silence = calendar.between(heard, now) if calendar is not None else now - heard
            periods = int(silence / period)
        end = period * (periods + 1)
        next_at = calendar.add(heard, end) if calendar is not None else heard + end
    except CalendarDataMissing:
        return Silence(heard, 0, micros(now + _HOUR))
    return Silence(heard, periods, micros(next_at))


def _every(context: DeskContext) -> int:
    return pack_progress_rules(context.policies.extra).update_every


def keep_watch(uow: UnitOfWork, ticket_id: str, due: str | None) -> None:
    """Set ``ticket_id``'s key to ``due`` (written only when it changes)."""
    try:
        watch = uow.documents.get(ProgressWatch, ticket_id)
    except NotFound:
        if due is not None:
            try:
                uow.documents.add(ProgressWatch(ticket_id, due))
            except DuplicateError:  # another writer keyed it meanwhile: ours is the later news
                keep_watch(uow, ticket_id, due)
        return
    if watch.due != due:
        uow.documents.save(attrs.evolve(watch, due=due))


def _watches(ticket: Ticket) -> bool:
    return ticket.state in watched_states(ticket.kind)


def _entered(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    every = _every(context)
    if every:
        silence = silence_of(context, ticket, now, every)
        # A silence over a period already (a call logged late, a ticket back from waiting): at once.
        keep_watch(uow, ticket.id, due_key(micros(now) if silence.periods else silence.next_us))


def watch_opened(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    """Key a ticket just opened (in the intake's transaction): when its first period ends."""
    every = _every(context) if _watches(ticket) else 0
    if every:
        silence = silence_of(context, ticket, now, every)
        due = due_key(micros(now) if silence.periods else silence.next_us)
        try:
            uow.documents.add(ProgressWatch(ticket.id, due))  # a new ticket: no key to read first
        except DuplicateError:
            keep_watch(uow, ticket.id, due)


def forget_keys(uow: UnitOfWork, tickets: Iterable[Ticket]) -> None:
    """Tickets written without their keys (an import) among ``tickets``: the next run keys every watched
    ticket again (the basis is cleared), as on a store from before the keys."""
    for kind in {t.kind for t in tickets if _watches(t)}:
        try:
            basis = uow.documents.get(ProgressBasis, basis_id(kind))
        except NotFound:
            continue
        if basis.every:
            uow.documents.save(attrs.evolve(basis, every=0))


def watch_on_change(
    context: DeskContext,
) -> Callable[
    [UnitOfWork, Actor, Ticket, str, Sequence[TicketEvent], datetime], Sequence[OutboxMessage] | None
]:
    """The ticket hook keying a ticket that moves into a watched state from one that is not (out of
    waiting for the customer, a rework, a resolution undone): its silence may be long over already."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> None:
        if before in watched_states(ticket.kind) or not _watches(ticket):
            return  # the common case: no move into the watched states, nothing read or written
        _entered(context, uow, ticket, now)

    return reacting_to(hook, states=_WATCHED)
