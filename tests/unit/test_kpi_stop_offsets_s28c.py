"""The KPI's missed responses and resolutions judge each ticket without a stored due by its own stop.

A ticket never answered (or never resolved) whose clock stopped — cancelled, or waiting in a pausing
state — is late when the clock ran past its due: the stored due, or without one the fallback target in
working time from its receipt, measured at the instant its clock stopped. The working-time offsets of
the stops were taken for every stopped ticket but consumed only by those without a stored due, so a
ticket with a due that stopped before one without took its place: the one without was judged at the
other's stop (late by weeks, or on time when it was not).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import micros
from aftersales.ports.reporting import ALL, GroupBy, Period, TicketCounts, TicketTiming, TimingColumns
from aftersales.reports.kpi import kpi_report

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar("Asia/Shanghai", {d: [(time(9), time(18))] for d in range(5)})
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
PERIOD = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
HOUR = 3_600_000_000


class _Queries:
    """Two tickets received on a Monday morning, both cancelled, none answered or resolved."""

    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self.rows = rows

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        return {ALL: TicketCounts(tickets=len(self.rows), cancelled=len(self.rows))}

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        return iter(())

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        return TimingColumns.of_rows(self.rows)


def _row(received: int, due: int | None, stop: int) -> tuple[object, ...]:
    # group, received, first response, response due, resolved, resolution due, response stop,
    # resolution stop, paused, paused waiting for parts
    return (ALL, received, None, due, None, due, stop, stop, None, None)


def test_a_ticket_without_a_due_is_judged_at_its_own_stop() -> None:
    received = micros(MONDAY)
    late_with_due = _row(received, received + HOUR, received + 20 * 24 * HOUR)  # cancelled weeks later
    quick_without = _row(received + 60_000_000, None, received + 11 * 60_000_000)  # cancelled in 10 min
    for rows, missed in (
        ([late_with_due, quick_without], 1),
        ([quick_without, late_with_due], 1),
        ([quick_without], 0),
        ([late_with_due], 1),
    ):
        report = kpi_report(_Queries(rows), PERIOD, CAL)  # type: ignore[arg-type]
        assert report.total.response_missed == missed, rows
        assert report.total.resolution_missed == missed, rows


def test_a_paused_ticket_with_a_due_leaves_the_next_ones_stop_to_it() -> None:
    received = micros(MONDAY)
    # waiting for the customer since 20 days on (paused, not stopped), then one without a due stopped soon
    paused = (ALL, received, None, received + HOUR, None, received + 48 * HOUR, None, None,
              received + 20 * 24 * HOUR, None)  # fmt: skip
    quick_without = _row(received + 60_000_000, None, received + 11 * 60_000_000)
    as_of = MONDAY + timedelta(days=25)
    report = kpi_report(_Queries([paused, quick_without]), PERIOD, CAL, as_of=as_of)  # type: ignore[arg-type]
    # the paused one, waiting since after both its dues; not the one cancelled within 10 working minutes
    assert report.total.response_missed == 1
    assert report.total.resolution_missed == 1
