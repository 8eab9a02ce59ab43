"""The command runner: the one path every write of the desk takes.

Every command, whatever capability it belongs to, runs the same steps in the same order:

1. the actor is an :class:`Actor`;
2. the idempotency key is scoped (role, actor, command) and the request fingerprinted: a key seen
   before returns the first result again (replayed by reloading what it names: ids and version, not
   a snapshot), to an actor who may still read it (else ``NotFound``, as an unknown id); the same key
   with a different request is :class:`IdempotencyKeyReused`;
3. permission, from the one table in :mod:`aftersales.service.permissions`;
4. the timestamp, read inside the transaction once the store's write lock is held (SQLite's
   ``BEGIN IMMEDIATE`` at the first statement, PostgreSQL's row version) — so a command never stamps
   an event earlier than the one a concurrent writer committed just before it;
5. apply; 6. the in-transaction hooks registered at the composition root (learning on close, …);
7. SLA due times, save, outbox; 8. the idempotency record; 9. commit.

A ticket command that loses an optimistic-concurrency race is run again from the start on fresh data
(the client never supplied the version, so nothing the client saw is stale); a retry racing its
original returns the original's replay. Anything that raises changes nothing.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

import attrs
import orjson

from aftersales.domain.events import TicketEvent
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import (
    AftersalesError,
    ConcurrencyConflict,
    DuplicateError,
    IdempotencyKeyReused,
    InvalidTransition,
    NotFound,
    StoreBusy,
    ValidationError,
)
from aftersales.i18n.callback_complaint_words import CODED_PREFIX, worded_description
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.read_ahead import ReadAhead, read_ahead
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import decode_json, encode_json, unstructure
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import StampRead, check_calendar_current, check_callback_current
from aftersales.service.call_ids import CallIds, one_call
from aftersales.service.clock_skew import stamp_for
from aftersales.service.context import DeskContext
from aftersales.service.data_missing_notice import data_missing_messages
from aftersales.service.hook_scope import HookScope, scope_of
from aftersales.service.permissions import authorize, can_read
from aftersales.service.provisional_notice import provisional_messages
from aftersales.service.reader_view import as_seen_by, reads_every_part
from aftersales.service.replay_scope import check_replay
from aftersales.service.request_prints import earlier_request
from aftersales.service.row_locks import hold_customer_of
from aftersales.service.sweep_mark import rewind_mark
from aftersales.service.views import CommandResult, TicketView

__all__ = [
    "Applied",
    "Apply",
    "CommandRunner",
    "TicketHook",
    "check_actor",
    "fingerprint",
    "idempotency_scope",
]

MAX_KEY = 120
RETRIES = 8
"""How often a ticket command is re-run after losing an optimistic-concurrency race."""

T = TypeVar("T")

_TIERS: ContextVar[tuple[UnitOfWork, dict[str, CustomerTier]] | None] = ContextVar(
    "aftersales_command_tiers", default=None
)
"""The customer tiers one ticket command has read, with its unit of work (see ``CommandRunner.tier``)."""


@attrs.frozen
class Applied:
    """What a command's apply step produced beyond the ticket's own events."""

    messages: Sequence[OutboxMessage] = ()
    decisions: Sequence[object] = ()


Apply = Callable[[UnitOfWork, Ticket, datetime], Applied | None]
"""A command's own step: change the ticket (through its methods), return extra messages/decisions."""


TicketHook = Callable[
    [UnitOfWork, Actor, Ticket, str, Sequence[TicketEvent], datetime], Sequence[OutboxMessage] | None
]
"""A reaction registered at the composition root, run inside every ticket command's transaction:
``hook(uow, actor, ticket, state_before, events, now)`` returns extra outbox messages (or ``None``)."""


_NOTHING_MORE = Applied()
"""What a step that returns nothing produced beyond its events (one shared, immutable value)."""
_KEY_AHEAD = ReadAhead(with_ticket=True)
"""A keyed command's read-ahead when the command names none: the key alone."""


def _no_replay(uow: UnitOfWork) -> None:
    """The replay of a command run without an idempotency key: there is none."""
    return None


def check_actor(actor: object) -> Actor:
    """The first argument of every command is an :class:`Actor`."""
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")
    return actor


def idempotency_scope(actor: Actor, command: str, key: str | None) -> str | None:
    """The stored key: scoped by actor and command, so two callers' keys never collide."""
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        rule = "text" if not isinstance(key, str) else "empty" if not key.strip() else "too_long"
        raise ValidationError(
            f"an idempotency key is 1–{MAX_KEY} characters of text",
            field="idempotency_key",
            rule=rule,
            rule_params={"most": MAX_KEY} if rule == "too_long" else None,
        )
    return f"{actor.role.value}:{actor.id}:{command}:{key}"


_JSON_INT_MIN, _JSON_INT_MAX = -(2**63), 2**64 - 1


def _plain(value: Any) -> Any:
    data = unstructure(value)
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple | set | frozenset):
        items = [_plain(v) for v in data]
        return sorted(items, key=repr) if isinstance(data, set | frozenset) else items
    if isinstance(data, int) and not isinstance(data, bool) and not _JSON_INT_MIN <= data <= _JSON_INT_MAX:
        return repr(data)  # JSON (orjson) holds 64-bit integers; a larger one is told apart by its digits
    if data is None or isinstance(data, str | int | float | bool):
        return data
    return repr(data)


def fingerprint(command: str, request: object) -> str:
    """A digest of the request, so a reused key with different arguments is told apart."""
    text = orjson.dumps([command, _plain(request)], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()[:32]


def _named(refused: InvalidTransition, ticket: Ticket, command: str) -> InvalidTransition:
    """``refused`` naming the command the caller ran (``dispatch``, not its step ``assign``), ticket too;
    of the same class, with the same facts (a :class:`FaultRecordRequired` keeps its field)."""
    if refused.command == command and refused.ticket_id is not None:
        return refused
    why = refused.why
    if refused.trigger != command:
        step = f"its step {refused.trigger!r} is not allowed there"
        why = f"{step}; {why}" if why else step
    return refused.renamed(ticket_id=refused.ticket_id or ticket.id, command=command, why=why)


_StepKind = tuple[str, str, frozenset[str]]
"""A step as the hooks' scopes read it: the state before, the state after, the actions taken."""

_STEP_KINDS_KEPT = 1024
"""How many kinds of step :meth:`CommandRunner._hooks_for` keeps the hooks of (a workflow has dozens)."""


def _dues(ticket: Ticket) -> tuple[datetime | None, ...]:
    return (
        ticket.response_due_at,
        ticket.resolution_due_at,
        ticket.response_late_after,
        ticket.resolution_late_after,
    )


def _callback_decides(ticket: Ticket, command: str) -> bool:
    """Whether the callback policy may decide on ``command``'s step: one moving the ticket to another
    state (a resolution, an acceptance, a complaint's handling, a close) or planning a callback."""
    if not ticket.can(command):
        return False
    return command == "schedule_callback" or ticket.workflow.target(ticket.state, command) != ticket.state


class CommandRunner:
    """Runs every write of one desk; holds the hooks registered at the composition root."""

    def __init__(self, context: DeskContext) -> None:
        self.context = context
        # Each hook with the steps and states it reacts to (None: every command), read once here. A
        # tuple: registering makes a new one, so the hooks found per kind of step (``_concerned``,
        # kept for the tuple they were found in) are never those of another set of hooks.
        self._ticket_hooks: tuple[tuple[TicketHook, HookScope | None], ...] = ()
        self._concerned: tuple[object, dict[_StepKind, tuple[TicketHook, ...]]] = ((), {})
        self.until_first_commit: Callable[[UnitOfWork, datetime], None] | None = None
        """Run in each write's transaction before its commit until one has committed (the books zone's
        stamp on a store without one: :mod:`aftersales.service.zone_stamp`)."""

    def _commit(self, uow: UnitOfWork, now: datetime) -> None:
        """Commit a write's transaction, with :attr:`until_first_commit` in it while that is set."""
        first = self.until_first_commit
        if first is not None:
            first(uow, now)
        uow.commit()
        self.context.notices.committed(uow)
        if first is not None:
            self.until_first_commit = None

    def on_ticket_change(self, hook: TicketHook) -> None:
        """Register ``hook`` to run in every ticket command's transaction, after apply (only in those
        that take one of its steps or move the ticket into or out of one of its states, when it says
        which: :func:`~aftersales.service.hook_scope.reacting_to`)."""
        self._ticket_hooks = (*self._ticket_hooks, (hook, scope_of(hook)))

    def _hooks_for(
        self, before_state: str, after_state: str, events: Sequence[TicketEvent]
    ) -> tuple[TicketHook, ...]:
        """The ticket hooks a step from ``before_state`` to ``after_state`` by ``events`` concerns, in
        the order they were registered: the unscoped ones and those whose scope concerns it.

        Why kept per (states, steps): a desk's commands take a handful of such kinds of step, and asking
        every hook's scope on every command was ten calls a command to skip the same ten hooks again
        (issue 21, session 39). A scope is frozen, so its answer for a kind of step never changes."""
        hooks = self._ticket_hooks
        owner, known = self._concerned
        if owner is not hooks:
            known = {}
            self._concerned = (hooks, known)
        kind = (before_state, after_state, frozenset([event.action for event in events]))
        found = known.get(kind)
        if found is None:
            found = tuple(
                hook
                for hook, scope in hooks
                if scope is None or scope.concerns(before_state, after_state, kind[2])
            )
            if len(known) < _STEP_KINDS_KEPT:
                known[kind] = found
        return found

    # -- reads the commands share -----------------------------------------------------------------

    @staticmethod
    def load(uow: UnitOfWork, ticket_id: str, *, lock: bool = False, shared: bool = False) -> Ticket:
        """The ticket, with its id checked first; ``lock`` holds its write lock (commands); ``shared``
        takes the store's kept ticket itself where a read-only unit of work offers it (``get_shared``:
        no copy; for a read that never changes it)."""
        if not isinstance(ticket_id, str) or not ticket_id:
            raise ValidationError("a ticket id is a non-empty string", field="ticket_id")
        if lock:
            return uow.tickets.get_for_update(ticket_id)
        if shared:
            get_shared = getattr(uow.tickets, "get_shared", None)
            if get_shared is not None:
                found: Ticket = get_shared(ticket_id)
                return found
        return uow.tickets.get(ticket_id)

    @staticmethod
    def team_of_assignee(uow: UnitOfWork, ticket: Ticket) -> str | None:
        """The team of the engineer the ticket is assigned to (engineers read their team's tickets)."""
        assignee = ticket.assignee
        if assignee is None or assignee.kind is not AssigneeKind.ENGINEER:
            return None
        try:
            return uow.engineers.get(assignee.id).team
        except NotFound:
            return None

    @staticmethod
    def tier(uow: UnitOfWork, ticket: Ticket) -> CustomerTier:
        """The ticket's customer tier, read from the store in this transaction (regular if unknown).

        Never cached across commands: another process may upgrade a customer to VIP at any time.
        Within one ticket command it is read once (triage's policy and the SLA derivation both ask).
        """
        memo = _TIERS.get()
        if memo is not None and memo[0] is uow:
            found = memo[1].get(ticket.customer_id)
            if found is not None:
                return found
        try:
            tier = uow.customers.get(ticket.customer_id).tier
        except NotFound:
            tier = CustomerTier.REGULAR
        if memo is not None and memo[0] is uow:
            memo[1][ticket.customer_id] = tier
        return tier

    def _team_if_needed(self, uow: UnitOfWork, actor: Actor, ticket: Ticket) -> str | None:
        """The assignee's team, when it can decide whether ``actor`` sees the ticket: only for an
        actor with a team that does not see the ticket anyway (else no engineer record is read)."""
        if actor.team is None or can_read(actor, ticket):
            return None
        return self.team_of_assignee(uow, ticket)

    def view(self, actor: Actor, ticket: Ticket) -> TicketView:
        """``ticket`` as ``actor`` reads it (:meth:`seen_by`), a view whose "why" names the pack's own
        codes in the pack's words (the desk's :class:`~aftersales.i18n.pack_words.PackWords`)."""
        return TicketView(self.seen_by(actor, ticket), self.context.notifications.words)

    def seen_by(self, actor: Actor, ticket: Ticket) -> Ticket:
        """``ticket`` as ``actor`` may read it (:func:`~aftersales.service.reader_view.as_seen_by`), with
        the desk's staff-only custom fields: the one place every view takes them from — and where the
        description a callback's complaint keeps as codes is worded in the actor's locale."""
        if reads_every_part(actor):  # the common case: no staff-only field names made (issue 21)
            seen = ticket
        else:
            seen = as_seen_by(actor, ticket, staff_fields=self.context.custom_fields.hidden_from_customers)
        if seen.description.startswith(CODED_PREFIX):  # a callback's complaint: in the reader's words
            words = self.context.notifications.renderer.catalog(actor.locale)
            seen = copy.copy(seen)  # the stored ticket (a staff reader's) keeps its codes
            seen.description = worded_description(words, seen.description)
        return seen

    def visible(self, uow: UnitOfWork, actor: Actor, ticket_id: str, *, shared: bool = False) -> Ticket:
        """The ticket if ``actor`` may see it, else ``NotFound`` (as for an unknown id); ``shared``: see
        :meth:`load`."""
        check_actor(actor)
        ticket = self.load(uow, ticket_id, shared=shared)
        # The assignee's team matters only to an engineer the ticket is not already visible to: read
        # the engineer record only then.
        if not can_read(actor, ticket) and (
            actor.team is None or not can_read(actor, ticket, self.team_of_assignee(uow, ticket))
        ):
            raise NotFound("ticket", ticket_id)
        return ticket

    # -- idempotency --------------------------------------------------------------------------------

    @staticmethod
    def _recall(
        uow: UnitOfWork,
        scoped: str | None,
        command: str,
        key: str | None,
        print_: str,
        request: object = None,
    ) -> Any:
        if scoped is None:
            return None
        stored = uow.idempotency.get(scoped)
        if stored is None:
            return None
        data = decode_json(stored)
        if data.get("f") != print_:
            # a record an earlier release kept printed the request its own way (service.request_prints)
            earlier = earlier_request(request)
            if earlier is None or data.get("f") != fingerprint(command, earlier):
                raise IdempotencyKeyReused(command, key or "")
        return data

    def _ticket_replay(self, uow: UnitOfWork, actor: Actor, data: Any) -> CommandResult:
        """The first result of a keyed ticket command, with the ticket as it now stands — for an actor
        who may still read it. One who no longer may (an engineer the ticket was reassigned from, a
        dealer it moved away from) gets ``NotFound`` like any other read: a replay is no way back in."""
        ticket = uow.tickets.get(data["t"])
        if not can_read(actor, ticket, self._team_if_needed(uow, actor, ticket)):
            raise NotFound("ticket", ticket.id)
        seqs = set(data["e"])
        events = tuple(e for e in ticket.events if e.seq in seqs)
        return CommandResult(self.view(actor, ticket), events, replayed=True)

    @staticmethod
    def _remember(uow: UnitOfWork, scoped: str | None, record: dict[str, Any]) -> None:
        if scoped is not None:
            uow.idempotency.put(scoped, encode_json(record))

    def _after_race(self, scoped: str | None, recall: Callable[[UnitOfWork], T | None]) -> T | None:
        """After losing a race: the winner's result when it ran under the same key."""
        if scoped is None:
            return None
        with self.context.store() as uow:
            return recall(uow)

    def _attempts(
        self,
        once: Callable[..., T],
        args: tuple[Any, ...],
        scoped: str | None,
        recall: Callable[[UnitOfWork], T | None],
    ) -> T:
        """Run ``once(*args)`` (one whole transaction); after a lost race, the winner's replay or a re-run.

        A version conflict or a duplicate means another writer committed first: with the same key,
        that is this command's first result; otherwise the command is re-run on fresh data (the
        client never gave a version, so nothing it saw is stale). A busy store wrote nothing: re-run.
        A refusal of a keyed command is its original's result when one committed meanwhile.

        A busy store waited for its lock up to its own ``busy_timeout`` (SQLite) before saying so: the
        command is re-run only within that time of its start (a store busy at once, a commit that met a
        checkpoint), so the whole command waits one timeout; before, each of eight runs waited it again.
        """
        if self.context.ids is None:  # the store numbers in the command's own transaction
            return self._attempt(once, args, scoped, recall, None)
        with one_call() as ids:  # a re-run takes the host's ids its first run took (call_ids)
            return self._attempt(once, args, scoped, recall, ids)

    def _attempt(
        self,
        once: Callable[..., T],
        args: tuple[Any, ...],
        scoped: str | None,
        recall: Callable[[UnitOfWork], T | None],
        ids: CallIds | None,
    ) -> T:
        started = time.monotonic()
        for attempt in range(RETRIES):
            if attempt and ids is not None:
                ids.again()
            try:
                return once(*args)
            except StoreBusy:
                if attempt == RETRIES - 1 or time.monotonic() - started >= self._busy_wait():
                    raise
                # No look for a winner under the same key: that read waits for the same lock (a write
                # transaction on SQLite); the next run reads the key first.
                time.sleep(random.uniform(0, 0.001 * (attempt + 1)))
            except (ConcurrencyConflict, DuplicateError) as lost:
                if ids is not None and isinstance(lost, DuplicateError):
                    ids.forget()  # the id itself may be what another writer stored meanwhile
                try:
                    first = self._after_race(scoped, recall)
                except StoreBusy:
                    first = None  # still busy: the next attempt looks again
                if first is not None:
                    return first
                if attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.001 * (attempt + 1)))  # let the winner's commit land
            except IdempotencyKeyReused:
                raise  # the key's own answer
            except AftersalesError:
                # A refusal may be the original's doing: a retry that looked for its key before the
                # original committed, then waited for the ticket's lock (PostgreSQL), runs its step on a
                # ticket the original already moved ("cannot cancel from cancelled"). With a key, the
                # original's result, committed meanwhile, is the answer; without one the refusal stands.
                first = self._refused_but_replayed(scoped, recall)
                if first is None:
                    raise
                return first
        raise AssertionError("unreachable")  # pragma: no cover

    def _busy_wait(self) -> float:
        """Seconds a command may spend re-running after a busy store: the store's ``busy_timeout`` (its
        own wait for a lock); a store that names none is re-run as after a lost race."""
        wait = getattr(self.context.store, "busy_timeout", None)
        return float(wait) if isinstance(wait, int | float) else math.inf

    def _refused_but_replayed(self, scoped: str | None, recall: Callable[[UnitOfWork], T | None]) -> T | None:
        """After a refusal: the result a concurrent original stored under the same key, if any (a store
        still busy answers nothing: the refusal stands)."""
        try:
            return self._after_race(scoped, recall)
        except StoreBusy:
            return None

    # -- ticket commands ------------------------------------------------------------------------------

    def execute(
        self,
        actor: Actor,
        command: str,
        ticket_id: str,
        apply: Apply,
        key: str | None = None,
        *,
        request: object = None,
        roles: frozenset[Any] | None = None,
        ahead: ReadAhead | None = None,
        customer_first: bool = False,
    ) -> CommandResult:
        """Run one command on one ticket (see the module docstring for the steps).

        ``apply(uow, ticket, now)`` changes the ticket through its methods (and may touch other
        documents in the same unit of work). ``request`` is what the caller asked for (the
        fingerprint's input besides the ticket id). Without ``roles`` the permission table of the
        ticket's own workflow decides. ``ahead``: what ``apply`` reads besides the ticket, named
        before the ticket is read (``ports.read_ahead``, ``with_ticket``: PostgreSQL reads it in the
        ticket's round trip). ``customer_first``: the command may open a ticket for the ticket's customer
        (a complaint, a remedy's visit), so it holds the customer (:func:`~aftersales.service.row_locks.
        held`) before it locks the ticket: the order an erasure takes them in (customer, then tickets), so
        the two queue instead of deadlocking (PostgreSQL).
        """
        check_actor(actor)
        scoped = idempotency_scope(actor, command, key)
        if scoped is None:
            # No key, nothing to replay: no fingerprint and no closures made for this command.
            args = (actor, command, ticket_id, apply, None, "", _no_replay, roles, ahead, customer_first)
            return self._attempts(self._execute_once, args, None, _no_replay)
        print_ = fingerprint(command, [ticket_id, request])

        def recall(uow: UnitOfWork) -> CommandResult | None:
            data = self._recall(uow, scoped, command, key, print_, [ticket_id, request])
            return self._ticket_replay(uow, actor, data) if data is not None else None

        keyed = (actor, command, ticket_id, apply, scoped, print_, recall, roles, ahead, customer_first)
        return self._attempts(self._execute_once, keyed, scoped, recall)

    def _execute_once(
        self,
        actor: Actor,
        command: str,
        ticket_id: str,
        apply: Apply,
        scoped: str | None,
        print_: str,
        recall: Callable[[UnitOfWork], CommandResult | None],
        roles: frozenset[Any] | None,
        ahead: ReadAhead | None = None,
        customer_first: bool = False,
    ) -> CommandResult:
        context = self.context
        with context.store() as uow:
            tiers = _TIERS.set((uow, {}))
            try:
                # The key's look-up with the ticket's locking read (see _in_transaction); not with a
                # command that reads its ticket before the lock (customer_first): recalled after it.
                if scoped is not None and not customer_first:
                    ahead = attrs.evolve(ahead or _KEY_AHEAD, keys=(scoped,), with_ticket=True)
                if ahead is not None:
                    read_ahead(uow, ahead)
                return self._in_transaction(
                    uow, actor, command, ticket_id, apply, scoped, print_, recall, roles, customer_first
                )
            finally:
                _TIERS.reset(tiers)

    def _in_transaction(
        self,
        uow: UnitOfWork,
        actor: Actor,
        command: str,
        ticket_id: str,
        apply: Apply,
        scoped: str | None,
        print_: str,
        recall: Callable[[UnitOfWork], CommandResult | None],
        roles: frozenset[Any] | None,
        customer_first: bool = False,
    ) -> CommandResult:
        context = self.context
        # The ticket first, then the key: a store reading ahead (PostgreSQL) makes the key's look-up in
        # the ticket's round trip, once its lock is held (an original that committed meanwhile is seen).
        # A ticket that cannot be read leaves the answer to the key, as when the key came first.
        try:
            if customer_first:
                hold_customer_of(uow, self.load(uow, ticket_id))
            ticket = self.load(uow, ticket_id, lock=True)
        except (NotFound, ValidationError):
            first = recall(uow) if scoped is not None else None
            if first is not None:
                return first
            raise
        if scoped is not None:
            first = recall(uow)
            if first is not None:
                return first
        authorize(actor, command, ticket, self._team_if_needed(uow, actor, ticket), roles)
        # After the first statement: the write lock (or the row) is ours; not before the last event.
        now = stamp_for(ticket, context.now())
        before_state = ticket.state
        before = len(ticket.events)
        # A step the callback policy may decide on: its stamp is read before the step writes documents
        # (a document write drops the stamp a PostgreSQL ticket read brought along: a round trip more).
        stamps = StampRead(uow)
        checked = _callback_decides(ticket, command)
        if checked:
            check_callback_current(uow, context, stamps)
        try:
            applied = apply(uow, ticket, now) or _NOTHING_MORE
        except InvalidTransition as refused:
            raise _named(refused, ticket, command) from None
        events = tuple(ticket.events[before:])
        messages = list(applied.messages)
        messages += self._after_step(
            uow, actor, ticket, before_state, events, now, stamps=stamps, callback_checked=checked
        )
        # Nothing changes the ticket after its save (the result is a read-only view of it): a store that
        # can keep it without a copy is told so (``save_and_release``, the memory store's).
        tickets = uow.tickets
        getattr(tickets, "save_and_release", tickets.save)(ticket)
        messages += context.notifications.messages(uow, ticket, events, now, context.policies.notification)
        uow.outbox.put(messages)
        if scoped is not None:
            record = {"f": print_, "t": ticket.id, "v": ticket.version, "e": [e.seq for e in events]}
            self._remember(uow, scoped, record)
        self._commit(uow, now)
        view = self.view(actor, ticket)
        return CommandResult(view, events, decisions=tuple(applied.decisions))

    # -- commands that open tickets ----------------------------------------------------------------

    def intake(
        self,
        actor: Actor,
        command: str,
        key: str | None,
        request: object,
        run: Callable[[UnitOfWork, datetime], tuple[Ticket, Applied]],
    ) -> CommandResult:
        """Run a command that opens a ticket (``open_ticket``, ``open_complaint``), replayable by key."""
        check_actor(actor)
        scoped = idempotency_scope(actor, command, key)
        print_ = fingerprint(command, request) if scoped is not None else ""

        def recall(uow: UnitOfWork) -> CommandResult | None:
            data = self._recall(uow, scoped, command, key, print_, request)
            return self._ticket_replay(uow, actor, data) if data is not None else None

        def once() -> CommandResult:
            with self.context.store() as uow:
                first = recall(uow)
                if first is not None:
                    return first
                now = self.context.now()
                ticket, applied = run(uow, now)
                events = tuple(ticket.events)
                record = {"f": print_, "t": ticket.id, "v": ticket.version, "e": [e.seq for e in events]}
                self._remember(uow, scoped, record)
                self._commit(uow, now)
            return CommandResult(self.view(actor, ticket), events, decisions=tuple(applied.decisions))

        return self._attempts(once, (), scoped, recall)

    # -- every other write ----------------------------------------------------------------------------

    def write(
        self,
        actor: Actor,
        command: str,
        key: str | None,
        request: object,
        apply: Callable[[UnitOfWork, datetime], T],
        *,
        remember: Callable[[T], Any] | None = None,
        reload: Callable[[UnitOfWork, Any], T] | None = None,
    ) -> T:
        """Run a write that is not a ticket step (documents, master data, fee slips, articles…).

        The caller has checked the role against the table; ``apply`` checks scopes and changes the
        store. With a key, ``remember(result)`` gives the JSON-ready ids to keep and
        ``reload(uow, kept)`` rebuilds the result from them on a replay — handed back only to an actor
        who may still read it (:func:`~aftersales.service.replay_scope.check_replay`; else ``NotFound``).
        """
        check_actor(actor)
        if key is not None and (remember is None or reload is None):
            raise ValidationError(f"{command} takes no idempotency key", field="idempotency_key")
        scoped = idempotency_scope(actor, command, key)
        print_ = fingerprint(command, request) if scoped is not None else ""

        # Results travel boxed in a 1-tuple: ``None`` is "no first result" to _attempts, and a command
        # may itself return ``None`` (a master-data registration): its replay is ``(None,)``, not a
        # command that has not run (which ran it again and failed storing its key a second time).
        def recall(uow: UnitOfWork) -> tuple[T] | None:
            data = self._recall(uow, scoped, command, key, print_, None)
            if data is None or reload is None:
                return None
            result = reload(uow, data["r"])
            check_replay(uow, actor, result)  # a replay is no way back to a record out of scope
            return (result,)

        def once() -> tuple[T]:
            with self.context.store() as uow:
                first = recall(uow)
                if first is not None:
                    return first
                now = self.context.now()
                result = apply(uow, now)
                if remember is not None:
                    self._remember(uow, scoped, {"f": print_, "r": remember(result)})
                self._commit(uow, now)
            return (result,)

        return self._attempts(once, (), scoped, recall)[0]

    def settle_moved_ticket(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before_state: str,
        events: Sequence[TicketEvent],
        now: datetime,
        *,
        owes_no_callback: bool = False,
    ) -> list[OutboxMessage]:
        """What a ticket command does after its step, for a ticket a document write moved (a materials
        quote refused makes the ticket wait): the ticket hooks, the SLA due times, the provisional-due
        warning and the state-change notifications. The caller saves the ticket and puts the messages in
        its outbox, in its own transaction.

        ``owes_no_callback``: the step ends the ticket with no callback owed whatever the callback policy
        says (a customer's erasure cancelling or closing their tickets: nobody may call them), so the
        store's callback policy is not asked for: a desk opened on an older ``[callback]`` may erase."""
        messages = self._after_step(
            uow, actor, ticket, before_state, events, now, callback_checked=owes_no_callback
        )
        context = self.context
        messages += context.notifications.messages(uow, ticket, events, now, context.policies.notification)
        return messages

    def _after_step(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before_state: str,
        events: Sequence[TicketEvent],
        now: datetime,
        *,
        stamps: StampRead | None = None,
        callback_checked: bool = False,
    ) -> list[OutboxMessage]:
        """The ticket hooks' messages, the SLA due times derived, and the provisional-due warning: what
        every step is followed by before its ticket is saved (``stamps``: the store's stamp as the step's
        guards read it; ``callback_checked``: the callback policy was found the store's before the step)."""
        stamps = stamps or StampRead(uow)
        messages: list[OutboxMessage] = []
        # The hooks with anything to do: none of its steps, none of its states, a hook finds nothing.
        for hook in self._hooks_for(before_state, ticket.state, events):
            messages += hook(uow, actor, ticket, before_state, events, now) or ()
        context = self.context
        tier = self.tier(uow, ticket)
        before_due = ticket.resolution_due_at
        before_dues = _dues(ticket)
        context.sla.derive(ticket, tier, now)
        if _dues(ticket) != before_dues:  # due times written on this desk's calendar: still the store's?
            check_calendar_current(uow, context, stamps, now)
        elif not callback_checked and (
            ticket.state != before_state or any(event.action == "schedule_callback" for event in events)
        ):
            check_callback_current(uow, context, stamps)  # where the callback policy decides: the store's?
        due = ticket.resolution_due_at
        if due is not None and (before_due is None or due < before_due):
            rewind_mark(uow, due, now)  # a due set behind the sweep's mark is read by the next sweep
        # Issue 18: the first provisional due time (past the official holiday data) warns the managers,
        # and so does the first ticket left without any due time because the holiday data ran out.
        messages += provisional_messages(context, uow, ticket, now)
        messages += data_missing_messages(context, uow, ticket, tier, now)
        return messages
