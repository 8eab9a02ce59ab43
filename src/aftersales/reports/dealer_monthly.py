"""Dealers' monthly installation and repair reports (seed 002: 每月3号之前将上月安装/维修情况报至售后服务部).

A dealer submits a :class:`DealerMonthlyReport` document for each month
(``desk.reports.submit_dealer_report``); it is due by the end of
day ``due_day`` (3) of the next month in the market's time zone. :func:`dealer_monthly` puts each
dealer's submitted figures beside the ledger's counts and lists who is late or missing. The ledger's
counts are by the dealer doing the job (:func:`~aftersales.ports.reporting.serving_dealer`): the dealer a
ticket is dispatched to (or whose own engineer it is assigned to), else the dealer whose own staff took the
call while nobody was assigned. Seed 002 asks each dealer for the installations and repairs it did
(9/10: 对所安装调试情况 / 所维修情况进行一次统计): a call passed to another dealer is that dealer's, and a
job no dealer held (the maker's own engineer, a call solved by phone) is no dealer's (session 29: it
counted for the customer's dealer, whose true report then stopped matching). A call cancelled (a
duplicate, registered by mistake) is no installation or repair and is not counted, so a dealer's true
figures match the ledger's.

A job counts in the month it was completed — the customer's acceptance of the work (分工 7: 每次维修完毕后…
经客户确认后汇总至甲方处备案) — not the month the call came in: the dealer reports by the 3rd the repairs it
did last month (上月维修情况), and a call of 30 April repaired on 2 May is May's. (Session 24: counted by
the month received, a call still open at the month's end was in that month's figures, and April's ledger
count moved after April's report was filed, so a true report stopped matching it.) Each acceptance counts
in its month: a job reopened later stays in the month it was accepted in, and its rework, accepted again,
is another repair of the month of that acceptance (每次维修完毕后…经客户确认).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import require_aware
from aftersales.domain.quality_reports import DealerMonthlyReport
from aftersales.errors import ValidationError, shown_repr
from aftersales.policies.dealer_reports import pack_dealer_report_rules
from aftersales.ports.clock import Clock
from aftersales.ports.reporting import GroupBy, ReportingQueries
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.months import month_period, next_month
from aftersales.reports.sources import ReportDesk

__all__ = [
    "DealerMonthRow",
    "DealerMonthlyReport",
    "DealerMonthlySummary",
    "ReportStatus",
    "dealer_monthly",
    "scoped_dealer_monthly",
]


class ReportStatus(CodedEnum):
    """Where a dealer's report for the month stands."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"


@attrs.frozen
class DealerMonthRow:
    """One dealer's month: the ledger's counts, the submitted report (if any) and its status."""

    dealer_id: str
    installations: int
    repairs: int
    submitted: DealerMonthlyReport | None
    status: ReportStatus

    @property
    def matches_ledger(self) -> bool | None:
        """Whether the submitted figures equal the ledger's (``None`` when nothing was submitted)."""
        if self.submitted is None:
            return None
        return (self.submitted.installations, self.submitted.repairs) == (self.installations, self.repairs)


@attrs.frozen
class DealerMonthlySummary:
    """Every dealer's report for ``month``, and those missing at ``as_of``."""

    month: str
    due_at: datetime
    as_of: datetime
    rows: tuple[DealerMonthRow, ...]
    direct_installations: int = 0
    """Installations of the month no dealer did: the maker's own engineers, or its office (no report is
    owed for them). Seed 002 9/10: the dealers report so that the maker 汇总统计相关情况 — the month's
    whole figure is the dealers' rows and this one (session 30: the maker's own work had no row, and the
    table's total was short of it). Zero in a dealer's own view."""
    direct_repairs: int = 0
    """Repairs of the month no dealer did (as :attr:`direct_installations`)."""

    @property
    def missing(self) -> tuple[str, ...]:
        """Dealers whose report is past due and not submitted."""
        return tuple(r.dealer_id for r in self.rows if r.status is ReportStatus.MISSING)


def due_at(month: str, due_day: int = 3, timezone: str = "Asia/Shanghai") -> datetime:
    """The deadline of ``month``'s report: end of day ``due_day`` of the next month."""
    if not isinstance(due_day, int) or isinstance(due_day, bool) or not 1 <= due_day <= 28:
        raise ValidationError("due_day is a day of the month from 1 to 28", field="due_day")
    return month_period(next_month(month), timezone).start + timedelta(days=due_day)


def _categories(value: object, field: str) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} is a collection of category codes", field=field)
    given = list(value)
    if not all(isinstance(c, str) for c in given):  # checked before hashing: a list inside is no code
        raise ValidationError(f"{field} holds category codes (text)", field=field)
    return frozenset(given)


def dealer_monthly(
    queries: ReportingQueries,
    store: StoreFactory,
    month: str,
    *,
    as_of: datetime | None = None,
    clock: Clock | None = None,
    due_day: int = 3,
    timezone: str = "Asia/Shanghai",
    installation_categories: frozenset[str] = frozenset({"installation"}),
    repair_categories: frozenset[str] = frozenset({"repair"}),
) -> DealerMonthlySummary:
    """Each registered dealer's month: installations and repairs completed in it (accepted by the
    customer, not cancelled), whenever the call came in, and its report's status.

    Every argument is used or refused with a ``ValidationError`` naming it: ``as_of`` (or what
    ``clock`` reads) is an aware instant, ``due_day`` a day of the month (not ``True``), each category
    set a collection of codes (not one string, which would match by substring).

    Without a desk there is no zone to ask: ``timezone`` (the month's and the deadline's) defaults to
    Asia/Shanghai (the seeds' networks); a host elsewhere passes its own, or reads
    :func:`scoped_dealer_monthly` (the desk's zone).

    Judges nobody (a host's batch job): people read :func:`scoped_dealer_monthly`.
    """
    period = month_period(month, timezone)
    deadline = due_at(month, due_day, timezone)
    installation_categories = _categories(installation_categories, "installation_categories")
    repair_categories = _categories(repair_categories, "repair_categories")
    if as_of is None and clock is None:
        raise ValidationError("give as_of or a clock", field="as_of")
    if as_of is None and not isinstance(clock, Clock):
        raise ValidationError("clock is a Clock (it has now())", field="clock")
    now = require_aware(as_of if as_of is not None else clock.now(), "as_of")  # type: ignore[union-attr]
    counts = queries.completed_category_counts(period, GroupBy.SERVING_DEALER)
    with store() as uow:
        dealers: set[str] = {d.id for d in uow.dealers.list()}
        submitted = {r.dealer_id: r for r in uow.documents.query(DealerMonthlyReport, month=month)}
    dealers |= {d for d, _ in counts if d}
    rows: list[DealerMonthRow] = []
    for dealer in sorted(dealers):
        inst = sum(n for (d, c), n in counts.items() if d == dealer and c in installation_categories)
        rep = sum(n for (d, c), n in counts.items() if d == dealer and c in repair_categories)
        report = submitted.get(dealer)
        if report is not None:
            status = ReportStatus.ON_TIME if report.filed_at < deadline else ReportStatus.LATE
        else:
            status = ReportStatus.MISSING if now >= deadline else ReportStatus.PENDING
        rows.append(DealerMonthRow(dealer, inst, rep, report, status))
    direct_inst = sum(n for (d, c), n in counts.items() if not d and c in installation_categories)
    direct_rep = sum(n for (d, c), n in counts.items() if not d and c in repair_categories)
    return DealerMonthlySummary(month, deadline, now, tuple(rows), direct_inst, direct_rep)


def scoped_dealer_monthly(
    desk: ReportDesk,
    actor: object,
    queries: ReportingQueries,
    month: str,
    *,
    as_of: datetime | None = None,
    due_day: int | None = None,
    installation_categories: Iterable[str] | None = None,
    repair_categories: Iterable[str] | None = None,
) -> DealerMonthlySummary:
    """:func:`dealer_monthly` as ``actor`` may read it through ``desk``: the month of the desk's zone
    (``desk.reports.timezone``), read at ``as_of`` (default: the desk's clock), due by the pack's
    ``[dealer_reports] due_day`` (seed 002: 每月3号之前; session 28: the day was this argument's, 3
    whatever the pack). ``due_day``, when given, must be the pack's: another day would judge dealers
    late by a rule the company has not got (``ValidationError`` naming ``due_day``). So must the categories
    counted as installations and repairs, the pack's ``[dealer_reports] installation_categories`` and
    ``repair_categories`` (session 38: they were these arguments' alone, ``installation`` and ``repair``
    whatever the pack), when given (``ValidationError`` naming the argument).

    Judged by the permission table's ``dealer_monthly_report`` (``desk.reports.dealer_monthly_scope``,
    before any figure is read): the heads and the auditor read every dealer's row (seed 002 9/10:
    每月…统计并报至甲方的售后服务部); dealer staff their own dealer's row only — its counts beside its own
    report, not the other dealers' (乙方 reports to 甲方, not to its peers); anyone else is
    ``PermissionDenied``."""
    dealer = desk.reports.dealer_monthly_scope(actor)
    rules = pack_dealer_report_rules(desk.policies.extra)
    pack_day = rules.due_day
    kinds = {
        "installation_categories": rules.installation_categories,
        "repair_categories": rules.repair_categories,
    }
    for field, given in (
        ("installation_categories", installation_categories),
        ("repair_categories", repair_categories),
    ):
        if given is not None and _categories(given, field) != kinds[field]:
            raise ValidationError(
                f"{field} is the pack's [dealer_reports] {field} ({', '.join(sorted(kinds[field]))})",
                field=field,
            )
    # An int, not one equal to it: True, 3.0 or Decimal(3) is no day; a host's object may not compare.
    if due_day is not None and (type(due_day) is not int or due_day != pack_day):
        raise ValidationError(
            f"due_day is the pack's [dealer_reports] due_day ({pack_day}), got {shown_repr(due_day, 40)}",
            field="due_day",
        )
    summary = dealer_monthly(
        queries, desk.store, month, as_of=as_of, clock=desk.clock if as_of is None else None,
        due_day=pack_day, timezone=desk.reports.timezone,
        installation_categories=rules.installation_categories, repair_categories=rules.repair_categories,
    )  # fmt: skip
    if dealer is None:
        return summary
    # Its own row only: the maker's own jobs are not the dealer's to read, as the other dealers' are not.
    own = tuple(r for r in summary.rows if r.dealer_id == dealer)
    return attrs.evolve(summary, rows=own, direct_installations=0, direct_repairs=0)
