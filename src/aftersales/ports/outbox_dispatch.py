"""Deliver pending outbox messages, at least once.

Each batch is read in one unit of work; every message is handed over *before* it is marked sent,
in a unit of work of its own, so a crash between the two sends it again rather than never: the
receiver drops the repeat by ``idempotency_key``. A failed delivery is recorded and retried later.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from aftersales.ports.clock import Clock
from aftersales.ports.notifier import NOTIFICATION_TOPIC, Notifier, RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import structure

__all__ = ["DispatchReport", "dispatch_outbox", "render_notification"]


@attrs.frozen
class DispatchReport:
    """What one dispatch run did: ids sent, ids that failed, ids skipped (nothing to send)."""

    sent: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def render_notification(message: OutboxMessage) -> RenderedMessage | None:
    """Default renderer: ``notification`` messages carry a ``RenderedMessage``; other topics, nothing."""
    if message.topic != NOTIFICATION_TOPIC:
        return None
    return structure(dict(message.payload), RenderedMessage)


def dispatch_outbox(
    uow_factory: Callable[[], UnitOfWork],
    notifier: Notifier,
    clock: Clock,
    limit: int = 100,
    *,
    render: Callable[[OutboxMessage], RenderedMessage | None] = render_notification,
    max_attempts: int | None = None,
) -> DispatchReport:
    """Send up to ``limit`` pending messages through ``notifier`` and mark them sent.

    ``render`` turns a message into what to send; ``None`` means "nothing to send" and the message
    is marked sent (handled). A message that failed ``max_attempts`` times is left pending and
    skipped, for an operator to look at.
    """
    with uow_factory() as uow:
        batch = list(uow.outbox.pending(limit))
    sent: list[str] = []
    failed: list[str] = []
    skipped: list[str] = []
    for message in batch:
        if max_attempts is not None and message.attempts >= max_attempts:
            skipped.append(message.id)
            continue
        try:
            rendered = render(message)
            if rendered is not None:
                notifier.send(rendered)
        except Exception as exc:  # a notifier may raise anything; record it and go on
            with uow_factory() as uow:
                uow.outbox.mark_failed(message.id, clock.now(), f"{type(exc).__name__}: {exc}"[:2000])
                uow.commit()
            failed.append(message.id)
            continue
        with uow_factory() as uow:
            uow.outbox.mark_sent([message.id], clock.now())
            uow.commit()
        sent.append(message.id)
    return DispatchReport(tuple(sent), tuple(failed), tuple(skipped))
