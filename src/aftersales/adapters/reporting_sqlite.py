"""Reporting queries on the SQLite store: SQL aggregates over the side tables the store writes.

The first one on a file that had tickets before reporting existed back-fills their rows in small
transactions (:func:`~aftersales.adapters.reporting_sqlite_schema.backfill_reporting`); writers keep
going meanwhile.

Counts are one ``GROUP BY`` over ``report_tickets`` in the period (an index range on
``received_us``); timings read five integers per ticket. Each call reads one consistent snapshot
(a deferred transaction) and never takes the write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.contact import zone
from aftersales.domain.instants import EPOCH
from aftersales.domain.no_fault import NO_FAULT_FOUND
from aftersales.errors import StorageError
from aftersales.ports.feedback_response import owes_response_sql
from aftersales.ports.reporting import (
    ALL,
    PER_VALUE_DIMENSIONS,
    FaultDimension,
    GroupBy,
    Period,
    TicketCounts,
    TicketTiming,
    TimingColumns,
    batch_dimension,
)
from aftersales.ports.ticket_index import micros

__all__ = ["SqliteReportingQueries", "completed_counts_sql"]

_COUNTS = """count(*),
    sum(resolved_us IS NOT NULL),
    sum(cancelled),
    sum(resolved_us IS NOT NULL AND reworks = 0 AND visits <= 1),
    sum(reworks > 0),
    sum(reworks),
    sum(callback_due_us IS NOT NULL),
    sum(callback_us IS NOT NULL),
    sum(callback_us IS NOT NULL AND callback_due_us IS NOT NULL AND callback_us <= callback_due_us),
    sum(satisfaction IS NOT NULL),
    sum(satisfaction IS NOT NULL AND satisfaction >= ?),
    coalesce(sum(satisfaction), 0),
    sum(kind = 'complaint' OR category = 'complaint'),
    sum((kind = 'complaint' OR category = 'complaint') AND resolved_us IS NOT NULL),
    sum((kind = 'complaint' OR category = 'complaint') AND cancelled),
    sum(callback_due_us IS NOT NULL AND callback_us IS NULL AND callback_due_us >= ?),
    sum(attitude IS NOT NULL),
    coalesce(sum(attitude), 0)"""

_IN_PERIOD = "received_us >= ? AND received_us < ?"
_CALLS_IN_PERIOD = f"{_IN_PERIOD} AND NOT coalesce(handed_over, 0)"
"""The rows the KPI counts and times: a request handed over as a complaint is left out, the complaint
being that call (:func:`~aftersales.ports.reporting.counts_as_call`)."""
_NOT_CANCELLED = (
    "NOT EXISTS (SELECT 1 FROM report_tickets t WHERE t.id = report_faults.ticket_id AND t.cancelled)"
)
"""A fault row of a ticket not cancelled (:func:`~aftersales.ports.reporting.fault_evidence`): a cancelled
call is no fault evidence. Read from the ticket's row, which the store rewrites with every change."""
_OWED = owes_response_sql()
_RESPONSE = (
    f"CASE WHEN {_OWED} THEN first_response_us END, CASE WHEN {_OWED} THEN response_due_us END, "
    "coalesce(solution_us, resolved_us), resolution_due_us"
)
"""The response and resolution instants, the response left out for a ticket that answers no customer's
feedback (a planned visit: :func:`~aftersales.ports.feedback_response.owes_response`); with its stop at
the receipt (:data:`_STOPS`) it is neither measured nor missed, as
:func:`~aftersales.ports.reporting.ticket_timing` gives it."""
_STOPS = (
    f"CASE WHEN {_OWED} THEN response_stop_us ELSE received_us END, "
    "CASE WHEN cancelled OR (state = 'closed' AND resolved_us IS NULL) THEN closed_us END, "
    "paused_us, paused_parts_us"
)
"""Where an unanswered ticket's response clock stopped, and an unresolved one's resolution clock (its
cancellation, or its closing unaccepted: :func:`~aftersales.ports.reporting.ended_unresolved`), as
:func:`~aftersales.ports.reporting.timing_stops` gives them; and where the wait it is in now began
(:func:`~aftersales.ports.reporting.pause_starts`)."""


def _key(group: GroupBy) -> str:
    return f"'{ALL}'" if group is GroupBy.ALL else f"coalesce({group.value}, '')"


def completed_counts_sql(group: GroupBy) -> str:
    """The SQL of :meth:`SqliteReportingQueries.completed_category_counts` (bound: the period's start and
    end, µs): the completions in the period by their index (``report_completions_at``), each joined to
    its ticket's row by id; no walk of the tickets received before the period's end."""
    # By the serving dealer: the one who did that completion's work, kept with it (passing the rework to
    # another dealer leaves the earlier repair with its dealer); a rework cancelled later leaves it too.
    # Under the category each was completed under (a row of an older release without one: the ticket's).
    category = "coalesce(report_completions.category, report_tickets.category)"
    if group is GroupBy.SERVING_DEALER:
        key = "coalesce(report_completions.serving_dealer_id, '')"
    elif group is GroupBy.CATEGORY:
        key = f"coalesce({category}, '')"
    elif group is GroupBy.ALL:
        key = _key(group)
    else:
        key = f"coalesce(report_tickets.{group.value}, '')"
    return (
        f"SELECT {key}, {category}, count(*) FROM report_completions "
        "JOIN report_tickets ON report_tickets.id = report_completions.ticket_id "
        "WHERE completed_us >= ? AND completed_us < ? GROUP BY 1, 2"
    )


class SqliteReportingQueries:
    """:class:`~aftersales.ports.reporting.ReportingQueries` for :class:`SqliteStore`."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        store.backfill_reporting()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._store.acquire()
        try:
            conn.execute("BEGIN")
            yield conn
        except sqlite3.Error as exc:
            raise StorageError(f"reporting query on {self._store.path}: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._store.release(conn)

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        key = _key(GroupBy(group))
        until = period.end_us if as_of is None else micros(as_of)
        sql = f"SELECT {key}, {_COUNTS} FROM report_tickets WHERE {_CALLS_IN_PERIOD} GROUP BY 1"
        with self._reading() as conn:
            rows = conn.execute(sql, (satisfied_at, until, period.start_us, period.end_us)).fetchall()
        return {row[0]: TicketCounts(*(int(v or 0) for v in row[1:])) for row in rows}

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        key = _key(GroupBy(group))
        sql = (
            f"SELECT {key}, id, received_us, {_RESPONSE}, {_STOPS} FROM report_tickets "
            f"WHERE {_CALLS_IN_PERIOD}"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us)).fetchall()
        return (TicketTiming(*row) for row in rows)

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        sql = (
            f"SELECT {_key(GroupBy(group))}, received_us, {_RESPONSE}, {_STOPS} "
            f"FROM report_tickets WHERE {_CALLS_IN_PERIOD}"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us)).fetchall()
        return TimingColumns.of_rows(rows)

    def category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        key = _key(GroupBy(group))
        sql = (
            f"SELECT {key}, category, count(*) FROM report_tickets WHERE {_IN_PERIOD} AND NOT cancelled "
            "GROUP BY 1, 2"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us)).fetchall()
        return {(g, c): int(n) for g, c, n in rows}

    def completed_category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        sql = completed_counts_sql(GroupBy(group))
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us)).fetchall()
        return {(g, c): int(n) for g, c, n in rows}

    def resolved_no_fault_counts(self, period: Period, group: GroupBy) -> dict[str, int]:
        """Per group key, the tickets received in ``period``, resolved, whose current resolution was
        completed under ``no_fault_found`` (:mod:`aftersales.ports.no_fault_counts`): the period's rows,
        each with its last completion row by the primary key."""
        sql = (
            f"SELECT {_key(GroupBy(group))}, count(*) FROM report_tickets WHERE {_IN_PERIOD} "
            "AND resolved_us IS NOT NULL AND (SELECT coalesce(c.category, report_tickets.category) "
            "FROM report_completions c WHERE c.ticket_id = report_tickets.id ORDER BY c.seq DESC LIMIT 1) "
            "= ? GROUP BY 1"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us, NO_FAULT_FOUND)).fetchall()
        return {g: int(n) for g, n in rows}

    def fault_counts(self, period: Period, dimension: FaultDimension) -> dict[str, int]:
        column = FaultDimension(dimension).value
        counted = (
            "count(DISTINCT ticket_id)" if column in PER_VALUE_DIMENSIONS else "count(*)"
        )  # count_faults
        sql = (
            f"SELECT coalesce({column}, ''), {counted} FROM report_faults "
            f"WHERE {_IN_PERIOD} AND {_NOT_CANCELLED} GROUP BY 1"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (period.start_us, period.end_us)).fetchall()
        return {k: int(n) for k, n in rows}

    def batch_symptom_units(self, until: datetime) -> dict[tuple[str, str, str], int]:
        sql = (
            "SELECT product_id, batch, symptom, count(DISTINCT coalesce(asset_id, 'ticket:' || ticket_id)) "
            "FROM report_faults WHERE received_us < ? AND product_id IS NOT NULL AND product_id != '' "
            f"AND batch IS NOT NULL AND batch != '' AND {_NOT_CANCELLED} GROUP BY 1, 2, 3"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (micros(until),)).fetchall()
        return {(p, b, s): int(n) for p, b, s, n in rows}

    def batch_fault_units(
        self, until: datetime, dimension: str, excluded_causes: Collection[str] = ()
    ) -> dict[tuple[str, str, str], int]:
        column = batch_dimension(dimension)
        excluded = sorted(frozenset(excluded_causes))
        unless = f"AND cause NOT IN ({', '.join('?' * len(excluded))}) " if excluded else ""
        # Per unit its latest report: a unit counts when one was after its installation's completion
        # (seed 004 第七条 5(2): 工程完工后出现的), the rule of the desk's detector (reported_in_service).
        sql = (
            f"SELECT product_id, batch, {column}, asset_id, max(received_us) "
            "FROM report_faults WHERE received_us < ? AND product_id IS NOT NULL AND product_id != '' "
            f"AND batch IS NOT NULL AND batch != '' AND asset_id IS NOT NULL AND {_NOT_CANCELLED} "
            f"{unless}GROUP BY 1, 2, 3, 4"
        )
        accepted = "json_extract(data, '$.installation_accepted_on')"
        installed_sql = (
            f"SELECT id, {accepted}, json_extract(data, '$.market_timezone') "
            f"FROM entities WHERE kind = 'asset' AND {accepted} IS NOT NULL"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (micros(until), *excluded)).fetchall()
            found = conn.execute(installed_sql).fetchall()
        # The local day each unit's installation was accepted on, in its market (the Asset's default zone).
        installed = {a: (date.fromisoformat(d), zone(z or "Asia/Shanghai")) for a, d, z in found}
        out: dict[tuple[str, str, str], int] = {}
        for p, b, v, asset_id, latest in rows:
            known = installed.get(asset_id)
            if known is not None:
                accepted_on, market = known
                if (EPOCH + timedelta(microseconds=latest)).astimezone(market).date() < accepted_on:
                    continue  # its last report came before the installation was completed
            out[(p, b, v)] = out.get((p, b, v), 0) + 1
        return out

    def batch_sizes(self) -> dict[tuple[str, str], int]:
        sql = (
            "SELECT json_extract(data, '$.product_id'), json_extract(data, '$.batch'), count(*) "
            "FROM entities WHERE kind = 'asset' AND json_extract(data, '$.batch') IS NOT NULL GROUP BY 1, 2"
        )
        with self._reading() as conn:
            rows = conn.execute(sql).fetchall()
        return {(p, b): int(n) for p, b, n in rows if b}
