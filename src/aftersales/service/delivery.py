"""The outbox as a manager sees it: the delivery rules of the pack, dead letters, retries, retention.

A message that failed the pack's maximum attempts (``[notification] max_attempts``) becomes a dead
letter: no deliverer picks it up again until a manager has looked at it (the address was wrong, the
mailbox is back) and retries it. Sent messages are kept ``keep_sent_days`` for audit, dead letters
``keep_dead_days`` after they were given up on, then purged by the jobs (:mod:`aftersales.service.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import attrs

from aftersales.domain.bounds import Bounds, check_bounded
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.notification import NotificationParams
from aftersales.policies.registry import PolicySet
from aftersales.ports.outbox import Outbox, OutboxMessage
from aftersales.ports.outbox_dispatch import DeliveryRules
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.judged_instant import judged_at
from aftersales.service.permissions import Workflow, permit

if TYPE_CHECKING:
    from aftersales.service.context import DeskContext
    from aftersales.service.runner import CommandRunner

__all__ = [
    "MOST_PURGED",
    "OutboxDesk",
    "PurgeLimit",
    "check_purge_limit",
    "delivery_rules",
    "notification_params",
]

MOST_PURGED = 100_000
"""Records one retention purge deletes at most: the outbox's messages, and the idempotency rows
(``desk.privacy.purge_expired``); the jobs pass their ``limit`` up to it."""

PurgeLimit = Annotated[int, Bounds(1, MOST_PURGED)]
"""A retention purge's ``limit`` (and the dead letters listed at once), as its argument check reads it."""


def notification_params(policies: PolicySet) -> NotificationParams:
    """The pack's ``[notification]`` parameters (the defaults if the host's policy has none)."""
    params = getattr(policies.notification, "params", None)
    return params if isinstance(params, NotificationParams) else NotificationParams()


def delivery_rules(policies: PolicySet) -> DeliveryRules:
    """The pack's retry rules for outbox delivery."""
    params = notification_params(policies)
    return DeliveryRules(
        max_attempts=params.max_attempts,
        first_retry=timedelta(seconds=params.first_retry_seconds),
        max_retry=timedelta(seconds=params.max_retry_seconds),
    )


@validated_commands
class OutboxDesk:
    """Dead letters and retention of the outbox (``desk.outbox``), behind the permission table;
    its writes go through the command runner."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def dead_letters(self, actor: Actor, limit: PurgeLimit = 100) -> Sequence[OutboxMessage]:
        """Messages given up on after the maximum attempts, oldest first, with their last error."""
        permit(actor, Workflow.DOCUMENTS, "read_dead_letters")
        check_purge_limit(limit)
        with self.context.store() as uow:
            return uow.outbox.dead(limit)

    def retry_dead_letters(self, actor: Actor, ids: Iterable[str]) -> int:
        """Send these dead letters again (due now, attempts from zero); returns how many were dead."""
        permit(actor, Workflow.DOCUMENTS, "retry_dead_letters")
        wanted = [ids] if isinstance(ids, str) else list(ids)
        if not all(isinstance(i, str) and i for i in wanted):
            raise ValidationError("dead letter ids are non-empty strings", field="ids")
        return self.runner.write(
            actor, "retry_dead_letters", None, sorted(wanted), lambda uow, now: uow.outbox.revive(wanted, now)
        )

    def purge_sent(
        self,
        actor: Actor,
        keep: timedelta | None = None,
        limit: PurgeLimit = 1000,
        *,
        at: datetime | None = None,
    ) -> int:
        """Delete up to ``limit`` messages sent longer ago than the pack's ``keep_sent_days``; returns how
        many. ``keep`` may restate that period; another value is a ``ConfigurationError``. ``at``: the
        instant the age is judged at (the ``purge_sent`` job's ``now``), not ahead of the clock; the clock
        without it."""
        return self._purge(_SENT, actor, keep, limit, at)

    def purge_dead_letters(
        self,
        actor: Actor,
        keep: timedelta | None = None,
        limit: PurgeLimit = 1000,
        *,
        at: datetime | None = None,
    ) -> int:
        """Delete up to ``limit`` dead letters given up on longer ago than the pack's ``keep_dead_days``,
        oldest first; returns how many. ``keep`` may restate that period; another value is a
        ``ConfigurationError`` (the pack decides how long the names and addresses in them live). ``at``:
        the instant the age is judged at (the ``purge_dead`` job's ``now``), not ahead of the clock; the
        clock without it."""
        return self._purge(_DEAD, actor, keep, limit, at)

    def _purge(
        self, kind: _Purge, actor: Actor, keep: timedelta | None, limit: int, at: datetime | None
    ) -> int:
        """The one purge: ``kind`` names the command, the pack's retention setting and what goes."""
        permit(actor, Workflow.DOCUMENTS, kind.command)
        check_purge_limit(limit)
        days: int = getattr(notification_params(self.context.policies), kind.setting)
        period = _retention(keep, days, kind)
        return self.runner.write(
            actor,
            kind.command,
            None,
            [period.total_seconds(), limit, at],
            lambda uow, now: kind.delete(uow.outbox, judged_at(at, now) - period, limit),
        )


@attrs.frozen
class _Purge:
    """What one outbox purge deletes: its command (the permission table's name), the pack's retention
    setting (``[notification] <setting>``, a field of ``NotificationParams``), the words for what goes, and
    the outbox's deletion of what is older than a cut-off."""

    command: str
    setting: str
    what: str
    delete: Callable[[Outbox, datetime, int], int]


_SENT = _Purge(
    "purge_sent_messages",
    "keep_sent_days",
    "sent messages",
    lambda outbox, before, limit: outbox.purge_sent(before, limit),
)
_DEAD = _Purge(
    "purge_dead_letters",
    "keep_dead_days",
    "dead letters",
    lambda outbox, before, limit: outbox.purge_dead(before, limit),
)


def _retention(keep: object, days: int, kind: _Purge) -> timedelta:
    """The pack's retention ``[notification] <kind.setting>`` of ``days``; ``keep`` may only restate it."""
    period = timedelta(days=days)
    if keep is None:
        return period
    if not isinstance(keep, timedelta) or keep <= timedelta(0):
        raise ConfigurationError(
            f"keep must be a positive timedelta, got {keep!r}", key="keep", rule="positive_duration"
        )
    if keep != period:
        raise ConfigurationError(
            f"keep={keep} conflicts with the pack's retention of {kind.what} ({period.days} days): set "
            f"[notification] {kind.setting} instead",
            key=f"notification.{kind.setting}",
        )
    return period


def check_purge_limit(limit: object) -> None:
    """A retention purge's ``limit``: a whole number from 1 to :data:`MOST_PURGED`, else a
    ``ValidationError`` naming ``limit``."""
    check_bounded(limit, "limit", MOST_PURGED)  # the bounds of PurgeLimit
