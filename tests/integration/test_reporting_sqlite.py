"""The SQLite reporting queries give the same numbers as the reference (scanning) implementation."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_memory import ScanningReportingQueries
from aftersales.adapters.reporting_sqlite import SqliteReportingQueries
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.calendar import BusinessCalendar
from aftersales.ports.reporting import FaultDimension, GroupBy, Period, ReportingQueries
from aftersales.reports.faults import detect_batch_incidents
from aftersales.reports.kpi import kpi_report

_spec = importlib.util.spec_from_file_location(
    "reporting_data", Path(__file__).parent.parent / "unit" / "reporting_data.py"
)
assert _spec is not None and _spec.loader is not None
_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_data)
SH, assets, tickets = _data.SH, _data.assets, _data.tickets

MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
CAL = BusinessCalendar("Asia/Shanghai", {d: [(datetime.min.time(), datetime.min.time())] for d in range(7)})


@pytest.fixture
def both(tmp_path: Path) -> tuple[ReportingQueries, ReportingQueries]:
    memory = MemoryStore()
    sqlite = SqliteStore(f"sqlite:///{tmp_path / 'r.db'}")
    _data.fill(memory)
    _data.fill(sqlite)
    return reporting_for(memory), reporting_for(sqlite)


@pytest.mark.parametrize("group", list(GroupBy))
def test_counts_and_timings_match(both: tuple[ReportingQueries, ReportingQueries], group: GroupBy) -> None:
    memory, sqlite = both
    assert isinstance(memory, ScanningReportingQueries) and isinstance(sqlite, SqliteReportingQueries)
    expected = memory.ticket_counts(MARCH, group)
    assert sum(c.tickets for c in expected.values()) == 60
    assert sqlite.ticket_counts(MARCH, group) == expected
    assert sorted(sqlite.timings(MARCH, group), key=lambda t: t.id) == sorted(
        memory.timings(MARCH, group), key=lambda t: t.id
    )
    assert sqlite.category_counts(MARCH, group) == memory.category_counts(MARCH, group)
    assert sqlite.completed_category_counts(MARCH, group) == memory.completed_category_counts(MARCH, group)


@pytest.mark.parametrize("group", list(GroupBy))
def test_timing_columns_are_the_timings(
    both: tuple[ReportingQueries, ReportingQueries], group: GroupBy
) -> None:
    memory, sqlite = both
    expected = sorted(
        (t.group, t.received_us, t.first_response_us, t.response_due_us, t.resolved_us, t.resolution_due_us)
        for t in memory.timings(MARCH, group)
    )
    assert len(expected) == 60
    for queries in (memory, sqlite):
        c = queries.timing_columns(MARCH, group)
        columns = (c.received_us, c.first_response_us, c.response_due_us, c.resolved_us, c.resolution_due_us)
        rows = zip(c.group, *columns, strict=True)
        assert sorted(rows, key=repr) == sorted(expected, key=repr)


@pytest.mark.parametrize("dimension", list(FaultDimension))
def test_fault_counts_match(
    both: tuple[ReportingQueries, ReportingQueries], dimension: FaultDimension
) -> None:
    memory, sqlite = both
    assert memory.fault_counts(MARCH, dimension)
    assert sqlite.fault_counts(MARCH, dimension) == memory.fault_counts(MARCH, dimension)


def test_batches_and_incidents_match(both: tuple[ReportingQueries, ReportingQueries]) -> None:
    memory, sqlite = both
    assert sqlite.batch_sizes() == memory.batch_sizes() == {("CT-1188", "B1"): 20, ("CT-1188", "B2"): 20,
                                                            ("BS-200", "B9"): 20}  # fmt: skip
    assert sqlite.batch_symptom_units(MARCH.end) == memory.batch_symptom_units(MARCH.end)
    assert detect_batch_incidents(sqlite, MARCH.end) == detect_batch_incidents(memory, MARCH.end)


def test_kpi_reports_are_equal(both: tuple[ReportingQueries, ReportingQueries]) -> None:
    memory, sqlite = both
    assert kpi_report(sqlite, MARCH, CAL, group=GroupBy.DEALER) == kpi_report(
        memory, MARCH, CAL, group=GroupBy.DEALER
    )


def test_side_tables_follow_later_updates(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'u.db'}")
    _data.fill(store)
    queries = reporting_for(store)  # the schema step is applied (and backfilled) here
    before = queries.ticket_counts(MARCH, GroupBy.ALL)["all"]
    with store() as uow:
        t = uow.tickets.get("T-0010")  # never answered
        t.cancel(tickets()[0].taken_by, t.received_at.replace(hour=23), "customer withdrew")
        uow.tickets.save(t)
        uow.commit()
    after = queries.ticket_counts(MARCH, GroupBy.ALL)["all"]
    assert after.cancelled == before.cancelled + 1


def test_backfill_on_a_file_written_before_the_step(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'old.db'}")
    _data.fill(store)
    store.close()
    reopened = SqliteStore(f"sqlite:///{tmp_path / 'old.db'}")
    memory = MemoryStore()
    _data.fill(memory)
    assert reporting_for(reopened).ticket_counts(MARCH, GroupBy.REGION) == reporting_for(
        memory
    ).ticket_counts(MARCH, GroupBy.REGION)
