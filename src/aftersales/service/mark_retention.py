"""Retention of the once-only marks: the SLA sweep's alerts and the jobs' marks, dropped once not needed.

An :class:`~aftersales.service.sla_watch.SlaAlert` is written per ticket, target and kind the sweep
announces, a :class:`~aftersales.service.job_marks.JobMark` per callback announced and per month's
feedback, and none was ever dropped: over years they grew with every ticket and callback. Each is needed
only while its step could be taken again:

* an alert while its ticket can still be swept or its dues derived again as they are: an open ticket
  (a reopen, a new calendar, a reclassification read it; dropped, its breach would be announced twice).
  A closed or cancelled ticket is not swept; a closed one reopened starts every clock again
  (:mod:`aftersales.domain.sla_clock`), announced under keys of the new clock's start whether or not
  the earlier alert is still stored (:func:`aftersales.service.sla_watch.SlaWatch`'s ``_first``);
* a callback's mark while the callback is pending; a month's mark only as the latest month sent; a
  progress reminder's mark while its ticket is neither closed nor cancelled (a reopened ticket's old
  silence is not announced twice);
* an overdue escalation's reminder mark while its escalation may be overdue again: not once it is taken
  up (an escalation taken up is never overdue), its complaint cancelled (final) or gone. A closed
  complaint's is kept: a reopen makes it live again, and its escalation, still not taken up, is reminded
  once only (seed 004 第八条 2(5); session 38: these marks were never dropped).

A pass reads the records of UTC days before ``at``'s, oldest first, ``limit`` a transaction, from a
page cursor kept in the store (a :class:`PurgeCursor`): those still needed are passed over, not read
again on every run, and the cursor starts over at the oldest once it reaches the newest, so a record
needed for years (a ticket open that long) is looked at again once a round. Each pass is a command
through the runner, like the other purges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.instants import require_aware
from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ConfigurationError, NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import utc_day
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.delivery import PurgeLimit, check_purge_limit
from aftersales.service.escalation_overdue import OVERDUE_JOB
from aftersales.service.index_backfill import fill_index
from aftersales.service.job_marks import MONTHLY, JobMark
from aftersales.service.judged_instant import judged_at
from aftersales.service.permissions import Workflow, permit
from aftersales.service.progress_updates import PROGRESS_DUE, progress_mark_ticket
from aftersales.service.runner import CommandRunner
from aftersales.service.sla_watch import SlaAlert

__all__ = ["MarkRetention", "PurgeCursor", "PurgePass", "can_walk"]

_SETTLED = frozenset({TicketState.CLOSED.value, TicketState.CANCELLED.value})


@attrs.define
class PurgeCursor:
    """Where a retention purge over marks stopped: past the record of ``value`` (its day) and ``after``."""

    DOCUMENT_KIND: ClassVar[str] = "purge_cursor"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    value: str | None = None
    after: str | None = None
    version: int = 0


@attrs.frozen
class PurgePass:
    """What one pass did: records dropped, and whether it stopped short of the newest (more to read)."""

    dropped: int
    more: bool


def can_walk(documents: object) -> bool:
    """Whether a document store can serve these purges: ``query_range`` with a page cursor (``after``)
    and ``remove`` (the bundled stores; a host's store may offer them, see writing-an-adapter.md)."""
    return callable(getattr(documents, "remove", None)) and callable(getattr(documents, "query_range", None))


def _alerts_done(uow: UnitOfWork, alerts: Sequence[Any]) -> list[str]:
    """The alerts whose ticket is closed, cancelled or gone: never swept with that clock again."""
    done: list[str] = []
    states: dict[str, str | None] = {}
    for alert in alerts:
        if alert.ticket_id not in states:
            try:
                states[alert.ticket_id] = uow.tickets.get(alert.ticket_id).state
            except NotFound:
                states[alert.ticket_id] = None
        state = states[alert.ticket_id]
        if state is None or state in _SETTLED:
            done.append(alert.id)
    return done


def _marks_done(uow: UnitOfWork, marks: Sequence[Any]) -> list[str]:
    """The marks no step can need again: a callback's no longer pending, a month's before the latest."""
    done: list[str] = []
    latest: str | None = None
    if any(m.job == MONTHLY for m in marks):
        latest = max((m.id for m in uow.documents.query(JobMark, job=MONTHLY)), default=None)
    for mark in marks:
        job, _, key = mark.id.partition(":")
        if job == "callback_due":
            try:
                pending = uow.documents.get(CallbackTask, key).state is CallbackTaskState.PENDING
            except NotFound:
                pending = False
            if not pending:
                done.append(mark.id)
        elif job == MONTHLY and latest is not None and mark.id < latest:
            done.append(mark.id)
        elif job == PROGRESS_DUE and _settled(uow, progress_mark_ticket(key)):
            done.append(mark.id)  # a closed, cancelled or erased ticket is reminded of no more
        elif job == OVERDUE_JOB and _escalation_settled(uow, key):
            done.append(mark.id)
    return done


def _escalation_settled(uow: UnitOfWork, key: str) -> bool:
    """Whether the escalation a reminder mark names (``<complaint>:<index>``) can never be overdue again:
    taken up, its complaint cancelled, or either gone."""
    complaint_id, _, index = key.rpartition(":")
    try:
        file = uow.documents.get(ComplaintFile, complaint_id)
        state = uow.tickets.get(complaint_id).state
    except NotFound:
        return True
    if state == ComplaintState.CANCELLED.value or not index.isdigit() or int(index) >= len(file.escalations):
        return True
    return file.escalations[int(index)].acknowledged_at is not None


def _settled(uow: UnitOfWork, ticket_id: str) -> bool:
    try:
        return uow.tickets.get(ticket_id).state in _SETTLED
    except NotFound:
        return True


_Decide = Callable[[UnitOfWork, Sequence[Any]], list[str]]
_KINDS: dict[str, tuple[type[Any], _Decide]] = {
    "purge_sla_alerts": (SlaAlert, _alerts_done),
    "purge_job_marks": (JobMark, _marks_done),
}


@validated_commands
class MarkRetention:
    """The purges of SLA alerts and job marks (``desk.jobs.marks``; the jobs run them daily)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def purge_sla_alerts(
        self, actor: Actor, *, at: datetime | None = None, limit: PurgeLimit = 500
    ) -> PurgePass:
        """One pass over up to ``limit`` (1 to 100,000) SLA alerts written before the UTC day of ``at``
        (the clock without it; not ahead of it: ``ValidationError`` naming ``at``), dropping those whose
        ticket is closed, cancelled or gone. A manager, the general manager or the system may run it."""
        return self._pass(actor, "purge_sla_alerts", at, limit)

    def purge_job_marks(
        self, actor: Actor, *, at: datetime | None = None, limit: PurgeLimit = 500
    ) -> PurgePass:
        """One pass over up to ``limit`` job marks written before the UTC day of ``at``, dropping those
        no job needs any more (see the module docstring); same bounds and roles as the alerts' purge."""
        return self._pass(actor, "purge_job_marks", at, limit)

    def index_marks(self, actor: Actor, *, limit: PurgeLimit = 500, recheck: bool = False) -> int:
        """Index by day up to ``limit`` alerts and marks an older release stored unindexed, then the
        alerts by instant (the upgrade's catch-up: the purges find them only then, the alert list reads
        pages by instant only once none is left); returns how many were indexed, 0 once none is left
        (always on a store that indexes as it writes). One transaction; same roles as the purges. A kind
        found complete is not scanned again until a day before
        :data:`~aftersales.service.index_backfill.RECHECK` has passed;
        ``recheck`` scans it now (an older release wrote to the store since)."""
        permit(actor, Workflow.DOCUMENTS, "purge_sla_alerts")
        check_purge_limit(limit)
        if not isinstance(recheck, bool):
            raise ValidationError("recheck is True or False", field="recheck")

        def apply(uow: UnitOfWork, now: datetime) -> int:
            done = fill_index(uow, (SlaAlert, JobMark), "day", limit, now=now, recheck=recheck)
            if done < limit:  # the alerts' instants too: the alert list reads pages by them
                done += fill_index(uow, (SlaAlert,), "moment", limit - done, now=now, recheck=recheck)
            return done

        return self.runner.write(actor, "index_marks", None, [limit, recheck], apply)

    def _pass(self, actor: Actor, command: str, at: datetime | None, limit: int) -> PurgePass:
        permit(actor, Workflow.DOCUMENTS, command)
        check_purge_limit(limit)
        if at is not None:
            require_aware(at, "at")
        cls, decide = _KINDS[command]

        def apply(uow: UnitOfWork, now: datetime) -> PurgePass:
            documents: Any = uow.documents  # the walk's methods are a store's options, checked here
            if not can_walk(documents):
                raise ConfigurationError(
                    f"this store cannot drop old documents ({command} needs documents.query_range with "
                    "after= and documents.remove)",
                    key="store",
                )
            upto = utc_day(judged_at(at, now) - timedelta(days=1))
            try:
                cursor: PurgeCursor | None = documents.get(PurgeCursor, command)
            except NotFound:
                cursor = None
            after = None if cursor is None or cursor.value is None else (cursor.value, cursor.after or "")
            page: Sequence[Any] = documents.query_range(cls, "day", upto, limit=limit, after=after)
            dropped = documents.remove(cls, decide(uow, page)) if page else 0
            more = len(page) == limit
            # Past the last record read; back to the oldest once the newest was reached.
            value, last = (page[-1].day, page[-1].id) if more else (None, None)
            if cursor is None:
                if value is not None:
                    documents.add(PurgeCursor(command, value, last))
            elif (cursor.value, cursor.after) != (value, last):
                cursor.value, cursor.after = value, last
                documents.save(cursor)
            return PurgePass(int(dropped), more)

        return self.runner.write(actor, command, None, [at, limit], apply)
