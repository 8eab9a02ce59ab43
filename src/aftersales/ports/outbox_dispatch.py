"""Deliver due outbox messages, at least once, without ever jamming.

One run claims a batch (a unit of work of its own: the messages are leased to this deliverer), hands
each message to the notifier (``senders`` at a time), then records the outcome of the whole batch
in one more unit of work: sent, or failed with its next attempt moved back by an exponential
backoff, or a dead letter after the maximum attempts (at once when the notifier raises a permanent
:class:`~aftersales.errors.DeliveryError`). A crash between sending and recording leaves
the lease to run out; the message is then sent again with ``attempt`` > 1 (the receiver drops the
repeat by ``idempotency_key``). A deliverer sends a message only while its lease holds, and records
a failure only of a message it still holds: once the lease has run out and another deliverer has
claimed the message, that deliverer alone sends it and says how it went. Claims take messages in
next-attempt order, so a dead mailbox's messages, pushed back after each failure, never keep the
good ones behind them from going out.
"""

from __future__ import annotations

import itertools
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import attrs

from aftersales.domain.bounds import check_bounded
from aftersales.domain.erasure import ERASED
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import LONGEST_DURATION
from aftersales.errors import ConcurrencyConflict, DeliveryError, ValidationError
from aftersales.ports.clock import Clock
from aftersales.ports.notifier import NOTIFICATION_TOPIC, Notifier, RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import structure

__all__ = [
    "MAX_SENDERS",
    "MOST_ATTEMPTS",
    "MOST_BATCH",
    "MOST_DELIVERED",
    "DeliveryRules",
    "DispatchReport",
    "default_owner",
    "dispatch_outbox",
    "render_notification",
]


MOST_ATTEMPTS = 10**9
"""The most delivery attempts a message gets: the pack's ``[notification] max_attempts`` bound."""
MOST_BATCH = 10_000
"""The most messages one claim takes (a claim's rows are read into memory and leased at once)."""
MOST_DELIVERED = 1_000_000
"""The most messages one :func:`dispatch_outbox` run delivers: the ``deliver`` job's ``limit`` bound."""
_SHORTEST_WAIT = timedelta(seconds=1)


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # Bounded as the pack's and the jobs' numbers are: a claim of 10**30 messages reached SQLite's LIMIT
    # as Python's OverflowError.
    most = MOST_ATTEMPTS if attribute.name == "max_attempts" else MOST_BATCH
    check_bounded(value, attribute.name, most)


def _period(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A number of seconds would pass here and fail every delivery run at its first retry.
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError(
            f"{attribute.name} must be a positive timedelta, got {value!r}",
            field=attribute.name,
            rule="positive_duration",
        )
    # The bound of every duration a command or setting takes: a lease or wait the clock cannot add
    # (timedelta.max) failed every claim or retry with Python's OverflowError.
    if value > LONGEST_DURATION:
        raise ValidationError(
            f"{attribute.name} must be at most 100 years, got {value!r}", field=attribute.name
        )


def _wait(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A wait shorter than a second (the pack's unit) made a failing message due again before the run's
    # next claim: one run tried it max_attempts times in a row and gave it up as a dead letter.
    _period(instance, attribute, value)
    if isinstance(value, timedelta) and value < _SHORTEST_WAIT:
        raise ValidationError(
            f"{attribute.name} is at least a second (a retry waits for the next run), got {value!r}",
            field=attribute.name,
        )


_SHORTEST_LEASE = timedelta(minutes=1)


def _lease(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A claim's lease that runs out before its batch is sent lets a second deliverer claim and send the
    # same messages again: a microsecond's was taken.
    _period(instance, attribute, value)
    if isinstance(value, timedelta) and value < _SHORTEST_LEASE:
        raise ValidationError(
            f"lease is at least a minute (it must outlast one batch's sending), got {value!r}",
            field=attribute.name,
        )


@refused_typed
@attrs.frozen
class DeliveryRules:
    """How delivery retries: attempts before a dead letter, the backoff, the lease of a claim.

    The n-th failed attempt waits ``first_retry × 2^(n-1)``, at most ``max_retry``. ``lease`` must
    outlast one batch's sending (at least a minute); a deliverer that dies holding messages frees them
    when it runs out. ``batch`` is how many messages one claim takes (1 to 10,000); ``max_attempts`` 1 to
    1,000,000,000, as the pack's; the waits are at least a second and, as the lease, at most 100 years.
    """

    max_attempts: int = attrs.field(default=8, validator=_count)
    first_retry: timedelta = attrs.field(default=timedelta(minutes=1), validator=_wait)
    max_retry: timedelta = attrs.field(default=timedelta(hours=6), validator=_wait)
    lease: timedelta = attrs.field(default=timedelta(minutes=5), validator=_lease)
    batch: int = attrs.field(default=100, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.first_retry > self.max_retry:  # the first wait would silently be cut to max_retry
            raise ValidationError(
                f"first_retry ({self.first_retry}) is longer than max_retry ({self.max_retry})",
                field="first_retry",
            )

    def retry_at(self, attempts: int, now: datetime) -> datetime:
        """When a message that has failed ``attempts`` times may be tried again."""
        exponent = min(max(attempts - 1, 0), 30)  # 2^30 minutes is far past any max_retry
        return now + min(self.first_retry * (1 << exponent), self.max_retry)


@attrs.frozen
class DispatchReport:
    """What one dispatch run did, by message id.

    ``sent``: delivered (or nothing to deliver) and marked sent; ``failed``: failed, to be retried
    later; ``dead``: failed for the last time (dead letters); ``retried``: those of ``sent`` that
    were second or later attempts; ``skipped`` is kept for older callers and stays empty (an
    exhausted message is a dead letter now, not skipped on every run).
    """

    sent: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()
    retried: tuple[str, ...] = ()


def render_notification(message: OutboxMessage) -> RenderedMessage | None:
    """Default renderer: ``notification`` messages carry a ``RenderedMessage``; other topics, nothing.

    A notification whose recipient was erased (PIPL: the erasure scrubs waiting and dead messages,
    so the address reads ``[erased]``) is nothing to send either: the person is gone, and the
    notifier would otherwise be handed a message for an address that no longer exists.
    A payload that is not a rendered message (a host wrote the topic by hand) never will be one: a
    permanent :class:`~aftersales.errors.DeliveryError`, a dead letter at once, not retried to the
    maximum attempts.
    """
    if message.topic != NOTIFICATION_TOPIC:
        return None
    try:
        rendered = structure(dict(message.payload), RenderedMessage)
    except ValidationError as exc:
        raise DeliveryError(f"not a rendered notification: {exc}", permanent=True) from None
    return None if ERASED in rendered.recipient else rendered


def default_owner() -> str:
    """A deliverer name unique to this process and call: host, process id, a random part."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


_Outcome = tuple[OutboxMessage, str | None, bool]  # the message, the error text if failed, permanent?
MAX_SENDERS = 256
"""The most messages one delivery sends at once (threads)."""
_LEASE_LOST = "lease lost"
"""The error text of a message not sent because its lease ran out first (not recorded: see below)."""


def _deliver_one(
    message: OutboxMessage,
    notifier: Notifier,
    render: Callable[[OutboxMessage], RenderedMessage | None],
    clock: Clock,
) -> _Outcome:
    # A batch sent slowly (a server timing out on each message) can outlive its lease: another
    # deliverer may then have claimed the rest. A message whose lease has run out is not sent here,
    # so it goes out once, from the deliverer that holds it.
    if message.lease_until is not None and clock.now() >= message.lease_until:
        return message, _LEASE_LOST, False
    try:
        rendered = render(message)
        if rendered is not None:
            if message.attempts > 1:
                rendered = attrs.evolve(rendered, attempt=message.attempts)
            notifier.send(rendered)
    except DeliveryError as exc:
        return message, f"{type(exc).__name__}: {exc}"[:2000], exc.permanent
    except Exception as exc:  # a notifier may raise anything; the outcome records it
        return message, f"{type(exc).__name__}: {exc}"[:2000], False
    return message, None, False


def _start(
    pool: ThreadPoolExecutor,
    senders: int,
    batch: Sequence[OutboxMessage],
    notifier: Notifier,
    render: Callable[[OutboxMessage], RenderedMessage | None],
    clock: Clock,
) -> Callable[[], list[_Outcome]]:
    """Start sending ``batch`` on ``senders`` threads, each taking the next message until none is
    left (a few tasks per batch, not a future with its lock per message); returns the wait for the
    outcomes, in the batch's order."""
    outcomes: list[_Outcome | None] = [None] * len(batch)
    following = itertools.count()  # next() on it is atomic: each index goes to one sender

    def drain() -> None:
        while (i := next(following)) < len(batch):
            outcomes[i] = _deliver_one(batch[i], notifier, render, clock)

    tasks = [pool.submit(drain) for _ in range(min(senders, len(batch)))]

    def wait() -> list[_Outcome]:
        for task in tasks:
            task.result()
        return [o for o in outcomes if o is not None]

    return wait


def _claim(
    uow_factory: Callable[[], UnitOfWork], owner: str, now: datetime, rules: DeliveryRules, limit: int
) -> Sequence[OutboxMessage]:
    for _ in range(3):  # the memory store reports a lost race at commit: claim again
        try:
            with uow_factory() as uow:
                taken = uow.outbox.claim(owner, now, rules.lease, limit)
                uow.commit()
                return taken
        except ConcurrencyConflict:
            continue
    return ()


def dispatch_outbox(
    uow_factory: Callable[[], UnitOfWork],
    notifier: Notifier,
    clock: Clock,
    limit: int = 100,
    *,
    render: Callable[[OutboxMessage], RenderedMessage | None] = render_notification,
    max_attempts: int | None = None,
    rules: DeliveryRules | None = None,
    owner: str | None = None,
    senders: int = 1,
) -> DispatchReport:
    """Deliver up to ``limit`` due messages through ``notifier``; see the module docstring.

    ``render`` turns a message into what to send; ``None`` means "nothing to send" and the message
    is marked sent (handled). ``max_attempts`` overrides ``rules.max_attempts``. ``senders`` > 1
    sends that many messages at once on threads (``notifier.send`` must then be thread-safe).
    Safe to run in several threads and processes at once: a message is claimed by one of them.
    ``limit`` is 1 to 1,000,000 (the ``deliver`` job's bound), else :class:`~aftersales.errors.OutOfBounds`.
    """
    check_bounded(limit, "limit", MOST_DELIVERED)
    check_bounded(senders, "senders", MAX_SENDERS)
    if rules is None:
        rules = DeliveryRules()
    elif not isinstance(rules, DeliveryRules):  # a dict of rules was replaced by the defaults when empty
        raise ValidationError(
            f"rules are DeliveryRules, got {type(rules).__name__}",
            field="rules",
            rule="wrong_type",
            rule_params={"expected": "DeliveryRules"},
        )
    if max_attempts is not None:
        rules = attrs.evolve(rules, max_attempts=max_attempts)
    owner = owner or default_owner()
    sent: list[str] = []
    failed: list[str] = []
    dead: list[str] = []
    retried: list[str] = []
    pool = ThreadPoolExecutor(senders, thread_name_prefix="aftersales-send") if senders > 1 else None
    try:
        remaining = limit
        batch = _claim(uow_factory, owner, clock.now(), rules, min(remaining, rules.batch))
        while batch:
            remaining -= len(batch)
            if pool is None:
                outcomes = [_deliver_one(m, notifier, render, clock) for m in batch]
                batch = ()
            else:  # the next batch is claimed while this one is on the wire
                waiting = _start(pool, senders, batch, notifier, render, clock)
                batch = ()
                if remaining > 0:
                    batch = _claim(uow_factory, owner, clock.now(), rules, min(remaining, rules.batch))
                outcomes = waiting()
            now = clock.now()
            with uow_factory() as uow:
                done = [m.id for m, error, _ in outcomes if error is None]
                uow.outbox.mark_sent(done, now)
                for message, error, permanent in outcomes:
                    if error is None or error is _LEASE_LOST:  # not sent: left to whoever holds it
                        continue
                    last = permanent or message.attempts >= rules.max_attempts
                    retry = None if last else rules.retry_at(message.attempts, now)
                    uow.outbox.mark_failed(message.id, now, error, retry_at=retry, dead=last, owner=owner)
                    (dead if last else failed).append(message.id)
                uow.commit()
            sent += done
            retried += [m.id for m, error, _ in outcomes if error is None and m.attempts > 1]
            if pool is None and remaining > 0:
                batch = _claim(uow_factory, owner, clock.now(), rules, min(remaining, rules.batch))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return DispatchReport(tuple(sent), tuple(failed), (), tuple(dead), tuple(retried))
