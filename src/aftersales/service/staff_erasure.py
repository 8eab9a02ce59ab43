"""A staff member's departure, and the erasure of their data once they have left (PIPL art. 47).

Why: see :mod:`aftersales.domain.staff_departure`. ``desk.staff_records.record_departure`` records the day
a person left (the heads); ``desk.staff_records.erase_staff`` (whoever erases a customer: the managers, the
general manager, a privacy officer) then, in one transaction:

- pseudonymises their engineer record (name ``[erased]``, contact and note gone) and its master-data history
  (their strings replaced, its free text blanked), replaces their name and contact in the desk's copies
  of them — the tickets holding them, outbox messages, idempotency rows; ids kept
  (:mod:`aftersales.service.staff_copies`) — drops their test scores from the trainings they attended
  (the line stays: the training was held with them) and their name from the dealer trainings that list it,
  and removes their shift lines from the desk's roster and the teams' on-call rosters;
- removes their appraisals and incentives/sanctions (pay records) once the pack's ``[privacy]
  keep_staff_pay_records_days`` after the departure have passed; before, they are kept and the record says
  until when (a later erasure removes them);
- logs a :class:`~aftersales.domain.staff_departure.StaffErasureRecord`.

Refused (``ValidationError`` naming ``staff_id``, nothing changed): no departure recorded; the person still
holds open tickets (assigned to them or on their team: dispatch them to someone else first — an erased
engineer's open ticket would wait in their queue for ever); still on a team (take them off first: a
team's lead and members are its roster); an engineer still active (deactivate first: dispatch would give
them work); nothing left to erase. Ids are kept everywhere (the tickets name who did the work: the
company's work record and its KPIs), as a customer's erasure keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.agent_shifts import DeskRoster
from aftersales.domain.contact import zone
from aftersales.domain.erasure import ERASED, needles_of, scrub
from aftersales.domain.instants import micros
from aftersales.domain.parties import Engineer
from aftersales.domain.staff_departure import StaffDeparture, StaffErasureRecord, pay_records_until
from aftersales.domain.staff_records import StaffAppraisal, StaffMeasure, StaffTraining
from aftersales.domain.teams import Team
from aftersales.domain.training import TrainingRecord
from aftersales.errors import ConfigurationError, NotFound, ValidationError
from aftersales.policies.privacy import pack_privacy_rules
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import structure, unstructure
from aftersales.service.context import DeskContext
from aftersales.service.departed_staff import departed
from aftersales.service.master_data import MasterDataChange
from aftersales.service.roster_stamp import touch_roster
from aftersales.service.row_locks import document_for_update
from aftersales.service.staff_copies import erase_staff_copies

__all__ = ["check_not_erased", "check_not_left", "departure_in", "erase_staff_in"]

_SHOWN_TICKETS = 10


def check_not_left(
    uow: UnitOfWork, staff_id: str, on: date, field: str, *, erased_field: str | None = None
) -> None:
    """Refuse (``ValidationError`` naming ``field``, rule ``staff_left``) a record of ``staff_id`` dated
    ``on``, after the day they left: a training they could not attend, a month they did not work, an
    incentive or sanction decided once they were gone — and, once their data is erased, any record at
    all (rule ``staff_erased``).

    ``erased_field`` names the field an erased person is refused under *before* the date is looked at
    (an appraisal, a measure: the person is wrong whatever the month, so ``staff_id``); without it the
    date is judged first and an erasure is refused under ``field`` (a trainee, a handler).

    One locked read of the departure (PostgreSQL) and, only for someone who left, one of the erasures:
    an erasure needs a recorded departure (:func:`erase_staff_in`) and writes it first, so a person with
    none was never erased, and one whose erasure is in flight is waited for here. Why one: appraisals
    and measures called :func:`check_not_erased` and then this, which checked the erasure again — the
    departure locked three times in one command."""
    departure = _departure_locked(uow, staff_id)
    if departure is None:
        return
    if erased_field is not None:
        _refuse_erased(uow, staff_id, erased_field)
    if on > departure.left_on:
        raise ValidationError(
            f"{staff_id} left on {departure.left_on}, before {on}", field=field, rule="staff_left"
        )
    if erased_field is None:
        _refuse_erased(uow, staff_id, field)


def _departure_locked(uow: UnitOfWork, staff_id: str) -> StaffDeparture | None:
    """``staff_id``'s departure, locked to the end of the transaction where the store offers it
    (PostgreSQL), or ``None``. An erasure writes the departure first (:func:`erase_staff_in`): a record
    of the person checked here waits for an erasure in flight and then reads its record (refused), or
    the erasure waits for the record and then finds it (its score blanked). Read plainly, a training's
    score written while the person was erased committed after the erasure read the trainings, and
    stayed."""
    try:
        found: StaffDeparture = document_for_update(uow.documents, StaffDeparture, staff_id)
    except NotFound:
        return None
    return found


def check_not_erased(uow: UnitOfWork, staff_id: str, field: str) -> None:
    """Refuse (``ValidationError`` naming ``field``, rule ``staff_erased``) a new record of ``staff_id``
    once their data was erased: a training line or test score, an appraisal, an incentive or sanction
    dated before they left but filed after the erasure would put their personal data back under their
    id (PIPL art. 47), where no later erasure looks for it until someone asks. A record that is also
    dated is checked by :func:`check_not_left` (``erased_field``) instead, in one read."""
    if _departure_locked(uow, staff_id) is not None:  # an erasure in flight commits first
        _refuse_erased(uow, staff_id, field)


def _refuse_erased(uow: UnitOfWork, staff_id: str, field: str) -> None:
    """Refuse ``staff_id`` under ``field`` (rule ``staff_erased``) if their data was erased."""
    erasures = uow.documents.query(StaffErasureRecord, staff_id=staff_id)
    if erasures:
        last = max(erasures, key=lambda r: r.erased_at)
        raise ValidationError(
            f"{staff_id}'s data was erased ({last.id}): nothing more is recorded under their id",
            field=field,
            rule="staff_erased",
        )


def departure_in(
    context: DeskContext,
    uow: UnitOfWork,
    staff_id: str,
    left_on: date,
    reason: str,
    *,
    known: bool,
    by: ActorRef,
    now: datetime,
) -> StaffDeparture:
    """Record (or correct) that ``staff_id`` left on ``left_on``, in ``uow``'s transaction: ``known`` says
    the desk keeps something about them or its directory lists them (else ``NotFound``)."""
    if left_on > context.today(now):
        raise ValidationError(
            f"{staff_id} has not left yet on {left_on}: a departure is recorded once it is", field="left_on"
        )
    current = departed(uow, staff_id)
    if current is None and not known:
        raise NotFound("staff", staff_id)
    _check_nothing_after(uow, staff_id, left_on)
    _mark_engineer(
        uow, staff_id, datetime.combine(left_on + timedelta(days=1), time(), zone(context.timezone))
    )
    record = StaffDeparture(staff_id, left_on, by, now, reason)
    if current is None:
        uow.documents.add(record)
        return record
    saved: StaffDeparture = uow.documents.save(attrs.evolve(record, version=current.version))
    return saved


def _mark_engineer(uow: UnitOfWork, staff_id: str, departs_at: datetime) -> None:
    """Stamp a registered engineer's record with when they are gone (the day after ``left_on`` begins):
    every dispatch, shift and load path reads the engineer already, so none needs another read to
    stop giving work to someone who left but is not deactivated yet."""
    try:
        engineer = uow.engineers.get(staff_id)
    except NotFound:
        return  # an agent or a head: the host's directory, no registry record
    if engineer.departs_at != departs_at:
        uow.engineers.save(attrs.evolve(engineer, departs_at=departs_at))
        touch_roster(uow)  # every desk's dispatch reads the engineer again


def _check_nothing_after(uow: UnitOfWork, staff_id: str, left_on: date) -> None:
    """Refuse (``left_on``, rule ``staff_records_after``) a departure before a training they attended, a
    month they were appraised for or an incentive or sanction decided for them: what is filed after a
    departure is refused (:func:`check_not_left`), so a day before them is wrong — and once erased, the
    records it left standing would contradict it.

    Seed 000 (人员激励与约束) gives 表彰、奖励 and 批评教育、处罚 to the staff on the team; a departure
    recorded late, dated before a measure already decided, left a measure dated after the person left
    (session 32 g): the day is refused, as a measure decided after it would be."""
    for appraisal in uow.documents.query(StaffAppraisal, staff_id=staff_id):
        if date.fromisoformat(f"{appraisal.month}-01") > left_on:
            raise _records_after(f"{staff_id} was appraised for {appraisal.month}, after {left_on}")
    for training in uow.documents.query(StaffTraining):
        if training.held_on > left_on and training.attended_by(staff_id) is not None:
            raise _records_after(f"{staff_id} attended a training on {training.held_on}, after {left_on}")
    for measure in uow.documents.query(StaffMeasure, staff_id=staff_id):
        if measure.decided_on > left_on:
            raise _records_after(
                f"{staff_id} was given a {measure.measure.value} on {measure.decided_on} ({measure.id}), "
                f"after {left_on}"
            )


def _records_after(message: str) -> ValidationError:
    return ValidationError(message, field="left_on", rule="staff_records_after")


def _refuse_if_working(uow: UnitOfWork, staff_id: str) -> None:
    held = uow.tickets.query(
        TicketFilter(worked_by=staff_id, is_open=True), PageRequest(limit=_SHOWN_TICKETS)
    )
    if held.items:
        shown = ", ".join(sorted(t.id for t in held.items))
        raise ValidationError(
            f"{staff_id} still holds open tickets ({shown}): dispatch them to someone else before erasing",
            field="staff_id",
        )
    for team in sorted(uow.documents.query(Team), key=lambda t: t.id):
        if staff_id in team.members or staff_id in (team.lead, team.coordinator):
            raise ValidationError(
                f"{staff_id} is still on team {team.id}: take them off it first", field="staff_id"
            )


def _engineer(uow: UnitOfWork, staff_id: str) -> Engineer | None:
    try:
        engineer = uow.engineers.get(staff_id)
    except NotFound:
        return None
    if engineer.active:
        raise ValidationError(
            f"{staff_id} is an active engineer: deactivate them first (dispatch would give them work)",
            field="staff_id",
        )
    return engineer


def _needles(engineer: Engineer | None) -> tuple[str, ...]:
    if engineer is None:
        return ()
    values: list[object] = [engineer.name, engineer.note]
    contact = engineer.contact
    if contact is not None:
        values += [contact.name, contact.phone, contact.email, contact.address, contact.wechat, contact.note]
        if contact.phone:
            values.append("".join(c for c in contact.phone if c.isdigit()))
    return needles_of(values)


def _copy_needles(engineer: Engineer | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The strings that name the person in the desk's copies of them — name and contact, not the
    record's own notes (staff text about them, erased from their record and its history only) — and
    those of them that are their contact alone (phone, e-mail, address, WeChat)."""
    if engineer is None:
        return (), ()
    contact = engineer.contact
    reach: list[object] = []
    if contact is not None:
        reach += [contact.phone, contact.email, contact.address, contact.wechat]
        if contact.phone:
            reach.append("".join(c for c in contact.phone if c.isdigit()))
    names = [engineer.name, None if contact is None else contact.name]
    return needles_of([*names, *reach]), needles_of(reach)


def _scrubbed(obj: Any, needles: tuple[str, ...], cls: type[Any]) -> Any:
    return structure(scrub(unstructure(obj), needles, blank_free_text=True), cls)


def _erase_engineer(uow: UnitOfWork, engineer: Engineer | None, needles: tuple[str, ...]) -> int:
    if engineer is None:
        return 0
    changed = 0
    erased = attrs.evolve(engineer, name=ERASED, contact=None, note="")
    if erased != engineer:
        uow.engineers.save(erased)
        changed += 1
    for change in uow.documents.query(MasterDataChange, record_kind="engineer", record_id=engineer.id):
        after = _scrubbed(change, needles, MasterDataChange)
        if after != change:
            uow.documents.save(after)
            changed += 1
    return changed


def _erase_trainings(
    uow: UnitOfWork, staff_id: str, engineer: Engineer | None, needles: tuple[str, ...]
) -> int:
    changed = 0
    for training in uow.documents.query(StaffTraining):
        own = training.attended_by(staff_id)
        if own is not None and own.score is not None:
            lines = tuple(attrs.evolve(t, score=None) if t is own else t for t in training.trainees)
            uow.documents.save(attrs.evolve(training, trainees=lines))
            changed += 1
    if engineer is None or engineer.dealer_id is None or not needles:
        return changed
    for record in uow.documents.query(TrainingRecord):  # a dealer's engineer, listed by name
        attendees = tuple(
            attrs.evolve(a, name=ERASED) if a.dealer_id == engineer.dealer_id and a.name in needles else a
            for a in record.attendees
        )
        if attendees != record.attendees:
            uow.documents.save(attrs.evolve(record, attendees=attendees))
            changed += 1
    return changed


def _erase_shifts(uow: UnitOfWork, staff_id: str) -> int:
    changed = 0
    try:
        roster = uow.documents.get(DeskRoster, "desk")
    except NotFound:
        roster = None
    if roster is not None and any(s.agent_id == staff_id for s in roster.shifts):
        uow.documents.save(attrs.evolve(roster, shifts=[s for s in roster.shifts if s.agent_id != staff_id]))
        changed += 1
    for team in uow.documents.query(Team):
        if any(s.engineer_id == staff_id for s in team.shifts):
            team.shifts = [s for s in team.shifts if s.engineer_id != staff_id]
            uow.documents.save(team)
            changed += 1
    return changed


def _remove_pay_records(uow: UnitOfWork, staff_id: str) -> int:
    remove = getattr(uow.documents, "remove", None)
    if remove is None:
        raise ConfigurationError("this store cannot remove documents (documents.remove)", key="store")
    removed = 0
    for cls in (StaffAppraisal, StaffMeasure):
        ids: Sequence[str] = [d.id for d in uow.documents.query(cls, staff_id=staff_id)]
        if ids:
            remove(cls, ids)
            removed += len(ids)
    return removed


def erase_staff_in(
    context: DeskContext,
    uow: UnitOfWork,
    staff_id: str,
    reason: str,
    *,
    by: ActorRef,
    now: datetime,
    forgotten: tuple[list[str], list[str]] | None = None,
) -> StaffErasureRecord:
    """Erase what is kept about the departed ``staff_id`` (module doc), in ``uow``'s transaction.
    ``forgotten`` (strings, ticket ids) receives the person's strings and the ids of the tickets
    rewritten: what the process's memos drop once the transaction has committed."""
    # Locked (PostgreSQL) before the trainings are read: a training, appraisal or measure of the person
    # in flight, which locks it too (:func:`_departure_locked`), commits first and is erased here.
    departure = _departure_locked(uow, staff_id)
    if departure is None:
        raise ValidationError(
            f"{staff_id} has no departure recorded: record it first (record_departure)", field="staff_id"
        )
    # Written first: two erasures at once (two desks) meet here, the second retried after the first
    # commits, finding nothing left, instead of both removing the pay records and logging twice.
    uow.documents.save(departure)
    _refuse_if_working(uow, staff_id)
    engineer = _engineer(uow, staff_id)
    needles = _needles(engineer)
    copied, contact = _copy_needles(engineer)
    changed = _erase_trainings(uow, staff_id, engineer, needles)  # before the name goes from the record
    changed += _erase_engineer(uow, engineer, needles) + _erase_shifts(uow, staff_id)
    copies, tickets = erase_staff_copies(
        uow, staff_id, copied, contact, context.notifications.renderer.catalog
    )
    changed += copies
    if forgotten is not None:
        forgotten[0][:], forgotten[1][:] = copied, tickets
    keep = pack_privacy_rules(context.policies.extra).params.keep_staff_pay_records_days
    until: date | None = pay_records_until(departure, keep)
    removed = 0
    if until is not None and context.today(now) > until:
        removed, until = _remove_pay_records(uow, staff_id), None
    if not changed and not removed:
        kept = f" (their pay records are kept until {until})" if until is not None else ""
        raise ValidationError(f"nothing of {staff_id} is left to erase{kept}", field="staff_id")
    record = StaffErasureRecord(
        f"{staff_id}@{micros(now)}", staff_id, now, by, reason, changed, removed, until
    )
    uow.documents.add(record)
    return record
