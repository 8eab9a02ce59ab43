"""The instant a retention purge judges ages at: the one it is given, never ahead of the clock.

A purge deletes what is older than the pack's retention (``[notification] keep_sent_days`` and
``keep_dead_days``, ``[privacy] keep_idempotency_days``). The jobs pass the ``now`` a host runs them at
(:meth:`aftersales.service.jobs.Jobs.run_due`), so a catch-up or a replay judges each record's age at
that instant. An instant ahead of the clock would delete records younger than the pack keeps them — the
retention a caller may not shorten (``keep``/``older_than`` may only restate it) — so it is refused.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.errors import ValidationError

__all__ = ["judged_at"]


def judged_at(at: datetime | None, now: datetime) -> datetime:
    """``at``, or the write's clock ``now`` without it; an ``at`` later than ``now`` is a
    ``ValidationError`` naming ``at`` (nothing is deleted)."""
    if at is None:
        return now
    if at > now:
        raise ValidationError(
            f"a purge judges ages at an instant not ahead of the clock ({now.isoformat()}), got "
            f"{at.isoformat()}: the pack's retention decides how long records live",
            field="at",
        )
    return at
