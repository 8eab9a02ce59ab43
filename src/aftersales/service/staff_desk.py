"""Training, appraisal, incentives and sanctions of the company's own engineers and agents
(``desk.staff_records``).

Seeds 000, 001 and 003 train and appraise the company's own after-sales staff, not only dealers':
training with a test, a monthly appraisal by the after-sales manager whose score and rating feed pay
and promotion. The measured indicators (satisfaction, response on time, resolution rate) come from the
KPI reports — :func:`aftersales.reports.staff_kpi.agent_kpis` for agents,
:func:`aftersales.reports.engineer_kpi.engineer_kpis` (read as
:func:`~aftersales.reports.engineer_kpi.scoped_engineer_kpis`) for engineers, each indicator credited to
the engineer who earned it (the KPI report's engineer grouping is the current holder's workload, not an
appraisal) — and are kept beside the score.
Engineers and agents read their own records; heads and auditors read everyone's. A staff member exports
what is kept about them (:meth:`StaffDesk.export_staff`, :mod:`aftersales.service.staff_export`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.ids import TicketId
from aftersales.domain.money import Money
from aftersales.domain.staff_departure import StaffDeparture, StaffErasureRecord
from aftersales.domain.staff_records import (
    AppraisalRating,
    MeasureKind,
    StaffAppraisal,
    StaffKind,
    StaffMeasure,
    StaffTraining,
    Trainee,
    entered_metrics,
    entered_score,
    rating_for,
)
from aftersales.domain.text import checked_month
from aftersales.domain.training import TrainingTopic
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.policies.staff import pack_staff_rules
from aftersales.ports.erasure import Shreddable
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import encode_json
from aftersales.service.access_log import record_staff_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.erased_memos import forget_in_process
from aftersales.service.numbering import next_number
from aftersales.service.permissions import PERMISSIONS, Workflow, can_read, check_role
from aftersales.service.runner import CommandRunner
from aftersales.service.staff_erasure import check_not_left, departure_in, erase_staff_in
from aftersales.service.staff_export import holds_nothing, staff_data
from aftersales.service.staff_kinds import check_registered_kind, directory_kind

__all__ = ["StaffDesk", "StaffRecord"]

_READ_ALL = frozenset({Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR, Role.SYSTEM})


def _roles(command: str) -> frozenset[Role]:
    return PERMISSIONS[Workflow.DOCUMENTS][command]


@attrs.frozen
class StaffRecord:
    """One staff member's trainings (oldest first) and appraisals (by month)."""

    staff_id: str
    trainings: tuple[StaffTraining, ...]
    appraisals: tuple[StaffAppraisal, ...]
    measures: tuple[StaffMeasure, ...] = ()
    """Incentives and sanctions (表彰、奖励 / 批评教育、处罚), oldest first."""

    @property
    def latest_rating(self) -> AppraisalRating | None:
        """The rating of the latest month appraised."""
        return self.appraisals[-1].rating if self.appraisals else None


@validated_commands
class StaffDesk:
    """Own staff's training and appraisal (seeds 000, 001, 003)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def _check_staff(
        self, uow: UnitOfWork, trainee_id: str, kind: StaffKind, field: str = "trainees", kind_field: str = ""
    ) -> None:
        # Engineers are registered master data; agents and heads are the host's users, known by its staff
        # directory (and their own earlier records): the kind filed must be the one these give.
        # A dealer's engineer is the dealer's staff: trained through desk.archives, not appraised here.
        if kind is StaffKind.ENGINEER and uow.engineers.get(trainee_id).dealer_id is not None:
            raise ValidationError(
                f"{trainee_id} is a dealer's engineer, not the company's own staff", field=field
            )
        if kind is StaffKind.ENGINEER:
            return
        try:
            uow.engineers.get(trainee_id)
        except NotFound:
            people = self.context.notifications.people
            check_registered_kind(uow, people, trainee_id, kind, kind_field or field)
            return
        # One person, one record: an engineer's training or appraisal filed as an agent's would
        # split their record in two (and their appraisal kind with it).
        raise ValidationError(f"{trainee_id} is a registered engineer: give kind engineer", field=field)

    def _appraisers(self, kind: StaffKind | None = None) -> frozenset[Role]:
        # The permission table's heads, narrowed by the pack's [staff] appraisers (seed 001: 售后经理 alone)
        # or, for a head of the team, its manager_appraisers (seed 001: the 上级); None: either.
        rules = pack_staff_rules(self.context.policies.extra)
        if kind is None:
            chosen = rules.appraisers | rules.manager_appraisers
        else:
            chosen = rules.manager_appraisers if kind is StaffKind.MANAGER else rules.appraisers
        return _roles("appraise_staff") & chosen

    def _check_appraiser(self, actor: Actor, command: str, staff_id: str, kind: StaffKind | str) -> StaffKind:
        """The actor appraises ``kind`` of staff (``PermissionDenied``), never themselves; the kind."""
        check_role(actor, "appraise_staff", staff_id, self._appraisers())
        if staff_id in (actor.id, actor.engineer_id):
            raise PermissionDenied(str(actor), command, staff_id)
        kind = StaffKind(kind)
        check_role(actor, "appraise_staff", staff_id, self._appraisers(kind))
        return kind

    def record_staff_training(
        self,
        actor: Actor,
        *,
        held_on: date,
        trainer: str,
        topics: Iterable[TrainingTopic | str],
        trainees: Iterable[Trainee],
        external: bool = False,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> StaffTraining:
        """Record a training of own engineers and agents, with each one's test score if there was one.

        Nobody records their own test score (``PermissionDenied``): the score feeds the appraisal.
        """
        check_role(actor, "record_staff_training", None, _roles("record_staff_training"))
        attended = tuple(trainees)
        mine = (actor.id, actor.engineer_id)
        if any(isinstance(t, Trainee) and t.staff_id in mine and t.score is not None for t in attended):
            raise PermissionDenied(str(actor), "record_staff_training", actor.id)
        wanted = tuple(topics) if not isinstance(topics, str) else (topics,)
        request = [held_on, trainer, wanted, attended, external, note]
        # Checked before anything runs (a bad value is a ValidationError naming the field).
        StaffTraining("check", held_on, trainer, frozenset(wanted), attended, external, None, note)

        def apply(uow: UnitOfWork, now: datetime) -> StaffTraining:
            if held_on > self.context.today(
                now
            ):  # attendance and test scores are of a training that was held
                raise ValidationError(f"a training held on {held_on} is not held yet", field="held_on")
            for trainee in attended:
                self._check_staff(uow, trainee.staff_id, trainee.kind)
            # Each departed trainee's departure is locked (an erasure in flight first): in id order, the
            # one order two trainings of the same people take them in.
            for trainee in sorted(attended, key=lambda t: t.staff_id):
                check_not_left(uow, trainee.staff_id, held_on, "trainees")
            record = StaffTraining(
                next_number(uow, "staff_training", now), held_on, trainer, frozenset(wanted), attended,
                external, actor.ref, note,
            )  # fmt: skip
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "record_staff_training",
            idempotency_key,
            request,
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(StaffTraining, id),
        )

    def appraise(
        self,
        actor: Actor,
        staff_id: str,
        month: str,
        *,
        kind: StaffKind,
        score: Decimal | int | str,
        metrics: Mapping[str, Decimal | int | str] | None = None,
        rating: AppraisalRating | None = None,
        note: str = "",
    ) -> StaffAppraisal:
        """The month's appraisal of ``staff_id`` (score out of 100; the rating follows the score unless
        given). Appraising the same person and month again corrects the month's one record (每月进行一次
        考核评估: one appraisal a month); the figures it replaces stay in ``revisions`` for whoever paid the
        bonus on them (考核结果与绩效奖金挂钩).

        Seed 001 (考核由售后经理负责, 每月进行一次考核评估; 考核结果与绩效奖金挂钩): only the pack's
        ``[staff] appraisers`` appraise (``PermissionDenied``; seed 001's pack: the manager), and a head of
        the team (``kind`` manager) only its ``manager_appraisers`` (seed 001's pack: the general manager,
        the 上级 the after-sales manager reports to); a month not
        begun yet has no work to appraise (``month``); nobody appraises themselves (``PermissionDenied``);
        a rating other than the score's (an excellent with a failing score sets the bonus) says why in
        ``note``; a dealer's engineer is not the company's staff (``staff_id``).
        """
        kind = self._check_appraiser(actor, "appraise_staff", staff_id, kind)
        checked_month(month)
        draft = StaffAppraisal(
            f"{staff_id}:{month}", staff_id, kind, month, entered_score(score),
            AppraisalRating.QUALIFIED, entered_metrics(metrics), actor.ref, note,
        )  # fmt: skip
        chosen = AppraisalRating(rating) if rating is not None else rating_for(draft.score)
        if chosen is not rating_for(draft.score) and not note.strip():
            raise ValidationError(
                f"a rating of {chosen.value} for a score of {draft.score} needs the reason in note",
                field="note",
            )

        def apply(uow: UnitOfWork, now: datetime) -> StaffAppraisal:
            if month > self.context.today(now).strftime("%Y-%m"):
                raise ValidationError(
                    f"{month} has not begun: there is no work to appraise yet", field="month"
                )
            check_not_left(uow, staff_id, date.fromisoformat(f"{month}-01"), "month", erased_field="staff_id")
            record = attrs.evolve(draft, rating=chosen)
            try:
                current = uow.documents.get(StaffAppraisal, record.id)
            except NotFound:
                self._check_staff(uow, staff_id, kind, "staff_id", "kind")
                uow.documents.add(record)
                return record
            if current.kind is not kind:
                raise ValidationError(f"{staff_id} was appraised as {current.kind.value}", field="kind")
            updated = current.corrected(record)
            return current if updated is current else uow.documents.save(updated)

        return self.runner.write(actor, "appraise_staff", None, [staff_id, month], apply)

    def record_measure(
        self,
        actor: Actor,
        staff_id: str,
        *,
        kind: StaffKind,
        measure: MeasureKind,
        reason: str,
        amount: Money | None = None,
        complaint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> StaffMeasure:
        """Record an incentive or a sanction for one of the company's own staff, with the reason.

        Seed 000 (人员激励与约束): 对表现优秀的售后维护人员给予表彰、奖励; 对违反售后维护管理制度和服务规范的
        售后维护人员进行批评教育和相应的处罚. Decided by whoever appraises (the heads), never for oneself;
        a reward or a penalty may carry an amount; ``complaint_id`` names the complaint that found the
        breach (it must be a complaint the actor may read). Dated today on the desk's calendar.

        Not for someone who has left (``staff_id``, rule ``staff_left``; the departure day itself is still
        theirs): seed 000 gives 表彰、奖励 to spur the staff's 工作积极性和主动性 and 批评教育、处罚 to hold
        them to the service rules, and seed 001 六(三) decides them on the monthly appraisal of the team's
        members (售后团队成员); neither reaches a person no longer on the team. What a leaver earned in
        their last months is their appraisal (:meth:`appraise`, allowed for every month they worked, 考核结果
        与绩效奖金挂钩), not a measure decided after they went.
        """
        kind = self._check_appraiser(actor, "record_measure", staff_id, kind)
        measure = MeasureKind(measure)
        request = [staff_id, kind.value, measure.value, reason, str(amount), complaint_id]
        # Checked before anything runs (a bad value is a ValidationError naming the field).
        StaffMeasure("check", staff_id, kind, measure, reason, actor.ref, date(2000, 1, 1), amount)

        def apply(uow: UnitOfWork, now: datetime) -> StaffMeasure:
            self._check_staff(uow, staff_id, kind, "staff_id", "kind")
            # decided today; an erased person is refused whatever the day
            check_not_left(uow, staff_id, self.context.today(now), "staff_id", erased_field="staff_id")
            if complaint_id is not None:
                ticket = uow.tickets.get(complaint_id)
                if ticket.kind is not TicketKind.COMPLAINT or not can_read(actor, ticket):
                    raise NotFound("complaint", complaint_id)
            record = StaffMeasure(
                next_number(uow, "staff_measure", now), staff_id, kind, measure, reason, actor.ref,
                self.context.today(now), amount, TicketId(complaint_id) if complaint_id is not None else None,
            )  # fmt: skip
            uow.documents.add(record)
            return record

        return self.runner.write(
            actor,
            "record_staff_measure",
            idempotency_key,
            request,
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(StaffMeasure, id),
        )

    def staff_record(self, actor: Actor, staff_id: str) -> StaffRecord:
        """``staff_id``'s trainings and appraisals: their own for engineers and agents, anyone's for heads.

        Someone else's record, or one with nothing in it, is ``NotFound``.
        """
        check_role(actor, "staff_records", staff_id, _roles("staff_records"))
        own = staff_id in (actor.id, actor.engineer_id)
        if not own and not actor.has_role(*_READ_ALL):
            raise NotFound("staff", staff_id)
        with self.context.store() as uow:
            trainings = [t for t in uow.documents.query(StaffTraining) if t.attended_by(staff_id) is not None]
            appraisals = uow.documents.query(StaffAppraisal, staff_id=staff_id)
            measures = uow.documents.query(StaffMeasure, staff_id=staff_id)
        if not trainings and not appraisals and not measures:
            raise NotFound("staff", staff_id)
        return StaffRecord(
            staff_id,
            tuple(sorted(trainings, key=lambda t: (t.held_on, t.id))),
            tuple(sorted(appraisals, key=lambda a: a.month)),
            tuple(sorted(measures, key=lambda m: (m.decided_on, m.id))),
        )

    def export_staff(self, actor: Actor, staff_id: str) -> str:
        """Everything kept about the staff member ``staff_id``, as JSON text (PIPL art. 45: the right to
        read and copy one's personal information — staff are persons too).

        The person themself (an engineer, an agent, a head exporting their own) or the after-sales manager
        (seed 001 六(三): the team's records are the manager's) may ask; another role of the table asking
        for someone else gets ``NotFound``, as for an unknown id; a role outside the table (a customer,
        dealer staff, the auditor) ``PermissionDenied``. The records, as :mod:`~aftersales.service.
        staff_export` gathers them: their engineer record, trainings (their own line), appraisals with
        their revisions and metrics, incentives and sanctions, the complaints those cite, teams and shifts,
        and the earlier reads of their records. The export is logged in the access log
        (``subject="staff"``).
        """
        data = self._exported(actor, staff_id)
        record_staff_access(self.runner, actor, "export_staff", staff_id)
        return encode_json({"staff_id": staff_id, "exported_at": self.context.now(), "data": data})

    def record_departure(
        self,
        actor: Actor,
        staff_id: str,
        left_on: date,
        *,
        reason: str = "",
        idempotency_key: str | None = None,
    ) -> StaffDeparture:
        """Record that ``staff_id`` left the company on ``left_on`` (the heads; recorded again: corrected).

        The day their pay records' retention is counted from (``[privacy] keep_staff_pay_records_days``) and
        what :meth:`erase_staff` needs. A day after today is refused (``left_on``), and so is one before a
        training they attended, a month they were appraised for or an incentive or sanction decided for
        them (rule ``staff_records_after``: it would leave that record dated after they left); a person
        the desk keeps nothing about and its staff directory does not list is ``NotFound``. Deactivating
        an engineer is not a departure: it may be undone, and agents and heads have no registry record."""
        check_role(actor, "record_staff_departure", staff_id, _roles("record_staff_departure"))
        if not isinstance(left_on, date) or isinstance(left_on, datetime):
            raise ValidationError("left_on is a date (not a datetime)", field="left_on", rule="date")
        if len(reason) > 500:
            raise ValidationError(
                "a departure's reason is at most 500 characters",
                field="reason",
                rule="too_long",
                rule_params={"most": 500},
            )

        def apply(uow: UnitOfWork, now: datetime) -> StaffDeparture:
            known = not holds_nothing(staff_data(uow, staff_id)) or (
                directory_kind(self.context.notifications.people, staff_id) is not None
            )
            return departure_in(
                self.context, uow, staff_id, left_on, reason, known=known, by=actor.ref, now=now
            )

        return self.runner.write(
            actor, "record_staff_departure", idempotency_key, [staff_id, left_on, reason], apply,
            remember=lambda d: d.id, reload=lambda uow, id: uow.documents.get(StaffDeparture, id),
        )  # fmt: skip

    def erase_staff(
        self, actor: Actor, staff_id: str, reason: str, *, idempotency_key: str | None = None
    ) -> StaffErasureRecord:
        """Erase what is kept about ``staff_id`` once they have left (PIPL art. 47), in one transaction:
        see :mod:`aftersales.service.staff_erasure` — what is not a pay record at once, their appraisals
        and incentives/sanctions once ``[privacy] keep_staff_pay_records_days`` after the departure have
        passed. Whoever may erase a customer may (``erase_staff``). Refused with a ``ValidationError``
        naming ``staff_id`` (no departure, open tickets, still on a team, an active engineer, nothing left)
        or ``reason`` (1–500 characters); nothing changes then. Logged as a
        :class:`~aftersales.domain.staff_departure.StaffErasureRecord` (:meth:`staff_erasures`)."""
        check_role(actor, "erase_staff", staff_id, _roles("erase_staff"))
        if not reason.strip() or len(reason) > 500:
            raise ValidationError("an erasure needs a reason of 1-500 characters", field="reason")

        forgotten: tuple[list[str], list[str]] = ([], [])  # the person's strings, the tickets rewritten

        def apply(uow: UnitOfWork, now: datetime) -> StaffErasureRecord:
            forgotten[0].clear()  # a retried attempt starts afresh
            forgotten[1].clear()
            return erase_staff_in(
                self.context, uow, staff_id, reason, by=actor.ref, now=now, forgotten=forgotten
            )

        record = self.runner.write(
            actor, "erase_staff", idempotency_key, [staff_id, reason], apply,
            remember=lambda r: r.id, reload=lambda uow, id: uow.documents.get(StaffErasureRecord, id),
        )  # fmt: skip
        needles, tickets = forgotten
        if needles:  # as after a customer's erasure: the freed bytes and this process's copies go too
            if isinstance(self.context.store, Shreddable):
                self.context.store.shred()
            forget_in_process("", tickets, needles)
        return record

    def staff_erasures(self, actor: Actor, staff_id: str) -> list[StaffErasureRecord]:
        """The erasures of ``staff_id``'s data, oldest first (whoever may erase it, and the auditor)."""
        check_role(actor, "erase_staff", staff_id, _roles("erase_staff") | {Role.AUDITOR})
        with self.context.store() as uow:
            found = uow.documents.query(StaffErasureRecord, staff_id=staff_id)
        return sorted(found, key=lambda r: (r.erased_at, r.id))

    def figures_scope(self, actor: Actor, staff_id: str) -> Callable[[], None]:
        """Judge whether ``actor`` may read the figures measured of ``staff_id``'s work (their own KPI row,
        its drill-down and their conduct: :func:`aftersales.reports.engineer_export.staff_figures`), before
        any ticket is read: as :meth:`export_staff` — the person themself or the after-sales manager; the
        team's table stays the appraisers' (``staff_kpi_report``). Returns what logs the read
        (``staff_figures``, ``subject="staff"``), to be called once the figures are read: a read that
        fails (a calendar without the year's data) changes nothing."""
        self._exported(actor, staff_id)
        return lambda: record_staff_access(self.runner, actor, "staff_figures", staff_id)

    def _exported(self, actor: Actor, staff_id: str) -> dict[str, object]:
        """What :meth:`export_staff` holds, once ``actor`` may have it (else ``PermissionDenied`` or
        ``NotFound``)."""
        check_role(actor, "export_staff", staff_id, _roles("export_staff"))
        if staff_id not in (actor.id, actor.engineer_id) and not actor.has_role(Role.MANAGER):
            raise NotFound("staff", staff_id)
        with self.context.store() as uow:
            data = staff_data(uow, staff_id)
        # Someone the desk keeps nothing about and its staff directory does not list is unknown.
        if holds_nothing(data) and directory_kind(self.context.notifications.people, staff_id) is None:
            raise NotFound("staff", staff_id)
        return data
