"""Who an escalation's notice actually reaches, going up a level when the roles named reach nobody.

Seed 004 第八条 2(4)–(5): a crisis is reported to the service centre at once (立即通知客户服务中心) and the
centre reports to the general manager (向总经理报告). An escalation is for someone to take up. The pack's
escalation table names roles; the host's staff directory (``ServiceDesk.open(staff=...)``) names the
people of each role. When no one of the roles named has a contact that can be written to, the notice
went nowhere and nothing said so. Now the notice goes up the supervisors' ladder
(:data:`~aftersales.policies.escalation.LADDER`) to the first level above that reaches someone, who is
added to the escalation's addressees (so may take it up); and the roles reached are returned, so the
escalation records them and one that reached nobody at all is visible to the office as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.policies.escalation import LADDER
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.notify import Notifications

__all__ = ["Reach", "above", "reach_up"]


@attrs.frozen
class Reach:
    """The notices written, the roles addressed (those named, then any level added above them), the
    roles reached (those with a contact written to), and the level added because the named reached
    nobody (empty when they reached someone, or when no level above did either)."""

    messages: tuple[OutboxMessage, ...]
    to: tuple[Role, ...]
    reached: tuple[Role, ...]
    added: tuple[Role, ...] = ()


def above(roles: Sequence[Role]) -> tuple[Role, ...]:
    """The ladder's levels above the highest of ``roles`` on it (all of it if none is on it)."""
    levels = [LADDER.index(r) for r in roles if r in LADDER]
    start = max(levels) + 1 if levels else 0
    return LADDER[start:]


def reach_up(
    notifications: Notifications,
    kind: str,
    roles: Sequence[Role],
    values: Mapping[str, object],
    key: str,
    now: datetime,
    uow: UnitOfWork | None = None,
) -> Reach:
    """Notify the staff of ``roles``; when none of them is reachable, the first level above that is.
    With ``uow``, the agents on duty stand for the agents (``Notifications.role_contacts``)."""
    messages: list[OutboxMessage] = []
    reached: list[Role] = []
    for role in roles:
        sent = notifications.staff_messages(kind, (role,), values, key, now, uow)
        if sent:
            messages += sent
            reached.append(role)
    to = tuple(roles)
    added: tuple[Role, ...] = ()
    if not reached:
        for role in above(roles):
            sent = notifications.staff_messages(kind, (role,), values, key, now, uow)
            if sent:
                messages += sent
                reached.append(role)
                added = (role,)
                to = (*to, role)
                break
    return Reach(tuple(messages), to, tuple(reached), added)
