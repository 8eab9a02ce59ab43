"""The periodic work a host must run, in one call: ``desk.run_due_jobs()``.

A desk does nothing by itself between commands. These jobs keep it honest over time:

========================  ===========================================================  ===========
job                       what it does                                                  every
========================  ===========================================================  ===========
``sla_sweep``             warnings before a breach and breaches, announced once each     5 minutes
                          (first the due times, on a desk opened on another calendar);
                          escalations not taken up by their due, reminded once each
``callbacks_due``         tells the callback agents of each callback to make (once)      15 minutes
``return_reminders``      urges parts still out back before their deadline (once/line)   1 hour
``chargebacks``           charges parts not returned by their deadline (once per line)   1 hour
``recompute_due``         derives due times left open when holiday data was missing      1 hour
``monthly_feedback``      the service centre's feedback of the month before to the       1 hour
                          general manager and the related departments, on the first
                          working day of a month (once per month, a month missed sent
                          late, oldest first; seed 004 第五条 1(6))
``progress_updates``      tells the specialists of each open ticket whose customer has  1 hour
                          heard nothing for the pack's ``[progress] update_every``
                          working hours (once per period; seed 001 三(五)1)
``maintenance_visits``    opens, triages and dispatches the maintenance visits whose     1 hour
                          generation day has come (``desk.maintenance.generate_due``;
                          once per plan and due day)
``maintenance_overdue``   tells each dealer or engineer of their visits past the due     1 hour
                          day (``desk.maintenance.remind_overdue``; once a day)
``contract_reminders``    announces service contracts nearing their end                   1 hour
                          (``desk.contracts.remind_expiring``; once per contract)
``deliver``               sends due outbox messages (retries, dead letters)              every call
``purge_sent``            deletes sent messages older than the pack's retention          1 day
``purge_dead``            deletes dead letters older than the pack's retention          1 day
``purge_idempotency``     drops idempotency rows older than ``[privacy]`` retention     1 day
``purge_access_log``      drops access-log records older than ``[privacy]``             1 day
                          ``keep_access_log_days`` (3 years by default), oldest first
``purge_sla_alerts``      drops the SLA sweep's alerts of closed and cancelled tickets   1 day
``purge_job_marks``       drops job marks no job needs (callbacks no longer pending,     1 day
                          months before the latest feedback sent)
``money_index``           indexes the money rows of slips stored before that index      1 day
``batch_tallies``         counts an older store's recorded faults into the batch-        1 hour
                          incident detector's tallies (once; seed 004 第七条 5(2))
``late_afters``           gives tickets stored (or closed) before the late-after         1 hour
                          instants theirs, so reports and the ledger judge them as
                          ``desk.sla()`` does (once)
``plan_handovers``        files the handovers of plans moved with their unit before      1 hour
                          handovers were kept, for the sellers' exports and erasures
                          (once)
``store_upkeep``          the store's catch-up after an upgrade; planner statistics       1 hour
========================  ===========================================================  ===========

Every job is judged at the ``now`` :meth:`Jobs.run_due` is given (the desk's clock by default): what is
due, what has breached, how old a message or an idempotency row is. What the jobs write is stamped when
it is written; ``deliver`` sends by the clock (message leases are judged by every deliverer's clock) and
``recompute_due`` runs the ticket command path, stamped by the clock.

Each job is bounded (a limit per run or per transaction; what is left waits for the next run; the
purges take page after page until none is left or half the lease has passed), idempotent (running
it twice does the work once) and leased in the store: a job runs in one process at a time
(a :class:`JobLease` document, taken with optimistic concurrency), so cron on two machines, a
scheduler in every worker of a pre-forking server, or a FastAPI lifespan loop in each replica can
all call :meth:`Jobs.run_due` safely. A job that fails is reported and retried on the next call;
the others still run. That holds for a host clock that raises too (the leases are stamped by it): each
job it reaches fails in ``JobsReport.failed``; raising on the run's first read, before any job, it is a
``PluginError`` naming ``clock``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.bounds import check_bounded
from aftersales.domain.classification import TicketKind
from aftersales.domain.failure_text import failure_text
from aftersales.domain.instants import require_aware
from aftersales.domain.surveys import CallbackTask, CallbackTaskState
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import LONGEST_DURATION
from aftersales.errors import (
    AftersalesError,
    CalendarDataMissing,
    ConcurrencyConflict,
    ConfigurationError,
    DuplicateError,
    NotFound,
    PluginError,
    StorageError,
    StoreBusy,
    ValidationError,
)
from aftersales.ports.erasure import Sweepable
from aftersales.ports.outbox_dispatch import MAX_SENDERS, DispatchReport, default_owner
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.store_upkeep import StoreUpkeep
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated, validated_commands
from aftersales.service.calendar_stamp import (
    callback_of,
    check_calendar_current,
    dues_stale,
    sla_of,
    stamp_first,
    stamp_seen,
    stamp_unsigned,
)
from aftersales.service.call_month import calls_key
from aftersales.service.callback_due_notice import callback_due_messages
from aftersales.service.complaint_month import registered_files
from aftersales.service.customer_name import customer_name
from aftersales.service.delivery import MOST_PURGED, notification_params
from aftersales.service.escalation_overdue import (
    CATCH_UP_BATCH,
    OVERDUE_JOB,
    announce_overdue_escalations,
    catch_up,
)
from aftersales.service.failure_log import failure_trace
from aftersales.service.fee_desk import MOST_BATCH
from aftersales.service.fork_locks import renew_after_fork
from aftersales.service.job_marks import JobMark, month_sent, months_unsent
from aftersales.service.judged_instant import judged_at
from aftersales.service.mark_retention import MarkRetention, PurgePass, can_walk
from aftersales.service.month_gate import hold_month_gate
from aftersales.service.permissions import Workflow, permit
from aftersales.service.progress_updates import ProgressUpdates
from aftersales.service.purge_pages import drain, drain_walk
from aftersales.service.record_words import notice_for
from aftersales.service.sla_cliff import recompute_dues
from aftersales.service.unit_month import units_sold_in

if TYPE_CHECKING:
    from aftersales.service.batch_tally_backfill import BatchTallies
    from aftersales.service.context import DeskContext
    from aftersales.service.contracts import ServiceContracts
    from aftersales.service.delivery import OutboxDesk
    from aftersales.service.fee_desk import FeeDesk
    from aftersales.service.late_after_backfill import LateAfters
    from aftersales.service.maintenance import MaintenanceDesk
    from aftersales.service.materials_desk import MaterialsDesk
    from aftersales.service.monthly_feedback import MonthlyFeedbackDesk
    from aftersales.service.privacy import PrivacyDesk
    from aftersales.service.runner import CommandRunner
    from aftersales.service.sla_watch import SlaWatch


class _Deliver(Protocol):
    def __call__(self, limit: int = 100, *, senders: int = 1) -> DispatchReport: ...


__all__ = ["JOB_NAMES", "JobLease", "JobMark", "JobSettings", "Jobs", "JobsReport"]

_log = logging.getLogger("aftersales.jobs")

JOB_NAMES = (
    "sla_sweep",
    "callbacks_due",
    "return_reminders",
    "chargebacks",
    "recompute_due",
    "monthly_feedback",
    "progress_updates",
    "maintenance_visits",
    "maintenance_overdue",
    "contract_reminders",
    "deliver",
    "purge_sent",
    "purge_dead",
    "purge_idempotency",
    "purge_access_log",
    "purge_sla_alerts",
    "purge_job_marks",
    "money_index",
    "batch_tallies",
    "late_afters",
    "plan_handovers",
    "store_upkeep",
)
"""The jobs, in the order one run does them (delivery after the jobs that write messages)."""

_OPEN = tuple(s.value for s in TicketState if s not in (TicketState.CLOSED, TicketState.CANCELLED))


@attrs.define
class JobLease:
    """Which process runs a job until when, and when the job last finished (one document per job)."""

    DOCUMENT_KIND: ClassVar[str] = "job_lease"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    holder: str | None = None
    until: datetime | None = None
    last_finished_at: datetime | None = None
    last_error: str | None = None
    version: int = 0


def _interval(value: object) -> timedelta:
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= LONGEST_DURATION:
        raise ValidationError(
            f"a job interval is a timedelta from 0 to 100 years, got {value!r}", field="every"
        )
    return value


def _unknown_jobs(names: Iterable[object], field: str) -> None:
    """Refuse job names that are not :data:`JOB_NAMES`, naming them (as text: a number or a list among
    them failed as a bare ``TypeError`` while the message was written)."""
    unknown = sorted({n if isinstance(n, str) else repr(n) for n in names if n not in JOB_NAMES})
    if unknown:
        raise ValidationError(f"unknown job(s) {', '.join(unknown)}", field=field)


def _names(value: object) -> frozenset[str]:
    # A bare name would be read as its letters ("unknown job(s) d, e, i …"), a number as a bare TypeError.
    if isinstance(value, str) or not isinstance(value, frozenset | set | tuple | list):
        raise ValidationError("disabled is a set of job names, such as {'deliver'}", field="disabled")
    _unknown_jobs(value, "disabled")  # before hashing: a list among the names is no name either
    return frozenset(value)


def _intervals(value: Mapping[str, timedelta]) -> Mapping[str, timedelta]:
    if not isinstance(value, Mapping):  # pairs or a name failed with a bare TypeError, or per letter
        raise ValidationError("every maps job names to intervals (timedelta)", field="every")
    _unknown_jobs(value, "every")
    # Only the caller's: merged with the defaults, an interval given for a disabled job could not be told
    # from a default (JobSettings.interval reads through to them).
    return {name: _interval(every) for name, every in value.items()}


_SHORTEST_LEASE = timedelta(minutes=1)
"""The shortest job lease :class:`JobSettings` takes (a microsecond's ran out before any job ended)."""

_MOST = {"limit": 1_000_000, "senders": MAX_SENDERS}
"""What one run may do at most: more was taken here and then refused by every run (senders=1000 failed
the deliver job each time, "senders must be an integer from 1 to 256")."""


def _positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_bounded(value, attribute.name, _MOST[attribute.name])


_EVERY: Mapping[str, timedelta] = {
    "sla_sweep": timedelta(minutes=5),
    "callbacks_due": timedelta(minutes=15),
    "return_reminders": timedelta(hours=1),
    "chargebacks": timedelta(hours=1),
    "recompute_due": timedelta(hours=1),
    "monthly_feedback": timedelta(hours=1),
    "progress_updates": timedelta(hours=1),
    "maintenance_visits": timedelta(hours=1),
    "maintenance_overdue": timedelta(hours=1),
    "contract_reminders": timedelta(hours=1),
    "deliver": timedelta(0),
    "purge_sent": timedelta(days=1),
    "purge_dead": timedelta(days=1),
    "purge_idempotency": timedelta(days=1),
    "purge_access_log": timedelta(days=1),
    "purge_sla_alerts": timedelta(days=1),
    "purge_job_marks": timedelta(days=1),
    "money_index": timedelta(days=1),
    "batch_tallies": timedelta(hours=1),
    "late_afters": timedelta(hours=1),
    "plan_handovers": timedelta(hours=1),
    "store_upkeep": timedelta(hours=1),
}


@refused_typed
@attrs.frozen
class JobSettings:
    """How often each job runs, how much one run may do, how long a lease lasts.

    ``every`` names only the jobs it changes (``timedelta(0)``: at every call; :meth:`interval` is a
    job's interval, the default where ``every`` does not name it); ``disabled`` jobs never run here (a
    host that runs delivery elsewhere disables ``deliver``). A job both given an interval and disabled is
    refused: one of the two would be ignored.
    """

    every: Mapping[str, timedelta] = attrs.field(factory=dict, converter=_intervals)
    disabled: frozenset[str] = attrs.field(factory=frozenset, converter=_names)
    limit: int = attrs.field(default=500, validator=_positive)
    """Per run: callbacks announced, loan lines reminded of or charged, tickets recomputed, messages
    delivered; per transaction: tickets read by the SLA sweep (it reads every page, so each breach is
    announced on time), messages, idempotency rows and access-log records purged, SLA alerts and job
    marks read by their purges (the oldest first; a purge takes page after page until none is left or
    half the lease has passed, so a daily run keeps up with any day's volume), slips by the money index
    (batch after batch until none is left or half the lease has passed), tickets by the batch tallies'
    back-fill (four batches a run each) and by the late-after back-fill (page after page until the pass
    ends or half the lease has passed).
    The store's upkeep runs four short batches whatever the limit."""
    lease: timedelta = timedelta(minutes=10)
    """How long one process holds a job; a process that dies frees it when this runs out. At least a
    minute: the lease is not renewed while the job runs, so one that runs out mid-run lets a second
    process run the same job at once, and the purges and back-fills stop at half of it."""
    senders: int = attrs.field(default=4, validator=_positive)
    """Messages delivered at once (threads) by the ``deliver`` job."""

    def __attrs_post_init__(self) -> None:
        # The bound every command's duration has (``configure`` refused a longer lease the constructor
        # took): one rule, so a JobSettings built is one the desk takes.
        if not isinstance(self.lease, timedelta) or not _SHORTEST_LEASE <= self.lease <= LONGEST_DURATION:
            raise ValidationError(
                f"the job lease is a timedelta from 1 minute to 100 years, got {self.lease!r}", field="lease"
            )
        both = sorted(set(self.every) & self.disabled)
        if both:
            raise ValidationError(
                f"job(s) {', '.join(both)} given an interval in every are disabled: say one or the other",
                field="every",
            )

    def interval(self, name: str) -> timedelta:
        """How often job ``name`` runs: ``every``'s interval for it, else the default."""
        return self.every.get(name, _EVERY[name])


@attrs.frozen
class JobsReport:
    """What one :meth:`Jobs.run_due` did: jobs run, jobs not due or held elsewhere, failures, counts."""

    ran: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    failed: Mapping[str, str] = attrs.field(factory=dict)
    counts: Mapping[str, int] = attrs.field(factory=dict)
    """Per job run: warnings+breaches announced, callbacks announced, chargebacks made, tickets
    recomputed, monthly feedbacks sent (1 or 0), maintenance visits generated, plan visits found
    overdue, contracts reminded of, messages sent, messages, idempotency rows,
    access-log records, SLA alerts and job marks purged, slips indexed, units counted into the batch
    tallies, tickets given their late-after instants, upkeep batches (+1 when statistics were
    refreshed)."""
    delivery: DispatchReport | None = None
    unsupported: Mapping[str, str] = attrs.field(factory=dict)
    """Jobs this desk's store cannot do, each with the method it lacks (a host's own store without
    ``idempotency.sweep`` or ``documents.purge_range``…): they did nothing and failed nothing (neither
    in ``ran`` nor in ``failed``), so such a store keeps its rows beyond the pack's retention; the
    hand-run purges refuse it (``ConfigurationError`` naming ``store``). See writing-an-adapter.md."""


def _failure(name: str, exc: Exception) -> str:
    """How a job's failure is reported (``JobsReport.failed``): a host's own exception is logged too, by
    its class and frames, not its message (it may quote a phone or an address: :mod:`.failure_log`)."""
    if not isinstance(exc, AftersalesError):
        _log.error("job %s failed: %s", name, failure_trace(exc))
    return failure_text(f"{type(exc).__name__}: {exc}")


class _Unsupported(Exception):
    """Raised by a job whose store lacks the method it needs (``method``): reported, not a failure."""

    def __init__(self, method: str) -> None:
        super().__init__(method)
        self.method = method


@validated_commands
class Jobs:
    """The jobs of one desk (``desk.jobs``); ``desk.run_due_jobs()`` runs the due ones.

    Built by the composition root with the capabilities the jobs drive (it never sees the desk).
    """

    def __init__(
        self,
        context: DeskContext,
        runner: CommandRunner,
        *,
        sla_watch: SlaWatch,
        materials: MaterialsDesk,
        outbox: OutboxDesk,
        deliver: _Deliver,
        settings: JobSettings | None = None,
        privacy: PrivacyDesk | None = None,
        fees: FeeDesk | None = None,
        feedback: MonthlyFeedbackDesk | None = None,
        tallies: BatchTallies | None = None,
        late_afters: LateAfters | None = None,
        maintenance: MaintenanceDesk | None = None,
        contracts: ServiceContracts | None = None,
    ) -> None:
        self.context = context
        self.runner = runner
        self.sla_watch = sla_watch
        self.materials = materials
        self.outbox = outbox
        self.deliver = deliver
        self.privacy = privacy
        self.fees = fees
        self.feedback = feedback
        self.tallies = tallies
        self.late_afters = late_afters
        self.maintenance = maintenance
        self.contracts = contracts
        self.settings = settings or JobSettings()
        self.marks = MarkRetention(context, runner)
        """The purges of SLA alerts and job marks, to run by hand (a manager) as the jobs do daily."""
        self._progress = ProgressUpdates(context, runner)
        self.owner = default_owner()
        self._unsupported_told: set[str] = set()
        self.actor = Actor.system("aftersales-jobs")
        # The store's lease keeps other processes out; these keep this process's threads apart
        # (a scheduler thread and a request calling run_due_jobs share the lease's owner).
        self._running = {name: threading.Lock() for name in JOB_NAMES}
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        """Free run locks in a forked child (a parent's scheduler thread may have held one at the fork:
        the child skipped that job on every call)."""
        self._running = {name: threading.Lock() for name in JOB_NAMES}

    @validated  # a JobSettings broken past its validators would fail every later run
    def configure(self, settings: JobSettings) -> None:
        """Replace the settings (intervals, limits, lease)."""
        if not isinstance(settings, JobSettings):
            raise ValidationError("settings must be a JobSettings", field="settings")
        self.settings = settings

    @validated  # a host's input: ``now`` within the years of YEAR_RANGE, ``only`` a collection of names
    def run_due(self, now: datetime | None = None, *, only: tuple[str, ...] | None = None) -> JobsReport:
        """Run every job that is due at ``now`` (the desk's clock by default) and not held elsewhere, each
        judged at ``now`` (see the module docstring for the two that act at the clock's time).

        A ``now`` ahead of the clock (beyond the clock skew) is refused (``ValidationError`` naming
        ``now``; nothing runs): the jobs would delete, charge, announce and report what has not happened
        (:mod:`aftersales.service.judged_instant`).

        ``only`` restricts the run to the named jobs (still leased and bounded; their interval is
        ignored: a host calling a job by name wants it now). A job the settings disable is refused
        there (``ValidationError`` naming ``only``): it never runs here, and asking for it by name ran
        nothing and said nothing.
        """
        if self.context.shut_down:  # each job would fail alone and be reported: the desk is closed
            raise StorageError(
                "this desk is shut down (desk.shutdown()): open a new desk on its store to go on"
            )
        clock = self._clock_now()
        now = clock if now is None else judged_at(require_aware(now, "now"), clock, "now")
        if only is not None:
            _unknown_jobs(only, "only")
            disabled = sorted(self.settings.disabled.intersection(only))
            if disabled:
                raise ValidationError(
                    f"job(s) {', '.join(disabled)} are disabled in this desk's job settings "
                    "(JobSettings.disabled): they never run here",
                    field="only",
                )
        ran: list[str] = []
        skipped: list[str] = []
        failed: dict[str, str] = {}
        counts: dict[str, int] = {}
        delivery: DispatchReport | None = None
        unsupported: dict[str, str] = {}
        for name in JOB_NAMES:
            if name in self.settings.disabled or (only is not None and name not in only):
                continue
            running = self._running[name]
            if not running.acquire(blocking=False):
                skipped.append(name)
                continue
            try:
                outcome = self._run_one(name, now, force=only is not None)
            finally:
                running.release()
            if outcome is None:
                skipped.append(name)
                continue
            result, error = outcome
            if error is not None:
                failed[name] = error
                continue
            if isinstance(result, _Unsupported):
                unsupported[name] = result.method
                continue
            ran.append(name)
            if isinstance(result, DispatchReport):
                delivery = result
                counts[name] = len(result.sent)
            elif result is not None:
                counts[name] = result
        return JobsReport(tuple(ran), tuple(skipped), failed, counts, delivery, unsupported)

    def _clock_now(self) -> datetime:
        """The desk's clock, read once before any job: a host clock that raises is a ``PluginError``
        naming ``clock`` (nothing ran), not the host's exception out of the whole run."""
        try:
            return self.context.now()
        except AftersalesError:
            raise
        except Exception as exc:
            raise PluginError("clock", "now", f"raised {type(exc).__name__}: {exc}"[:2000]) from exc

    def _run_one(
        self, name: str, now: datetime, *, force: bool
    ) -> tuple[int | DispatchReport | _Unsupported | None, str | None] | None:
        """Run one job under its lease: ``None`` if not due or held elsewhere, else (result, error); the
        result is an ``_Unsupported`` when the store lacks what the job needs. Taking or giving back the
        lease stamps it by the clock: a clock (or store) raising there fails this job only, reported
        like a failure of the job itself, and the next jobs still run (a lease not given back runs out)."""
        try:
            if not self._acquire(name, now, force=force):
                return None
        except Exception as exc:
            return None, _failure(name, exc)
        error: str | None = None
        result: int | DispatchReport | None = None
        try:
            result = self._job(name)(now)
        except _Unsupported as lacking:
            self._release(name, now, None)  # done for the day: the store will not have it next call
            if name not in self._unsupported_told:  # once a desk: the report says it every run
                self._unsupported_told.add(name)
                _log.warning("job %s does nothing: the store has no %s", name, lacking.method)
            return lacking, None
        except Exception as exc:  # a host's notifier or store may raise anything: report, go on
            error = _failure(name, exc)
        try:
            self._release(name, now, error)
        except Exception as exc:
            error = error or _failure(name, exc)
        return result, error

    # -- leases ---------------------------------------------------------------------------------

    def _acquire(self, name: str, now: datetime, *, force: bool) -> bool:
        """Take the job's lease if it is due at ``now`` and no other process holds it. Whether it is due
        is judged at ``now``; the lease itself at the clock (``at``): it keeps processes apart in real
        time. Taken at a ``now`` a day behind the clock (a host catching up), it had run out a day before
        it was taken, and another process ran the same job meanwhile."""
        every = self.settings.interval(name)

        def take(uow: UnitOfWork, at: datetime) -> bool:
            try:
                lease: JobLease | None = uow.documents.get(JobLease, name)
            except NotFound:
                lease = None
            if lease is not None:
                if lease.until is not None and lease.until > at and lease.holder != self.owner:
                    return False  # another process runs it
                finished = lease.last_finished_at
                if not force and finished is not None and every > timedelta(0) and now < finished + every:
                    return False  # not due yet
                lease.holder, lease.until = self.owner, at + self.settings.lease
                uow.documents.save(lease)
            else:
                uow.documents.add(JobLease(name, self.owner, at + self.settings.lease))
            return True

        try:  # through the command runner, as every write (a lost race re-runs and finds it taken)
            return self.runner.write(self.actor, "take_job_lease", None, [name], take)
        except (ConcurrencyConflict, DuplicateError, StoreBusy):
            return False  # another process took it at the same moment (or holds the store): next call

    def _release(self, name: str, now: datetime, error: str | None) -> None:
        def release(uow: UnitOfWork, at: datetime) -> None:
            lease = uow.documents.get(JobLease, name)
            if lease.holder != self.owner:
                return
            lease.holder, lease.until = None, None
            if error is None:
                lease.last_finished_at = now
            lease.last_error = error
            uow.documents.save(lease)

        try:
            self.runner.write(self.actor, "release_job_lease", None, [name], release)
        except (ConcurrencyConflict, NotFound, StoreBusy):
            return  # our lease ran out and another process took it: its release counts

    def leases(self) -> list[JobLease]:
        """Every job's lease document (who holds it, when it last finished, its last error)."""
        with self.context.store() as uow:
            found = {name: self._lease(uow, name) for name in JOB_NAMES}
        return [lease for lease in found.values() if lease is not None]

    @staticmethod
    def _lease(uow: Any, name: str) -> JobLease | None:
        try:
            lease: JobLease = uow.documents.get(JobLease, name)
        except NotFound:
            return None
        return lease

    # -- the jobs -------------------------------------------------------------------------------

    def _job(self, name: str) -> Callable[[datetime], int | DispatchReport]:
        jobs: dict[str, Callable[[datetime], int | DispatchReport]] = {
            "sla_sweep": self._sla_sweep,
            "callbacks_due": self._callbacks_due,
            "return_reminders": self._return_reminders,
            "chargebacks": self._chargebacks,
            "recompute_due": self._recompute_due,
            "monthly_feedback": self._monthly_feedback,
            "progress_updates": lambda now: self._progress.announce(self.actor, now, self.settings.limit),
            "maintenance_visits": self._maintenance_visits,
            "maintenance_overdue": self._maintenance_overdue,
            "contract_reminders": self._contract_reminders,
            "deliver": self._deliver,
            "purge_sent": self._purge_sent,
            "purge_dead": self._purge_dead,
            "purge_idempotency": self._purge_idempotency,
            "purge_access_log": self._purge_access_log,
            "purge_sla_alerts": self._purge_sla_alerts,
            "purge_job_marks": self._purge_job_marks,
            "money_index": self._money_index,
            "batch_tallies": self._batch_tallies,
            "late_afters": self._late_afters,
            "plan_handovers": self._plan_handovers,
            "store_upkeep": self._store_upkeep,
        }
        return jobs[name]

    @property
    def _page(self) -> int:
        """Tickets read per transaction: the run's ``limit``, at most a store page (``MAX_PAGE``). A larger
        limit made the sweep, the catch-up and ``recompute_due`` fail at every run ("limit … 1 to 1000")."""
        return min(self.settings.limit, MAX_PAGE)

    def _sla_sweep(self, now: datetime) -> int:
        # Escalations run on clock hours, not the calendar: their reminders go out with or without one.
        reminded = self._overdue_escalations(now)
        if self.context.calendar is None:
            return reminded  # no working calendar, no SLA clocks to watch
        # The sweep reads the stored due times: recomputed first if they are another calendar's.
        moved = self._recompute_on_calendar_change()
        report = self.sla_watch.sweep(self.actor, limit=self._page, at=now)
        return reminded + moved + len(report.warnings) + len(report.breaches)

    def _overdue_escalations(self, now: datetime) -> int:
        """Remind, once, whom each escalation overdue at ``now`` was addressed to and their superior
        (seed 004 第八条 2(5); :mod:`aftersales.service.escalation_overdue`): the files keyed overdue, a
        page per transaction, after indexing the key of files stored before it (a batch per transaction)."""
        notifications = self.context.notifications
        # A reminder writes its notices, a job mark and the file: 500 a page held the write lock 100 ms.
        page = min(self._page, CATCH_UP_BATCH)

        def fill(uow: UnitOfWork, at: datetime) -> int:
            return catch_up(uow, page)

        while self.runner.write(self.actor, "sla_sweep", None, [now.isoformat(), OVERDUE_JOB, "fill"], fill):
            pass
        reminded, after = 0, None
        while True:

            def remind(
                uow: UnitOfWork, at: datetime, after: tuple[str, str] | None = after
            ) -> tuple[int, tuple[str, str] | None]:
                return announce_overdue_escalations(uow, notifications, now, limit=page, after=after)

            request = [now.isoformat(), OVERDUE_JOB, list(after or ())]
            count, after = self.runner.write(self.actor, "sla_sweep", None, request, remind)
            reminded += count
            if after is None:
                return reminded

    def _callbacks_due(self, now: datetime) -> int:
        """Tell the callback agents (``[notification] callback_due_to``: the dealer who did the job too,
        seed 002) of each pending callback, once (a :class:`JobMark` each), on the first
        run after it was scheduled: the notice asks for the call *by* the deadline (seed 003: 24小时内回访;
        seed 004: 七天内), so it goes out while there is time to make it, soonest deadline first."""
        permit(self.actor, Workflow.DOCUMENTS, "announce_callbacks_due")
        notifications = self.context.notifications
        params = notification_params(self.context.policies)
        limit = self.settings.limit

        def announce(uow: UnitOfWork, at: datetime) -> int:
            announced = 0
            tasks = uow.documents.query(CallbackTask, state=CallbackTaskState.PENDING)
            due = sorted((t for t in tasks if t.scheduled_at <= now), key=lambda t: (t.due_at, t.id))
            # The limit bounds the callbacks announced, not those looked at: a callback stays pending until
            # the call is made, so the first ``limit`` due ones may all be announced and still waiting;
            # slicing them off first starved every callback behind them.
            for task in due:
                if announced >= limit:
                    break
                mark = JobMark(f"callback_due:{task.id}", at)
                try:
                    uow.documents.add(mark)
                except DuplicateError:
                    continue  # already announced
                values = {
                    "ticket_id": task.ticket_id,
                    "customer_name": customer_name(uow, task.customer_id),
                    "due_at": task.due_at,
                }
                about = _called_about(uow, task)
                kind = notice_for("callback_due", about)
                uow.outbox.put(
                    callback_due_messages(notifications, params, uow, task, about, kind, values, mark.id, at)
                )
                announced += 1
            return announced

        return self.runner.write(self.actor, "announce_callbacks_due", None, [now.isoformat()], announce)

    def _monthly_feedback(self, now: datetime) -> int:
        """Send the month before's feedback to the general manager and the pack's ``[notification]
        monthly_feedback_to`` (seed 004 第五条 1(6): 每月反馈给总经理及相关部门), once the month's first
        working day has begun on the desk's calendar (its first day without one): the number of months
        sent, 0 when it is not time yet or they went out before (a :class:`JobMark` per month, written
        with the messages in one transaction, so two runs or two processes send it once). A month the
        jobs did not run in is sent late, once, oldest first (:func:`~aftersales.service.job_marks.
        months_unsent`); before, only the month before today was, and a missed month never went out.

        A month is marked sent only when its notice reaches the general manager: with no contact the desk
        can write to for ``general_manager`` in the staff directory the run fails with a
        ``ConfigurationError`` naming ``staff.general_manager`` (in ``JobsReport.failed`` and the job's
        lease), nothing is written, and every later run tries again. Before, the month was marked sent
        with nothing delivered and never sent again."""
        if self.feedback is None:
            return 0
        permit(self.actor, Workflow.DOCUMENTS, "announce_monthly_feedback")
        today = self.context.today(now)
        if today < self._first_working_day(today.replace(day=1)):
            return 0
        last = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        with self.context.reader() as uow:
            # Each month after the latest sent, oldest first: a month the jobs stood still through was
            # never sent before (only the month before today was looked at). A run's limit bounds them.
            months = months_unsent(uow, last)[: self.settings.limit]
        feedback = self.feedback
        return sum(self._send_feedback(feedback, m, len(months) - 1 - i) for i, m in enumerate(months))

    def _send_feedback(self, feedback: MonthlyFeedbackDesk, month: str, later: int = 0) -> int:
        """Send ``month``'s feedback, once (its :class:`JobMark` is written with the messages): 1 when
        sent, 0 when it (or a later month) went out before. ``later``: how many months of the same run
        follow it; its messages are due that many microseconds before the instant of writing, so the
        outbox (by due time, then by the hashed id) delivers the months oldest first even when one run
        at one instant sends them all."""
        ahead = timedelta(microseconds=later)
        mark_id = f"monthly_feedback:{month}"
        with self.context.reader() as uow:
            if month_sent(uow, month):
                return 0  # sent already (or a later month was: only the latest month's mark is kept)
            registered = registered_files(uow, month)
            calls = calls_key(uow, month, self.context.timezone)
        values = feedback.facts(self.actor, month).headline()
        params = notification_params(self.context.policies)
        roles = [
            Role.GENERAL_MANAGER,
            *(r for r in params.monthly_feedback_to if r is not Role.GENERAL_MANAGER),
        ]
        notifications = self.context.notifications

        def announce(uow: UnitOfWork, at: datetime) -> int:
            to_manager = notifications.staff_messages(
                "monthly_feedback", roles[:1], values, mark_id, at - ahead
            )
            if not to_manager:  # nobody to read it: the month is not marked sent, it waits for a contact
                raise ConfigurationError(
                    f"the monthly feedback of {month} goes to the general manager (seed 004 第五条 1(6)): "
                    "the staff directory has no contact the desk can write to for general_manager; "
                    "the month waits until one is listed",
                    key="staff.general_manager",
                )
            if month_sent(uow, month):
                return 0  # another run sent it (or a later month) meanwhile
            # Openings registering a complaint hold the gate from their read of the months sent to their
            # commit: the registrations read next include theirs, and a later one reads the month sent.
            hold_month_gate(uow, exclusive=True)
            if registered_files(uow, month) != registered:
                # A complaint registered in the month was committed after the month was read (opened at
                # its last instant): sent now, the feedback would go out without it, and its month be
                # marked sent. The next run reads the month again.
                return 0
            if units_sold_in(uow, month) != values["units_sold"]:
                return 0  # so for a sale registered in it meanwhile (a unit bought in the month: unit_month)
            if calls_key(uow, month, self.context.timezone) != calls:
                return 0  # so for a call registered in it meanwhile (received in it, or late: call_month)
            mark = JobMark(mark_id, at)
            try:
                uow.documents.add(mark)
            except DuplicateError:
                return 0  # another run sent it meanwhile
            others = notifications.staff_messages("monthly_feedback", roles[1:], values, mark_id, at - ahead)
            uow.outbox.put(to_manager + others)
            return 1

        return self.runner.write(self.actor, "announce_monthly_feedback", None, [month], announce)

    def _first_working_day(self, first: date) -> date:
        """The first working day of the month beginning ``first`` (``first`` itself without a calendar, or
        when the calendar's holiday data does not reach that month: the feedback does not wait on it)."""
        calendar = self.context.calendar
        if calendar is None:
            return first
        day = first
        try:
            while not calendar.is_working_day(day) and day.day < 28:
                day += timedelta(days=1)
        except CalendarDataMissing:
            return first
        return day

    def _return_reminders(self, now: datetime) -> int:
        return len(self.materials.run_return_reminders(self.actor, now, limit=self.settings.limit))

    def _chargebacks(self, now: datetime) -> int:
        return len(self.materials.run_overdue_chargebacks(self.actor, now, limit=self.settings.limit))

    # Issue 26's daily work, run with issue 22's jobs (session 37): before, a host running only
    # ``run_due_jobs`` as the embedding page says never had a visit generated, an expiring contract
    # announced or an overdue visit chased. Each command is idempotent per day (a cursor, a cleared
    # generation day, a cleared reminder day), so an hourly run does the day's work once.
    def _maintenance_visits(self, now: datetime) -> int:
        if self.maintenance is None:
            return 0
        self._needs_ranges()
        return len(self.maintenance.generate_due(self.actor, self.context.today(now)).generated)

    def _maintenance_overdue(self, now: datetime) -> int:
        if self.maintenance is None:
            return 0
        self._needs_ranges()
        return len(self.maintenance.remind_overdue(self.actor, self.context.today(now)))

    def _contract_reminders(self, now: datetime) -> int:
        if self.contracts is None:
            return 0
        self._needs_ranges()
        return len(self.contracts.remind_expiring(self.actor, self.context.today(now)))

    def _needs_ranges(self) -> None:
        # The daily work reads one range of an indexed date: a host's store without ranges cannot do it.
        if not callable(getattr(self._documents(), "query_range", None)):
            raise _Unsupported("documents.query_range")

    def _recompute_due(self, now: datetime) -> int:
        """Open, triaged tickets without a resolution due time (holiday data was missing when they
        changed) get one derived now, through the desk's one command path: up to ``limit`` of them,
        newest first. The open tickets are read page after page until that many are found: the first
        page alone (the newest ``limit``) left every older one waiting for good once newer tickets
        had due times."""
        limit = self.settings.limit
        waiting: list[str] = []
        cursor: str | None = None
        while len(waiting) < limit:
            with self.context.store() as uow:  # one transaction per page: writers wait for one page
                page = uow.tickets.query(
                    TicketFilter(states=_OPEN), PageRequest(self._page, cursor, Sort.RECEIVED_DESC)
                )
            waiting += [t.id for t in page.items if t.priority is not None and t.resolution_due_at is None]
            cursor = page.next_cursor
            if cursor is None:
                break
        done = 0
        for ticket_id in waiting[:limit]:
            result = self.runner.execute(
                self.actor, "recompute_due", ticket_id, lambda uow, ticket, now: None
            )
            done += result.ticket.resolution_due_at is not None
        return done

    def _recompute_on_calendar_change(self) -> int:
        """The open tickets recomputed because the store's due times came from another calendar than the
        desk's (it was opened on a newer one: :mod:`aftersales.service.calendar_stamp`); 0 when they are
        the desk calendar's. A store never stamped (new, or upgraded from a version without stamps) is
        stamped with the desk's calendar, as its due times were computed on it until now."""
        calendar = self.context.calendar
        if calendar is None:
            return 0
        sla = sla_of(self.context.sla.policy)
        callback = callback_of(self.context.policies.callback)  # a [callback]-only swap re-plans them too
        with self.context.reader(snapshot=False) as uow:
            stale = dues_stale(uow, calendar, sla, callback)
            unsigned = stamp_unsigned(uow)
            # a store moved to another calendar since this desk opened is not recomputed back
            check_calendar_current(uow, self.context)
        if stale is None or (unsigned and not stale):  # an older release's stamp: the pack is this one
            permit(self.actor, Workflow.DOCUMENTS, "stamp_calendar")
            self.runner.write(
                self.actor,
                "stamp_calendar",
                None,
                [calendar.fingerprint, sla, callback],
                lambda uow, at: stamp_first(uow, calendar, at, sla, callback),
            )
            # The store's calendar as this desk knows it: its own once stamped; another desk's stamp that
            # stood instead is taken when next found (check_calendar_current), as any stamp found later.
            with self.context.reader(snapshot=False) as uow:
                stamped = stamp_seen(uow, calendar)
            if self.context.calendar_seen is None and stamped == calendar.fingerprint:
                self.context.calendar_seen = stamped
            return 0
        if not stale:
            return 0
        # Page by page: an upgrade on a large store never holds the writers for every open ticket.
        report = recompute_dues(self.context, self.runner, self.actor, None, page_size=self._page)
        return len(report.recomputed)

    def _deliver(self, now: datetime) -> DispatchReport:
        if self.context.notifier is None:
            return DispatchReport()
        return self.deliver(self.settings.limit, senders=self.settings.senders)

    def _purge_sent(self, now: datetime) -> int:
        return self._drain(lambda page: self.outbox.purge_sent(self.actor, limit=page, at=now))

    def _purge_dead(self, now: datetime) -> int:
        return self._drain(lambda page: self.outbox.purge_dead_letters(self.actor, limit=page, at=now))

    def _purge_idempotency(self, now: datetime) -> int:
        # The pack's [privacy] keep_idempotency_days; a store without a sweep cannot expire its rows.
        privacy = self.privacy
        if privacy is None:
            return 0
        if not isinstance(self._idempotency_store(), Sweepable):
            raise _Unsupported("idempotency.sweep")
        # Paged like the other purges: the oldest rows first, ``limit`` a transaction.
        return self._drain(lambda page: privacy.purge_expired(self.actor, at=now, limit=page))

    def _purge_access_log(self, now: datetime) -> int:
        """The access log's records older than the pack's ``[privacy] keep_access_log_days``, oldest day
        first, page after page; an older store's records are indexed by day first (then purged)."""
        privacy = self.privacy
        if privacy is None:
            return 0
        if not callable(getattr(self._documents(), "purge_range", None)):
            raise _Unsupported("documents.purge_range")
        self._drain(lambda page: privacy.index_access_log(self.actor, limit=page))
        return self._drain(lambda page: privacy.purge_access_log(self.actor, at=now, limit=page))

    def _purge_sla_alerts(self, now: datetime) -> int:
        """The SLA alerts of closed and cancelled tickets, oldest first, a page a transaction until the
        newest is reached or half the lease has passed; an older store's are indexed by day first."""
        return self._purge_marks(lambda page: self.marks.purge_sla_alerts(self.actor, at=now, limit=page))

    def _purge_job_marks(self, now: datetime) -> int:
        """The job marks no job needs any more, as the alerts' purge goes (:mod:`.mark_retention`)."""
        return self._purge_marks(lambda page: self.marks.purge_job_marks(self.actor, at=now, limit=page))

    def _purge_marks(self, purge: Callable[[int], PurgePass]) -> int:
        if not can_walk(self._documents()):
            raise _Unsupported("documents.query_range(after=) and documents.remove")
        self._drain(lambda page: self.marks.index_marks(self.actor, limit=page))

        def walk(page: int) -> tuple[int, bool]:
            done = purge(page)
            return done.dropped, done.more

        page = min(self.settings.limit, MOST_PURGED)
        return drain_walk(walk, page, self.context.now, self.settings.lease / 2)

    def _drain(self, purge: Callable[[int], int], most: int = MOST_PURGED) -> int:
        """A purge's pages of ``limit`` rows (at most ``most``, one transaction each) until none is left or
        half the lease has passed by the clock: the lease keeps other processes out only so long, and a
        purge run once a day at one page a run fell behind any busy network for good (:mod:`.purge_pages`)."""
        page = min(self.settings.limit, most)
        return drain(purge, page, self.context.now, self.settings.lease / 2)

    def _money_index(self, now: datetime) -> int:
        # Drained like the purges: four batches a day left an upgraded store's revenue short for weeks
        # (2,000 slips a day at the default limit).
        fees = self.fees
        if fees is None:
            return 0
        return self._drain(
            lambda batch: fees.backfill_money_index(self.actor, batch=batch, max_batches=1), MOST_BATCH
        )

    def _batch_tallies(self, now: datetime) -> int:
        # A few pages of tickets per run (one transaction each), the rest on the next run; a store whose
        # pass is complete answers after one read.
        if self.tallies is None:
            return 0
        return self.tallies.backfill(self.actor, batch=self._page, max_batches=4)

    def _late_afters(self, now: datetime) -> int:
        # Drained page by page like the money index (the reports judge an upgraded store's tickets by
        # their raw dues until the pass ends), until the pass is complete or half the lease has passed.
        late_afters = self.late_afters
        if late_afters is None:
            return 0
        filled = 0

        def page(batch: int) -> int:
            nonlocal filled
            gained, complete = late_afters.next_page(self.actor, batch=batch)
            filled += gained
            return 0 if complete else batch

        self._drain(page, MAX_PAGE)
        return filled

    def _plan_handovers(self, now: datetime) -> int:
        # Page after page until the pass is complete or half the lease has passed; a complete pass
        # answers after one read.
        privacy = self.privacy
        if privacy is None:
            return 0
        if not callable(getattr(self._documents(), "query_range", None)):
            raise _Unsupported("documents.query_range")
        return self._drain(lambda page: privacy.file_plan_handovers(self.actor, limit=page))

    def _store_upkeep(self, now: datetime) -> int:
        # A few short batches per run (each a transaction a writer waits for at most); a store with
        # no upkeep (memory) has nothing to do; PostgreSQL's is its search fold (autovacuum keeps its
        # statistics).
        store = self.context.store
        if not isinstance(store, StoreUpkeep):
            return 0
        report = store.upkeep(max_batches=4)
        return report.batches + report.analyzed

    def _idempotency_store(self) -> object:
        with self.context.store() as uow:
            return uow.idempotency

    def _documents(self) -> object:
        with self.context.store() as uow:
            return uow.documents


def _called_about(uow: UnitOfWork, task: CallbackTask) -> TicketKind | None:
    """The kind of record ``task`` calls back about: kept on the task when scheduled; a task scheduled
    before it was kept reads its ticket (once: the notice is sent once per task)."""
    if task.ticket_kind is not None:
        return task.ticket_kind
    try:
        return uow.tickets.get(task.ticket_id).kind
    except NotFound:
        return None
