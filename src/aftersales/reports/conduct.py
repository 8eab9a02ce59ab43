"""Service conduct per engineer, from the callbacks (服务规范性, seed 003 绩效考核).

Seed 003 appraises the service staff on 客户满意度、响应速度、问题解决率、服务规范性: the first three are
the KPI report's (:func:`~aftersales.reports.kpi.kpi_report`, grouped by engineer). Conduct is what the
customer is asked at the callback about how the service was given (seed 003 服务过程: 携带统一工牌, 着工装,
遵守操作规范, 向客户演示结果并讲解注意事项; seed 004's checklist): the engineer tidy, polite, on time,
charging by the rules, explaining the use, cleaning up — the :data:`CONDUCT_ITEMS` of the
:class:`~aftersales.domain.surveys.CallbackChecklist`. Whether the product works is the fix, not conduct.

One row per engineer (the service ticket's assignee when the callback was made — a rework sent to
another engineer afterwards does not take the answers over —: a dealer's id for a job the dealer held,
``""`` for work no one was dispatched to), over the callbacks of service tickets
recorded in the period. The rate is the share of conduct questions answered yes, among those answered
(a question left unasked counts neither way), rounded as every report share is
(:mod:`aftersales.reports.rounding`); ``None`` when nothing was answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from aftersales.domain.classification import TicketKind
from aftersales.domain.surveys import CHECKLIST_ITEMS, CallbackRecord
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.reporting import Period
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.reports.rounding import rate
from aftersales.reports.sources import ReportDesk

__all__ = ["CONDUCT_ITEMS", "ConductReport", "ConductRow", "scoped_service_conduct", "service_conduct"]

CONDUCT_ITEMS: tuple[str, ...] = tuple(item for item in CHECKLIST_ITEMS if item != "product_works")
"""The callback questions about how the service was given (the checklist but whether it works)."""


@attrs.frozen
class ConductRow:
    """One engineer's conduct as their customers answered it at the callbacks."""

    engineer_id: str
    callbacks: int
    """Callbacks with at least one conduct question answered."""
    answered: int
    kept: int
    """Conduct questions answered yes."""
    breaches: Mapping[str, int]
    """Per conduct question answered no, how many times (questions never answered no are left out)."""
    rate: Decimal | None
    """``kept / answered``, rounded half up to 4 places; ``None`` when nothing was answered."""


@attrs.frozen
class ConductReport:
    """The period's conduct: one row per engineer (sorted by id) and the total."""

    period: Period
    rows: tuple[ConductRow, ...]
    total: ConductRow


@attrs.define
class _Tally:
    callbacks: int = 0
    answered: int = 0
    kept: int = 0
    breaches: dict[str, int] = attrs.field(factory=dict)

    def add(self, answers: Mapping[str, bool]) -> None:
        asked = {item: answers[item] for item in CONDUCT_ITEMS if item in answers}
        if not asked:
            return
        self.callbacks += 1
        self.answered += len(asked)
        self.kept += sum(asked.values())
        for item, yes in asked.items():
            if not yes:
                self.breaches[item] = self.breaches.get(item, 0) + 1

    def row(self, engineer_id: str) -> ConductRow:
        breaches = {item: self.breaches[item] for item in CONDUCT_ITEMS if item in self.breaches}
        return ConductRow(
            engineer_id, self.callbacks, self.answered, self.kept, breaches, rate(self.kept, self.answered)
        )


def _in_period(records: Iterable[CallbackRecord], period: Period) -> list[CallbackRecord]:
    return [r for r in records if period.start <= r.at < period.end]


def service_conduct(store: Callable[[], UnitOfWork], period: Period) -> ConductReport:
    """The conduct of each engineer over the service tickets' callbacks recorded in ``period``.

    ``store`` is the desk's store factory (``desk.store``). A complaint's callback asks about the
    complaint's handling, not an engineer's visit: it is left out.

    Judges nobody (a host's batch job): people read :func:`scoped_service_conduct`.
    """
    if not callable(store):
        raise ValidationError("store is the desk's store factory (desk.store)", field="store")
    if not isinstance(period, Period):
        raise ValidationError("period is a Period", field="period")
    tallies: dict[str, _Tally] = {}
    total = _Tally()
    with store() as uow:
        records = _in_period(uow.documents.query(CallbackRecord), period)
        for record in sorted(records, key=lambda r: (r.at, r.id)):
            try:
                ticket = uow.tickets.get(record.ticket_id)
            except NotFound:
                continue  # the ticket is gone (erased): nobody's conduct to count
            if ticket.kind is not TicketKind.SERVICE:
                continue
            answers = record.checklist.answers()
            key = _assignee_at(ticket, record.at)
            tallies.setdefault(key, _Tally()).add(answers)
            total.add(answers)
    rows = tuple(tallies[key].row(key) for key in sorted(tallies) if tallies[key].callbacks)
    return ConductReport(period, rows, total.row(""))


_ASSIGNING = frozenset({"assign", "reassign"})


def _assignee_at(ticket: Ticket, at: datetime) -> str:
    """Whom ``ticket`` was with when its callback of ``at`` was made: the engineer (or dealer) the
    customer was asked about. A rework dispatched to another engineer after the callback does not take
    the answers over (seed 003 三 2: 服务规范性 is appraised, with pay and promotion). The ticket's current
    assignee when its log records no dispatch (an imported history); ``""`` when it was with nobody."""
    holder: str | None = None
    dispatched = False
    for event in ticket.events:
        if event.action == "record_callback" and event.at >= at:
            break
        if event.at > at:
            break
        if event.action in _ASSIGNING:
            raw = event.payload.get("assignee")
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                holder, dispatched = str(raw["id"]), True
    if not dispatched:
        return ticket.assignee.id if ticket.assignee is not None else ""
    return holder or ""


def scoped_service_conduct(desk: ReportDesk, actor: object, period: Period) -> ConductReport:
    """:func:`service_conduct` as ``actor`` may read it through ``desk``: judged by the permission table's
    ``conduct_report`` (``desk.reports.conduct_scope``, before any callback is read). The conduct of every
    engineer is the appraisers' — the heads and the auditor (seed 003 绩效考核; seed 001 六(三):
    售後團隊成員的考核由售後經理負責); dealer staff, engineers and customers are ``PermissionDenied``."""
    desk.reports.conduct_scope(actor)
    return service_conduct(desk.store, period)
