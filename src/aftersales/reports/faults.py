"""Fault statistics (seed 002 质量反馈): Pareto, monthly trend for the PDCA loop, batch incidents.

A batch incident (批量质量事故, seed 004) is the same problem in at least the pack's threshold (5 %,
inclusive) of the units of one production batch. The report applies the very rule of the desk's
in-transaction detector (:func:`~aftersales.policies.complaints.judge_batch`): the same dimension
(the pack's ``batch_dimension``, cause by default), distinct units (assets) counted once, at least two
of them, and the batch size as the registered units unless the maker passes its production figures.
What it finds has the key of the desk's :class:`~aftersales.domain.quality_incidents.QualityIncident`;
``desk.reports.raise_batch_incidents`` (a command, so it lives in the service) runs the desk's
detector over those batches, which raises (and escalates) each incident not raised yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from aftersales.domain.ids import ProductId
from aftersales.domain.instants import require_aware
from aftersales.domain.quality_reports import BatchIncident
from aftersales.errors import ValidationError
from aftersales.policies.complaints import ComplaintParams, judge_batch
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import (
    FaultDimension,
    Period,
    ReportingQueries,
    count_faults,
    fault_evidence,
)
from aftersales.ports.repositories import every_ticket
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.months import checked_months, month_period
from aftersales.reports.rounding import share
from aftersales.reports.sources import ReportDesk

__all__ = [
    "BatchIncident",
    "FaultTrend",
    "ParetoItem",
    "ParetoReport",
    "detect_batch_incidents",
    "fault_pareto",
    "fault_trend",
    "scoped_batch_incidents",
    "scoped_fault_pareto",
    "scoped_fault_trend",
]


@attrs.frozen
class ParetoItem:
    """One value of the dimension: its count, share and the cumulative share up to it."""

    key: str
    count: int
    share: Decimal
    cumulative_share: Decimal
    vital: bool
    """Among the "vital few": the items that together make up ``vital_share`` of all faults."""


@attrs.frozen
class ParetoReport:
    """Faults of a period by one dimension, most frequent first (ties by key)."""

    period: Period
    dimension: FaultDimension
    total: int
    items: tuple[ParetoItem, ...]


def _dimension(value: object) -> FaultDimension:
    """``value`` as a :class:`FaultDimension`, else a ``ValidationError`` naming ``dimension``."""
    if isinstance(value, str) and value in {d.value for d in FaultDimension}:
        return FaultDimension(value)
    known = ", ".join(d.value for d in FaultDimension)
    raise ValidationError(f"a fault dimension is one of {known}; got {value!r}", field="dimension")


def _vital_share(value: object) -> Decimal:
    """The Pareto's cut: a ``Decimal`` share above 0 and at most 1 (a float is refused, as for money)."""
    if not isinstance(value, Decimal) or not value.is_finite() or not Decimal(0) < value <= Decimal(1):
        raise ValidationError(
            f"vital_share is a Decimal above 0 and at most 1, got {value!r}", field="vital_share"
        )
    return value


def fault_pareto(
    queries: ReportingQueries,
    period: Period,
    dimension: FaultDimension,
    *,
    vital_share: Decimal = Decimal("0.8"),
) -> ParetoReport:
    """The Pareto of the fault occurrences of tickets received in ``period`` by ``dimension``: a
    symptom and cause a ticket records again (after a reopen) is one fault
    (:func:`~aftersales.ports.reporting.fault_facts`); by symptom or cause a ticket counts once per
    value (:func:`~aftersales.ports.reporting.count_faults`: one leak traced to two causes is one
    leak). Cancelled tickets' faults are no evidence (:func:`~aftersales.ports.reporting.fault_evidence`).

    Judges nobody (a host's batch job): people read :func:`scoped_fault_pareto`."""
    dimension = _dimension(dimension)
    vital_share = _vital_share(vital_share)
    if not isinstance(period, Period):
        raise ValidationError("period is a Period (or month_period('2026-03'))", field="period")
    return _pareto(period, dimension, queries.fault_counts(period, dimension), vital_share)


def _pareto(
    period: Period, dimension: FaultDimension, counts: Mapping[str, int], vital_share: Decimal
) -> ParetoReport:
    total = sum(counts.values())
    items: list[ParetoItem] = []
    running = 0
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        before = Decimal(running) / total
        running += n
        items.append(
            ParetoItem(
                key,
                n,
                share(n, total),
                share(running, total),
                before < vital_share,
            )
        )
    return ParetoReport(period, dimension, total, tuple(items))


@attrs.frozen
class FaultTrend:
    """Fault counts per month for each value of a dimension (the PDCA feedback to R&D)."""

    dimension: FaultDimension
    months: tuple[str, ...]
    series: Mapping[str, tuple[int, ...]]

    def change(self, key: str) -> int:
        """Last month minus the month before (0 with fewer than two months)."""
        values = self.series.get(key, ())
        return values[-1] - values[-2] if len(values) >= 2 else 0


def fault_trend(
    queries: ReportingQueries,
    months: Sequence[str],
    dimension: FaultDimension,
    *,
    timezone: str = "Asia/Shanghai",
) -> FaultTrend:
    """Fault counts of each month (``"2026-03"``, in ``timezone``; at most 36) by ``dimension``.

    Without a desk there is no zone to ask: ``timezone`` defaults to Asia/Shanghai (the seeds' networks);
    a host elsewhere passes its own, or reads :func:`scoped_fault_trend` (the desk's zone).

    Judges nobody (a host's batch job): people read :func:`scoped_fault_trend`."""
    dimension = _dimension(dimension)
    months = checked_months(months)
    per_month = [queries.fault_counts(month_period(m, timezone), dimension) for m in months]
    keys = sorted({k for counts in per_month for k in counts})
    series = {k: tuple(counts.get(k, 0) for counts in per_month) for k in keys}
    return FaultTrend(dimension, tuple(months), series)


_DEFAULT_PARAMS = ComplaintParams()


def _batch_sizes(value: object) -> dict[tuple[str, str], int]:
    """The maker's production figures: ``(product_id, batch)`` → units made (a whole number ≥ 1)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError("batch_sizes maps (product_id, batch) to units produced", field="batch_sizes")
    out: dict[tuple[str, str], int] = {}
    for key, size in value.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) and k for k in key)):
            raise ValidationError(
                f"a batch_sizes key is (product_id, batch), got {key!r}", field="batch_sizes"
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValidationError(f"the size of batch {key!r} is a whole number of units ≥ 1, got {size!r}",
                                  field="batch_sizes")  # fmt: skip
        out[key] = size
    return out


def detect_batch_incidents(
    queries: ReportingQueries,
    until: datetime,
    *,
    params: ComplaintParams = _DEFAULT_PARAMS,
    batch_sizes: Mapping[tuple[str, str], int] | None = None,
) -> list[BatchIncident]:
    """Batches where one problem reached the pack's threshold, from fault records before ``until``.

    ``until`` is exclusive, as every ``until`` of the library (a ``Period``'s end, ``received_to``, the SLA
    alerts' ``until``): the records of tickets received before it count; one received at ``until`` is the
    next cut-off's.

    ``params`` is the desk's complaint policy parameters (``desk.policies.complaint.params``): its
    ``batch_dimension`` says what the same problem is and its threshold decides, through the rule the
    desk's detector applies; its ``batch_excluded_causes`` (the user's or outside causes) never count, as
    in the detector (seed 004: 由于设计、生产不当). ``batch_sizes`` maps ``(product_id, batch)`` to units
    produced; missing batches use the number of registered units. A batch of unknown size is not judged.
    Cancelled tickets' faults do not count (:func:`~aftersales.ports.reporting.fault_evidence`).

    Judges nobody (a host's batch job): people read :func:`scoped_batch_incidents`.
    """
    if not isinstance(params, ComplaintParams):
        raise ValidationError(
            "params are the desk's ComplaintParams (desk.policies.complaint.params)", field="params"
        )
    until = require_aware(until, "until")  # named as the caller wrote it, not as the store's filter
    dimension = params.batch_dimension
    sizes = dict(queries.batch_sizes())
    sizes.update(_batch_sizes(batch_sizes))
    found: list[BatchIncident] = []
    counted = queries.batch_fault_units(until, dimension, params.batch_excluded_causes)
    for (product, batch, value), units in sorted(counted.items()):
        size = sizes.get((product, batch), 0)
        if size <= 0 or units > size:
            continue
        if judge_batch(batch, value, units, size, params, ProductId(product)).outcome is not None:
            found_share = share(units, size)
            found.append(BatchIncident(product, batch, value, units, size, found_share, dimension))
    return found


def _period(value: object) -> Period:
    if not isinstance(value, Period):
        raise ValidationError("period is a Period (or month_period('2026-03'))", field="period")
    return value


def dealer_fault_counts(
    store: StoreFactory, dealer_id: str, period: Period, dimension: FaultDimension
) -> dict[str, int]:
    """The fault counts of ``dealer_id``'s jobs received in ``period`` (its own tickets and those passed to
    it: what its ledger lists, ``TicketFilter.dealer_scope``), counted as every store counts the network's
    (:func:`~aftersales.ports.reporting.count_faults` over
    :func:`~aftersales.ports.reporting.fault_evidence`)."""
    query = TicketFilter(received_from=period.start, received_to=period.end, dealer_scope=dealer_id)
    with store() as uow:
        facts = [f for ticket in every_ticket(uow.tickets, query) for f in fault_evidence(ticket)]
    return count_faults(facts, dimension)


def scoped_fault_pareto(
    desk: ReportDesk,
    actor: object,
    queries: ReportingQueries,
    period: Period,
    dimension: FaultDimension,
    *,
    vital_share: Decimal = Decimal("0.8"),
) -> ParetoReport:
    """:func:`fault_pareto` as ``actor`` may read it through ``desk`` (``queries``: the desk store's, e.g.
    ``aftersales.adapters.reporting.reporting_for(desk.store)``).

    Judged by the permission table's ``fault_report`` (``desk.reports.fault_scope``, before any figure is
    read): the heads and the auditor read the network's faults; dealer staff the faults of their own
    dealer's jobs (its tickets and those passed to it, seed 002: 乙方…所维修情况); anyone else is
    ``PermissionDenied``."""
    dealer = desk.reports.fault_scope(actor)
    if dealer is None:
        return fault_pareto(queries, period, dimension, vital_share=vital_share)
    dimension, vital_share, period = _dimension(dimension), _vital_share(vital_share), _period(period)
    return _pareto(period, dimension, dealer_fault_counts(desk.store, dealer, period, dimension), vital_share)


def scoped_fault_trend(
    desk: ReportDesk,
    actor: object,
    queries: ReportingQueries,
    months: Sequence[str],
    dimension: FaultDimension,
    *,
    timezone: str | None = None,
) -> FaultTrend:
    """:func:`fault_trend` as ``actor`` may read it through ``desk``, judged as :func:`scoped_fault_pareto`
    (``fault_report``): dealer staff read their own dealer's jobs' faults month by month. The months are
    the desk's zone's (``desk.reports.timezone``) unless ``timezone`` is given."""
    dealer = desk.reports.fault_scope(actor)
    zone_name = desk.reports.timezone if timezone is None else timezone
    if dealer is None:
        return fault_trend(queries, months, dimension, timezone=zone_name)
    dimension = _dimension(dimension)
    months = checked_months(months)
    per_month = [
        dealer_fault_counts(desk.store, dealer, month_period(m, zone_name), dimension) for m in months
    ]
    keys = sorted({k for counts in per_month for k in counts})
    series = {k: tuple(counts.get(k, 0) for counts in per_month) for k in keys}
    return FaultTrend(dimension, tuple(months), series)


def scoped_batch_incidents(
    desk: ReportDesk,
    actor: object,
    queries: ReportingQueries,
    until: datetime,
    *,
    batch_sizes: Mapping[tuple[str, str], int] | None = None,
) -> list[BatchIncident]:
    """:func:`detect_batch_incidents` as ``actor`` may read it through ``desk``, with the desk's own
    complaint policy (its ``batch_dimension``, threshold and excluded causes: the rule its detector
    applies). Judged by the permission table's ``batch_incident_report``: the heads and the auditor; a
    batch spans every dealer's customers, so dealer staff, engineers and customers are
    ``PermissionDenied`` before any figure is read."""
    desk.reports.batch_incident_scope(actor)
    params = desk.policies.complaint.params
    return detect_batch_incidents(queries, until, params=params, batch_sizes=batch_sizes)
