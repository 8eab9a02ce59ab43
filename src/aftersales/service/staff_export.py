"""What the desk holds about one of the company's own staff, gathered for their export (PIPL art. 45).

Why: staff are persons too. The customer's export (:meth:`~aftersales.service.privacy.PrivacyDesk.
export_customer`) answers a customer's right of access; an engineer or agent appraised monthly
(seed 001 六(三) 售后团队成员的考核由售后经理负责, 考核结果与绩效奖金挂钩), sanctioned on a complaint
(seed 000 人员激励与约束; seed 004 complaints about the service staff) and trained (seed 001 七) had no
way to get what is kept about them. This module reads it;
:meth:`~aftersales.service.staff_desk.StaffDesk.export_staff` judges who may ask and logs the read.

Each record is theirs as they would read it: a training lists their own attendance (and test score) only,
not the other trainees'; a team says whether they lead, coordinate or belong to it and lists their own
on-call shifts, not the other members; the desk's roster their own shifts. An appraisal comes whole, with
its revisions (the figures a correction replaced, on which a bonus may have been paid) and its metrics
(the KPI figures the appraiser kept beside the score). A complaint that found a breach is named by its id
beside the measure that cites it — the complaint is the customer's record, not theirs. A dealer's
engineer's dealer trainings (seed 002 培训) list their attendees by name and dealer: theirs are the lines
with their name at their dealer (session 30). Their departure and the erasures of their data since
(:mod:`aftersales.service.staff_erasure`) come too.

An engineer lent parts holds a loan ledger of their own (seed 002 退料: what was lent to them, returned,
charged as kept), and a part they kept past its deadline is charged to them on a fee slip they pay — and
paid back on a credit slip when the part comes back (``desk.fees.refund_kept_charge``). Their ledger and
the slips naming them as payer come with the export (session 38: the charge they paid was in no export).
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.agent_shifts import DeskRoster
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.loan_ledger import EntryKind, LoanLedger
from aftersales.domain.materials import MaterialsRequest, PartyRef
from aftersales.domain.parties import Engineer
from aftersales.domain.staff_departure import StaffErasureRecord
from aftersales.domain.staff_records import StaffAppraisal, StaffMeasure, StaffTraining
from aftersales.domain.teams import Team
from aftersales.domain.training import TrainingRecord
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import unstructure
from aftersales.service.access_log import staff_reads
from aftersales.service.departed_staff import departed
from aftersales.service.master_data import MasterDataChange

__all__ = ["STAFF_EXPORT_KEYS", "holds_nothing", "loan_slips", "staff_data"]

STAFF_EXPORT_KEYS: tuple[str, ...] = (
    "engineer", "master_data_changes", "staff_training", "dealer_training", "staff_appraisal",
    "staff_measure", "complaints", "teams", "agent_shifts", "loan_ledger", "fee_slips", "departure",
    "erasures", "reads",
)  # fmt: skip
"""The keys of the export's ``data``, in order."""


def _engineer(uow: UnitOfWork, staff_id: str) -> Engineer | None:
    try:
        return uow.engineers.get(staff_id)
    except NotFound:
        return None


def _trainings(uow: UnitOfWork, staff_id: str) -> list[Any]:
    found = []
    for training in uow.documents.query(StaffTraining):
        own = training.attended_by(staff_id)
        if own is not None:  # their own line: the other trainees' attendance and scores are theirs
            found.append(attrs.evolve(training, trainees=(own,)))
    return [unstructure(t) for t in sorted(found, key=lambda t: (t.held_on, t.id))]


def _dealer_trainings(uow: UnitOfWork, engineer: Engineer | None) -> list[Any]:
    """The dealer trainings (seed 002 培训, seed 003 系统培训) a dealer's engineer attended: a training lists
    its attendees by name and dealer, so theirs are the lines with their name at their dealer — their own
    line only, not the other attendees'."""
    if engineer is None or engineer.dealer_id is None:
        return []
    found = []
    for training in uow.documents.query(TrainingRecord):
        own = tuple(
            a for a in training.attendees if (a.name, a.dealer_id) == (engineer.name, engineer.dealer_id)
        )
        if own:
            found.append(attrs.evolve(training, attendees=own))
    return [unstructure(t) for t in sorted(found, key=lambda t: (t.held_on, t.id))]


def _departure(uow: UnitOfWork, staff_id: str) -> Any:
    departure = departed(uow, staff_id)
    return None if departure is None else unstructure(departure)


def _teams(uow: UnitOfWork, staff_id: str) -> list[dict[str, Any]]:
    found = []
    for team in sorted(uow.documents.query(Team), key=lambda t: t.id):
        member, lead, coordinator = (
            staff_id in team.members,
            team.lead == staff_id,
            team.coordinator == staff_id,
        )
        if member or lead or coordinator:
            found.append({
                "team_id": team.id, "name": team.name, "kind": team.kind.value, "region": team.region,
                "dealer_id": team.dealer_id, "member": member, "lead": lead, "coordinator": coordinator,
                "on_call": [unstructure(s) for s in team.shifts if s.engineer_id == staff_id],
            })  # fmt: skip
    return found


def _agent_shifts(uow: UnitOfWork, staff_id: str) -> list[Any]:
    try:
        roster = uow.documents.get(DeskRoster, "desk")
    except NotFound:
        return []
    return [unstructure(s) for s in roster.shifts if s.agent_id == staff_id]


def loan_slips(
    uow: UnitOfWork, staff_id: str, ledger: LoanLedger | None = None
) -> tuple[set[str], list[FeeSlip]]:
    """The tickets of the requests ``staff_id``'s loan ledger charged (``ledger``, else read; none
    without one) and the fee slips they were charged on as payer on those tickets. The slips are found
    through the tickets (slips are indexed by ticket, not payer), so nothing is scanned."""
    if ledger is None:
        try:
            ledger = uow.documents.get(LoanLedger, PartyRef.engineer(staff_id).key)
        except NotFound:
            return set(), []
    # The requests of the lines ever charged: a charge waived or paid back leaves its booking, not its
    # chargeback.
    charged = {e.issue_key for e in ledger.entries if e.kind is EntryKind.CHARGED}
    requests = {e.request_id for e in ledger.entries if e.key in charged} | {
        c.request_id for c in ledger.chargebacks
    }
    tickets: set[str] = set()
    for request_id in sorted(r for r in requests if r is not None):
        try:
            tickets.add(uow.documents.get(MaterialsRequest, request_id).ticket_id)
        except NotFound:
            continue
    slips = [
        slip
        for ticket_id in sorted(tickets)
        for slip in uow.documents.query(FeeSlip, ticket_id=ticket_id)
        if slip.payer_kind == "engineer" and slip.payer_id == staff_id
    ]
    return tickets, slips


def _loans(uow: UnitOfWork, staff_id: str) -> dict[str, Any]:
    """Their loan ledger (``None`` when nothing was lent to them) and the fee slips they were charged on
    as payer, credit slips paying a charge back among them (:func:`loan_slips`)."""
    try:
        ledger = uow.documents.get(LoanLedger, PartyRef.engineer(staff_id).key)
    except NotFound:
        return {"loan_ledger": None, "fee_slips": []}
    _, slips = loan_slips(uow, staff_id, ledger)
    return {
        "loan_ledger": unstructure(ledger),
        "fee_slips": [unstructure(s) for s in sorted(slips, key=lambda s: (s.issued_at, s.id))],
    }


def holds_nothing(data: dict[str, Any]) -> bool:
    """Whether ``data`` (:func:`staff_data`) holds no record of the person (earlier reads aside)."""
    return not any(data[key] for key in STAFF_EXPORT_KEYS if key != "reads")


def staff_data(uow: UnitOfWork, staff_id: str) -> dict[str, Any]:
    """Everything ``uow`` holds about ``staff_id`` (the keys of :data:`STAFF_EXPORT_KEYS`), each record as
    they would read it (module doc)."""
    appraisals = sorted(uow.documents.query(StaffAppraisal, staff_id=staff_id), key=lambda a: a.month)
    measures = sorted(
        uow.documents.query(StaffMeasure, staff_id=staff_id), key=lambda m: (m.decided_on, m.id)
    )
    reads = staff_reads(uow, staff_id)
    engineer = _engineer(uow, staff_id)
    erasures = uow.documents.query(StaffErasureRecord, staff_id=staff_id)
    data: dict[str, Any] = {
        "engineer": unstructure(engineer) if engineer is not None else None,
        # their engineer record's history (registration, changes), as a customer's export holds theirs
        "master_data_changes": [
            unstructure(c)
            for c in uow.documents.query(MasterDataChange, record_kind="engineer", record_id=staff_id)
        ],
        "staff_training": _trainings(uow, staff_id),
        "dealer_training": _dealer_trainings(uow, engineer),
        "staff_appraisal": [unstructure(a) for a in appraisals],
        "staff_measure": [unstructure(m) for m in measures],
        "complaints": [
            {"complaint_id": m.complaint_id, "measure_id": m.id}
            for m in measures
            if m.complaint_id is not None
        ],
        "teams": _teams(uow, staff_id),
        "agent_shifts": _agent_shifts(uow, staff_id),
        **_loans(uow, staff_id),
        "departure": _departure(uow, staff_id),
        "erasures": [unstructure(e) for e in sorted(erasures, key=lambda e: (e.erased_at, e.id))],
        "reads": [unstructure(r) for r in sorted(reads, key=lambda r: (r.at, r.id))],
    }
    return data
