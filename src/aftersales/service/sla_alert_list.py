"""The SLA alerts announced, listed: which warnings and breaches the sweep told of, and which were withdrawn.

Why: the sweep announces each warning and breach once (an :class:`~aftersales.service.sla_watch.SlaAlert`
per ticket, target and kind) and a contact entered after the fact may withdraw a response breach
(:mod:`aftersales.service.breach_withdrawal`), but nothing read them back: a service manager judging the
month (seeds 003/004 考核) saw only the notices in their inbox. The list is scoped by the one permission
table (``sla_alerts``): the office and the auditor read every alert, an engineer those of the tickets he
works on or his team's (the ticket read's team rule), dealer staff those of their dealer's tickets — as
each reads the ledger.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Annotated

from aftersales.domain.instants import micros, require_aware
from aftersales.domain.sla_targets import TARGET_NAMES
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.queries import PAGE_BOUNDS, Page
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import utc_day
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit, roles_for, sees_all
from aftersales.service.scope import ticket_readable_as
from aftersales.service.sla_alert_days import alert_days
from aftersales.service.sla_alert_moments import moments_complete, newest_alerts
from aftersales.service.sla_watch import SlaAlert

__all__ = ["ALERT_KINDS", "list_sla_alerts"]

ALERT_KINDS = ("sla_warning", "sla_breach")
"""What an alert announced: a warning before the due time, or the breach."""

_DAYS_QUERIED = 62
"""Up to this many UTC days between ``since`` and ``until`` are read day by day through the alerts' day
index; a wider (or open) range reads them all."""


def _cursor(alert: SlaAlert) -> str:
    raw = json.dumps([micros(alert.at), alert.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[int, str]:
    """The (announced µs, id) a cursor of this list says the last page ended at."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as bad:
        raise ValidationError("cursor is not one this list gave", field="cursor") from bad
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not isinstance(raw[0], int)
        or isinstance(raw[0], bool)
        or not isinstance(raw[1], str)
    ):
        raise ValidationError("cursor is not one this list gave", field="cursor")
    return raw[0], raw[1]


def _choice(value: str | None, allowed: Sequence[str], field: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValidationError(f"{field} is one of {', '.join(allowed)}", field=field)
    return value


def _read(
    uow: UnitOfWork, ticket_id: str | None, since: datetime | None, until: datetime | None
) -> Iterable[SlaAlert]:
    """The alerts possibly matching, through the index that narrows them most."""
    if ticket_id is not None:
        return uow.documents.query(SlaAlert, ticket_id=ticket_id)
    if since is not None and until is not None and until - since <= timedelta(days=_DAYS_QUERIED):
        days = {utc_day(since + timedelta(days=n)) for n in range((until - since).days + 1)}
        days.add(utc_day(until))
        return [alert for day in sorted(days) for alert in uow.documents.query(SlaAlert, day=day)]
    return uow.documents.query(SlaAlert)


def _alerts(
    uow: UnitOfWork,
    ticket_id: str | None,
    since: datetime | None,
    until: datetime | None,
    after: tuple[int, str] | None,
    context: DeskContext,
    found: list[SlaAlert],
    limit: int,
) -> Iterator[SlaAlert]:
    """The alerts possibly matching: one ticket's by its index; else, on a store that reads index ranges,
    batches of whole instants newest first from the instants' index once it is complete
    (:mod:`~aftersales.service.sla_alert_moments`), whole days newest first until then
    (:mod:`~aftersales.service.sla_alert_days`), stopping once the batches read have filled the page
    (``found`` holds more than ``limit``: older ones cannot enter it); else as :func:`_read`."""
    if ticket_id is not None or getattr(uow.documents, "query_range", None) is None:
        yield from _read(uow, ticket_id, since, until)
        return
    windows = (
        newest_alerts(uow.documents, since, until, after, limit)
        if moments_complete(uow, context.now())
        else alert_days(uow.documents, since, until, after, context.now)
    )
    for window in windows:
        yield from window
        if len(found) > limit:
            return


def list_sla_alerts(
    context: DeskContext,
    actor: Actor,
    *,
    ticket_id: str | None = None,
    target: str | None = None,
    kind: str | None = None,
    withdrawn: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, PAGE_BOUNDS] = 50,
    cursor: str | None = None,
) -> Page[SlaAlert]:
    """One page of the alerts ``actor`` may read, newest announcement first (then by id).

    ``ticket_id`` one ticket's; ``target`` one of the SLA targets (``response``, ``resolution`` …);
    ``kind`` ``sla_warning`` or ``sla_breach``; ``withdrawn`` True keeps the withdrawn breaches, False
    those still standing; ``since`` (inclusive) and ``until`` (exclusive) bound when they were announced.
    ``cursor`` is the page's ``next_cursor`` before. A bad value is a ``ValidationError`` naming it; a role
    the permission table does not let list alerts (a customer) is ``PermissionDenied``.
    """
    permit(actor, Workflow.DOCUMENTS, "sla_alerts")
    if ticket_id is not None and (not isinstance(ticket_id, str) or not ticket_id.strip()):
        raise ValidationError("ticket_id is a ticket's id", field="ticket_id")
    _choice(target, TARGET_NAMES, "target")
    _choice(kind, ALERT_KINDS, "kind")
    if withdrawn is not None and not isinstance(withdrawn, bool):
        raise ValidationError("withdrawn is yes, no or not given", field="withdrawn")
    start = require_aware(since, "since") if since is not None else None
    end = require_aware(until, "until") if until is not None else None
    if start is not None and end is not None and end <= start:
        raise ValidationError("until comes after since", field="until")
    PAGE_BOUNDS.check(limit, "limit")
    if cursor is not None and not isinstance(cursor, str):
        raise ValidationError("cursor is not one this list gave", field="cursor")
    after = _after(cursor) if cursor is not None else None
    roles = roles_for(Workflow.DOCUMENTS, "sla_alerts")
    every = sees_all(actor)
    found: list[SlaAlert] = []
    # One snapshot: the alerts are read day by day and their tickets one by one; read as statements of
    # their own, an alert announced again between two days' reads (a reopened ticket's new clock moves its
    # day) was listed on its old day and its new one.
    with context.reader() as uow:
        readable: dict[str, bool] = {}
        for alert in _alerts(uow, ticket_id, start, end, after, context, found, limit):
            if (
                (target is not None and alert.target != target)
                or (kind is not None and alert.kind != kind)
                or (withdrawn is not None and (alert.withdrawn_at is not None) is not withdrawn)
                or (start is not None and alert.at < start)
                or (end is not None and alert.at >= end)
            ):
                continue
            key = (micros(alert.at), alert.id)
            if after is not None and (key[0] > after[0] or (key[0] == after[0] and key[1] >= after[1])):
                continue
            if not every:
                seen = readable.get(alert.ticket_id)
                if seen is None:
                    try:
                        seen = ticket_readable_as(uow, actor, uow.tickets.get(alert.ticket_id), roles)
                    except NotFound:  # its ticket purged: nobody but the office reads its alerts
                        seen = False
                    readable[alert.ticket_id] = seen
                if not seen:
                    continue
            found.append(alert)
    found.sort(key=lambda a: (micros(a.at), a.id), reverse=True)
    page = found[:limit]
    return Page(tuple(page), _cursor(page[-1]) if len(found) > limit else None)
