"""The month's feedback to the general manager and the related departments (seed 004 第五条 1(6)).

"客户服务中心 … 负责收集、建全产品销售信息及外部质量信息及用户意见，每月反馈给总经理及相关部门": the service
centre gathers, for a month, the external quality information, the users' opinions and the sales
information it holds, and sends them every month to the general manager and the related departments.

Nothing here counts anew: each part is what the desk's own capability reads, as its reader sees it —

- external quality information: the batch quality incidents detected in the month
  (``desk.quality_incidents.incidents``) and the problems found on units by warranty phase, with
  their symptoms, written reports due and design hazards (``desk.archives.phase_feedback``);
- users' opinions: the complaints registered in the month (``desk.complaints.complaint_log``
  ``registered_in``: received in it, or received earlier and entered in it, marked ``late``; without
  the customer's name, address or phone: the feedback goes to management, not to the field) and the
  callbacks made in the month that carry a comment, a low score (one the complaint policy's
  ``opens_complaint`` finds too low: the built-in's ``complaint_below_score``), a grievance (the
  repairer not polite, a charge outside the rules, another grievance said: a complaint whatever the
  score) or the problem back;
- sales information: the units sold in the month (their purchase date), and those bought earlier and
  registered after their month's feedback went out (``Asset.registered_month``, the first month still
  to send: :mod:`aftersales.service.unit_month`), per product.

Who reads it is the one permission table's ``monthly_feedback`` (the office and the auditor); the
:mod:`aftersales.service.jobs` ``monthly_feedback`` job sends its headline figures to the general
manager and the pack's ``[notification] monthly_feedback_to`` on the first working day of the next
month, once. :func:`aftersales.reports.monthly_feedback.monthly_feedback` adds the month's KPIs and
renders it like every report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import attrs

from aftersales.domain.complaints import ComplaintSeverity
from aftersales.domain.contact import zone
from aftersales.domain.erasure import ERASED
from aftersales.domain.surveys import CallbackRecord
from aftersales.domain.text import checked_month
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.archives import CallbackEntry, callback_entries
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_desk import ComplaintLogFilter
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit
from aftersales.service.phase_feedback import PhaseFeedback, phase_feedback
from aftersales.service.unsatisfied_callback import unsatisfied_below

if TYPE_CHECKING:
    from aftersales.service.archives import ArchiveDesk
    from aftersales.service.complaint_desk import ComplaintDesk
    from aftersales.service.quality_incidents import QualityIncidentDesk

__all__ = [
    "CallbackLine",
    "ComplaintLine",
    "FeedbackFacts",
    "IncidentLine",
    "MonthlyFeedbackDesk",
    "SoldLine",
    "month_days",
]


@attrs.frozen
class IncidentLine:
    """A batch quality incident detected in the month (第七条 5(2) 批量质量事故)."""

    incident_id: str
    batch: str
    product_id: str | None
    problem: str
    """The shared problem (the symptom or cause the batch is grouped by)."""
    units: int
    """The units of the batch it reached."""
    state: str
    dimension: str | None = None
    """What ``problem`` is (``symptom`` or ``cause``, the pack's batch dimension): the page labels it as
    one; ``None`` shows it as written."""


@attrs.frozen
class ComplaintLine:
    """A complaint registered in the month: what and how it stands, without the customer's particulars."""

    complaint_id: str
    received_at: datetime
    severity: ComplaintSeverity
    state: str
    product: str
    fault: str
    outcome: str
    late: bool = False
    """Received in an earlier month and registered in this one: the earlier month's feedback went out
    without it, so this month's carries it (seed 004 第五条 1(6))."""


@attrs.frozen
class CallbackLine:
    """A callback of the month with an opinion in it: a comment, a low score, a grievance, or the problem
    back."""

    ticket_id: str
    at: datetime
    score: int | None
    """The survey's overall score (1-5), ``None`` when no survey was asked."""
    low: bool
    """The complaint policy finds the score too low (``opens_complaint``, as for a callback's score)."""
    problem_back: bool
    comment: str
    attitude: int | None = None
    """The customer's evaluation (1-5) of the team's service attitude, when it was asked; ``low`` judges
    the lower of it and ``score``, as the callback's complaint does (seed 004 第七条 4: 态度不好)."""
    grievances: tuple[str, ...] = ()
    """What the customer complained of at the callback whatever the score (``polite``, ``charged_by_rules``
    answered no; ``other_complaints`` said): the callback desk takes it as a complaint (第七条 3-4), so it
    is a user's opinion of the month too."""
    other_complaints: str = ""
    """The grievance in the customer's words (是否有其它不满意的地方), when they said one."""
    unsatisfied: bool = False
    """Judged not satisfied (the lower of ``score`` and ``attitude`` below the complaint policy's
    ``unsatisfied_below``, as the ``callback_unsatisfied`` notice judges it): a 3 of 5 that opened no
    complaint but reached the manager, so it is listed with the month's opinions (seed 001 三(七)3)."""


@attrs.frozen
class SoldLine:
    """Units of one product whose sale was registered in the month (bought in it, or bought earlier and
    registered in it: :attr:`~aftersales.domain.products.Asset.registered_month`)."""

    product_id: str
    units: int


@attrs.frozen
class FeedbackFacts:
    """What the service centre gathered for ``month`` (the desk's local days ``[start, end)``)."""

    month: str
    start: date
    end: date
    incidents: tuple[IncidentLine, ...]
    phases: PhaseFeedback
    complaints: tuple[ComplaintLine, ...]
    callbacks_made: int
    opinions: tuple[CallbackLine, ...]
    sold: tuple[SoldLine, ...]

    @property
    def major_complaints(self) -> int:
        """Complaints of the month that are major (重大投诉: a crisis event or a batch incident's)."""
        return sum(c.severity is ComplaintSeverity.MAJOR for c in self.complaints)

    @property
    def low_scores(self) -> int:
        """Callbacks of the month scored below the complaint policy's threshold."""
        return sum(c.low for c in self.opinions)

    @property
    def unsatisfied(self) -> int:
        """Callbacks of the month judged not satisfied (``[complaint] unsatisfied_below``), the low scores
        among them."""
        return sum(c.unsatisfied for c in self.opinions)

    @property
    def grievances(self) -> int:
        """Callbacks of the month at which the customer voiced a grievance (seed 004 第七条 3-4): the notice
        counts them beside the low scores, as the page lists them (a grievance is a complaint whatever the
        score)."""
        return sum(bool(c.grievances) for c in self.opinions)

    @property
    def problems(self) -> int:
        """Problems found on units in the month's calls, every phase."""
        return sum(p.problems for p in self.phases.phases)

    def headline(self) -> dict[str, object]:
        """The figures the monthly notice carries (its template's values)."""
        return {
            "month": self.month,
            "incidents": len(self.incidents),
            "problems": self.problems,
            "complaints": len(self.complaints),
            "major_complaints": self.major_complaints,
            "callbacks": self.callbacks_made,
            "low_scores": self.low_scores,
            "grievances": self.grievances,
            "units_sold": sum(s.units for s in self.sold),
        }


def month_days(month: str) -> tuple[date, date]:
    """The first day of ``month`` and of the month after (``ValidationError`` naming ``month``)."""
    checked_month(month)
    year, number = int(month[:4]), int(month[5:])
    if (year, number) == (9999, 12):  # the month after is past the calendar's last year
        raise ValidationError("the last month with an end is 9999-11", field="month")
    return date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)


@validated_commands
class MonthlyFeedbackDesk:
    """The month's feedback of one desk (``desk.feedback``), gathered from its capabilities."""

    def __init__(
        self,
        context: DeskContext,
        *,
        complaints: ComplaintDesk,
        quality_incidents: QualityIncidentDesk,
        archives: ArchiveDesk,
    ) -> None:
        self.context = context
        self.complaints = complaints
        self.quality_incidents = quality_incidents
        self.archives = archives

    def facts(self, actor: Actor, month: str) -> FeedbackFacts:
        """What the service centre feeds back for ``month`` (``YYYY-MM``), as ``actor`` may read it.

        ``PermissionDenied`` for whoever the permission table's ``monthly_feedback`` does not list (judged
        before anything is read); ``ValidationError`` naming ``month`` for a malformed month.
        """
        permit(actor, Workflow.DOCUMENTS, "monthly_feedback", month)
        start, end = month_days(month)
        local = zone(self.context.timezone)
        since, until = datetime.combine(start, time(), local), datetime.combine(end, time(), local)
        incidents = tuple(
            IncidentLine(
                i.id,
                i.batch,
                i.product_id,
                i.value,
                len(i.unit_ids) + i.units_elsewhere,
                i.state.value,
                dimension=i.dimension,
            )
            for i in reversed(self.quality_incidents.incidents(actor))
            if since <= i.detected_at < until
        )
        # The calls registered in the month: one received earlier and entered after its month's feedback
        # went out is this month's (service/call_month); seed 002's phase report reads by received date.
        phases = phase_feedback(self.context, actor, start=start, end=end, registered_in=month)
        # The complaints registered in the month: a letter received in the month before and entered in
        # this one is this month's, marked late (the month before's feedback went out without it).
        log = self.complaints.complaint_log(actor, ComplaintLogFilter(registered_in=month))
        complaints = tuple(
            ComplaintLine(
                e.complaint_id, e.received_at, e.severity, e.state, e.product, e.fault, e.outcome,
                late=e.received_at < since,
            )
            for e in sorted(log, key=lambda e: (e.received_at, e.complaint_id))
        )  # fmt: skip
        policy = self.context.policies.complaint

        def low(entry: CallbackEntry) -> bool:
            # Low as the complaint policy judges a callback's scores (those that open a complaint): the
            # result's satisfaction or the attitude evaluation, whichever is lower.
            given = [s for s in (entry.satisfaction, entry.attitude) if s is not None]
            return bool(given) and policy.opens_complaint(min(given)).outcome

        below = unsatisfied_below(self.context)

        def unsatisfied(entry: CallbackEntry) -> bool:
            # As the callback's manager notice judges it (service/unsatisfied_callback): the same
            # threshold, the lower of the two scores.
            given = [s for s in (entry.satisfaction, entry.attitude) if s is not None]
            return bool(given) and min(given) < below

        with self.context.reader() as uow:
            # The callbacks made in the month, as each ticket's log keeps them (the score given alone,
            # without the full survey, is the log's): the records name the tickets.
            records = [r for r in uow.documents.query(CallbackRecord) if since <= r.at < until]
            called = sorted({r.ticket_id for r in records})
            whose: dict[str, str] = {r.ticket_id: r.customer_id for r in records}
            made = [c for t in called for c in _entries(_ticket(uow, t)) if since <= c.at < until]
            # Sales by the month each counts in (a unit stored before session 37: its purchase month):
            # one bought on 28 March and registered after March's feedback went out is April's.
            sold = Counter(a.product_id for a in uow.assets.list() if a.sale_month() == month)
        opinions = tuple(
            CallbackLine(
                c.ticket_id,
                c.at,
                c.satisfaction,
                low(c),
                c.problem_back,
                c.comment,
                c.attitude,
                c.grievances,
                c.other_complaints,
                unsatisfied(c),
            )
            for c in sorted(made, key=lambda c: (c.at, c.ticket_id))
            # A grievance is an opinion as a low score is: both open (or send back) a complaint; a
            # not-satisfied score reached the manager without one.
            if c.comment.strip() or c.problem_back or low(c) or unsatisfied(c) or c.grievances
        )
        # The customers' own words at their callbacks (the comments): a read of their personal data, as
        # the complaint log read above is (``desk.privacy.access_log``, what ``monthly_feedback``).
        # Words erased since ("[erased]") are nobody's: reading them is no read of the erased person.
        quoted = [
            whose[o.ticket_id]
            for o in opinions
            if (_said(o.comment) or _said(o.other_complaints)) and o.ticket_id in whose
        ]
        record_access(self.complaints.runner, actor, "monthly_feedback", quoted)
        return FeedbackFacts(
            month, start, end, incidents, phases, complaints, len(made), opinions,
            tuple(SoldLine(p, n) for p, n in sorted(sold.items())),
        )  # fmt: skip


def _said(words: str) -> bool:
    """Whether ``words`` quote someone: not blank, and not what an erasure left (``[erased]``)."""
    return words.strip() not in ("", ERASED)


def _ticket(uow: UnitOfWork, ticket_id: str) -> Ticket | None:
    try:
        return uow.tickets.get(ticket_id)
    except NotFound:  # a record left behind by a ticket no longer stored: nothing of it to read
        return None


def _entries(ticket: Ticket | None) -> list[CallbackEntry]:
    return list(callback_entries(ticket)) if ticket is not None else []
