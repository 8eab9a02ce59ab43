"""Stores written by older releases (tests/fixtures/old_stores), loaded for the upgrade tests, and what a
desk answers about the workload (:mod:`old_store_workload`) they hold.

The fixtures are SQL text made by scripts/make_old_store_fixtures.py: a SQLite file's dump (run statement by
statement on an empty file) and a PostgreSQL schema's ``pg_dump`` (run in a new schema).
"""

from __future__ import annotations

import gzip
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.integration import old_store_workload as workload

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.ledger_rows import ticket_record
from aftersales.ports.reporting import FaultDimension, GroupBy, Period
from aftersales.reports.faults import fault_pareto
from aftersales.reports.kpi import kpi_report
from aftersales.reports.ledger_export import ledger_records
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "old_stores"
SQLITE_FIXTURES = sorted(FIXTURES.glob("sqlite-v*.sql.gz"))
POSTGRES_FIXTURES = sorted(FIXTURES.glob("postgres-v*.sql.gz"))
MARCH = Period(datetime(2026, 3, 1, tzinfo=workload.SHANGHAI), datetime(2026, 4, 1, tzinfo=workload.SHANGHAI))

CYCLES_KEPT_SQLITE = 17
"""The first SQLite schema version whose release kept a reopened ticket's ended cycle in its reopen event
(commit 687642e9; PostgreSQL version 10). A reopen stored by an earlier release cleared the due times and
kept no cycle, so the ticket reopened by its callback (T-000002) has none: its SLA due times are not in
its data, and a migration cannot know them (docs/concepts/reports.md: such reopens keep the current
cycle's due times). Everything else agrees."""
CYCLES_KEPT_POSTGRES = 10
HISTORY_SQLITE = 12
"""The first SQLite schema version whose release wrote each event the workload makes today (PostgreSQL 8).
The release of version 9 recorded no event for the materials desk's check of a request and none for the
complaint a low callback score opens; their tickets' histories lack those events (nothing to migrate)."""
HISTORY_POSTGRES = 8


def schema_version(fixture: Path) -> int:
    """The schema version the fixture's release wrote (its file name: ``sqlite-v09-<commit>.sql.gz``)."""
    found = re.search(r"-v(\d+)-", fixture.name)
    assert found is not None, fixture
    return int(found.group(1))


def fixture_text(fixture: Path) -> str:
    """The SQL text of ``fixture``."""
    return gzip.decompress(fixture.read_bytes()).decode("utf-8")


def load_sqlite(fixture: Path, db: Path) -> None:
    """The SQLite file ``db`` (new) as the fixture's release left it."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        statement = ""
        for line in fixture_text(fixture).splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                conn.execute(statement)
                statement = ""
    finally:
        conn.close()


@contextmanager
def load_postgres(fixture: Path, url: str) -> Iterator[str]:
    """``url`` (a store URL with ``?schema=…`` of a new schema) holding the fixture's release's schema."""
    import psycopg

    dsn, schema = url.rsplit("schema=", 1)
    dsn = dsn.rstrip("?&")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(fixture_text(fixture).replace("__SCHEMA__.", f'"{schema}".'))  # type: ignore[arg-type]
    yield url


def open_desk(url: str) -> ServiceDesk:
    """Today's desk on ``url``, its clock where the workload ended."""
    return workload.open_desk(url, ManualClock(workload.END))


def _ticket_ids(desk: ServiceDesk) -> list[str]:
    return [str(record[0]) for page in ledger_records(desk, workload.MANAGER) for record in page]


SEARCHES = ("座圈", "马桶", "SN-2025-0003", "13912345679", "刘洋", "上海浦东", "T-000004")
"""Searches by text, serial, phone, customer, dealer and number."""

_HISTORY = ("seq", "action", "from_state", "to_state", "at", "actor", "reason")
"""What of each event is compared: the payloads are history each release wrote in its own words (reason
codes added since, a callback's channel), which no migration rewrites."""


def answers(desk: ServiceDesk) -> dict[str, Any]:
    """What ``desk`` answers about the workload: each ticket (without its version and events) and its
    history (each event's action, states, time, actor and reason), the ledger (as the export reads it,
    and as the reference record of each ticket, ``ticket_record``, says it), the KPI month (by
    dealer), the fault Pareto by each dimension, the dealer's materials ledger and the month's outbound
    summary."""
    found: dict[str, Any] = {}
    for ticket_id in _ticket_ids(desk):
        ticket = desk.ticket(workload.MANAGER, ticket_id).to_dict()
        events = ticket.pop("events")
        del ticket["version"]
        found[f"ticket {ticket_id}"] = ticket
        found[f"history {ticket_id}"] = [[event.get(key) for key in _HISTORY] for event in events]
    found["ledger"] = [list(record) for page in ledger_records(desk, workload.MANAGER) for record in page]
    with desk.context.reader(snapshot=False) as uow:
        found["ledger of the tickets"] = [
            list(ticket_record(uow.tickets.get(record[0]))) for record in found["ledger"]
        ]
    for actor in (workload.DEALER_STAFF, workload.BJ_ENGINEER):
        found[f"ledger of {actor.id}"] = [view.id for view in desk.ledger(actor).items]
    for query in SEARCHES:
        found[f"search {query}"] = [view.id for view in desk.search(workload.MANAGER, query).items]
    queries = reporting_for(desk.store)
    assert desk.calendar is not None
    found["kpi"] = repr(kpi_report(queries, MARCH, desk.calendar, group=GroupBy.DEALER, as_of=workload.END))
    for dimension in FaultDimension:
        found[f"faults by {dimension.name}"] = repr(fault_pareto(queries, MARCH, dimension))
    materials = workload.materials_desk(desk)
    found["materials ledger"] = repr(materials.ledger(workload.MANAGER, workload.DEALER_SH))
    found["outbound"] = repr(materials.outbound_summary(workload.MANAGER, "2026-03"))
    return found


def follow_up(desk: ServiceDesk) -> dict[str, Any]:
    """Today's commands on the workload's store after it ended: two sent again with their keys, an SLA
    sweep, the open tickets worked on, a callback, a new ticket, the dealer's part sent back; what the
    replays and the sweep answered."""
    found: dict[str, Any] = {}
    # A form and a command sent again with their keys, as a retrying client does: answered from the
    # store's idempotency records, nothing done twice.
    replays = (
        desk.open_ticket(
            workload.AGENT, customer_id="cust-1", description="智能马桶漏水，地面有积水", asset_id="asset-1",
            idempotency_key="intake-cust-1-智能马桶漏水，地面有积水",
        ),
        desk.close(workload.AGENT, "T-000001", idempotency_key="close-t1"),
    )  # fmt: skip
    found["replays"] = [
        (str(result.ticket.id), result.ticket.state, result.replayed, [e.action for e in result.events])
        for result in replays
    ]
    sweep = desk.sla_watch.sweep(Actor.system(), full=True)
    found["sweep"] = (sweep.checked, sorted(sweep.warnings), sorted(sweep.breaches))
    sr, jr = Actor.engineer("eng-sr", "王工"), Actor.engineer("eng-jr", "李工")
    desk.add_fault_record(
        sr, "T-000007", symptom="remote_dead", cause="battery_flat", action="replace_battery"
    )
    desk.resolve(sr, "T-000007", summary="遥控器更换电池后正常", remote=True)
    desk.confirm(Actor.customer("cust-2"), "T-000007", note="已确认")
    desk.confirm(Actor.customer("cust-2"), REOPENED, note="已确认")
    desk.schedule_callback(workload.AGENT, REOPENED)
    desk.record_callback(
        workload.AGENT, REOPENED, problem_back=False, satisfaction=4, attitude=5, answers={"fixed": True}
    )
    desk.close(workload.AGENT, REOPENED)
    desk.triage(
        workload.AGENT, "T-000006", nature="repair", severity=Severity.LOW, plan=Plan.ON_SITE, skill="toilet"
    )
    desk.dispatch(workload.AGENT, "T-000006", engineer_id="eng-jr", reason="区域工程师")
    desk.start_work(jr, "T-000006")
    desk.add_fault_record(jr, "T-000006", symptom="leak", cause="seal_worn", action="replace_seal")
    opened = desk.open_ticket(
        workload.AGENT, customer_id="cust-3", description="座圈开裂", asset_id="asset-3"
    )
    found["new ticket"] = str(opened.ticket.id)
    materials = workload.materials_desk(desk)
    returned = materials.register_return(
        workload.AGENT, request_id="MATERIALS-000001", part="seat", quantity=1
    )
    materials.inspect_return(workload.AGENT, returned.id, accepted=True)
    materials.book_return(workload.AGENT, returned.id)
    found["returned"] = returned.id
    return found


REOPENED = "T-000002"
"""The ticket the workload's callback reopened."""
_DUE_COLUMNS = ("response_due_us", "resolution_due_us")


def without_reopen_dues(found: dict[str, Any]) -> dict[str, Any]:
    """``found`` without the due times of :data:`REOPENED` (see :data:`CYCLES_KEPT_SQLITE`)."""
    from aftersales.ports.ledger_rows import LEDGER_FIELDS

    masked = dict(found)
    ticket = dict(masked[f"ticket {REOPENED}"])
    for key in ("resolution_due_at", "resolution_due_at_zone", "response_due_at", "response_due_at_zone"):
        ticket.pop(key, None)
    masked[f"ticket {REOPENED}"] = ticket
    columns = [LEDGER_FIELDS.index(name) for name in _DUE_COLUMNS]
    for key in ("ledger", "ledger of the tickets"):
        masked[key] = [
            [
                None if record[0] == REOPENED and index in columns else value
                for index, value in enumerate(record)
            ]
            for record in masked[key]
        ]
    return masked


def without_reopen_sweep(found: dict[str, Any]) -> dict[str, Any]:
    """:func:`follow_up`'s ``found`` without the sweep's count and its announcements of :data:`REOPENED`
    (see :data:`CYCLES_KEPT_SQLITE`: without due times its clocks announce nothing)."""
    _, warnings, breaches = found["sweep"]
    kept = [
        [entry for entry in entries if not entry.startswith(REOPENED)] for entries in (warnings, breaches)
    ]
    return {**found, "sweep": (None, *kept)}


def sqlite_schema_of(db: Path) -> dict[str, Any]:
    """The schema of the SQLite file ``db``: each object's SQL (blanks and quotes evened out) and each
    table's columns (name, type, not null, default, key)."""
    with closing(sqlite3.connect(db)) as conn:
        found: dict[str, Any] = {
            name: (kind, table, re.sub(r"\s+", " ", sql or "").replace('"', "'"))
            for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        }
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            found[f"columns of {table}"] = [
                tuple(row) for row in conn.execute(f"PRAGMA table_info('{table}')")
            ]
    return found


def postgres_schema_of(url: str) -> dict[str, Any]:
    """The schema of the PostgreSQL store at ``url``: each table's columns (name, type, default, null),
    storage options and compression, each index's definition, each constraint's."""
    import psycopg

    dsn, schema = url.rsplit("schema=", 1)
    found: dict[str, Any] = {}
    with psycopg.connect(dsn.rstrip("?&")) as conn:
        for table, column, kind, default, nullable in conn.execute(
            "SELECT table_name, column_name, data_type, column_default, is_nullable"
            " FROM information_schema.columns WHERE table_schema = %s",
            (schema,),
        ):
            found[f"{table}.{column}"] = (kind, default, nullable)
        for table, options in conn.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s",
            (schema,),
        ):
            found[f"options of {table}"] = options
        for name, definition in conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", (schema,)
        ):
            found[f"index {name}"] = definition.replace(f"{schema}.", "")
        for name, definition in conn.execute(
            "SELECT con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con"
            " JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname = %s",
            (schema,),
        ):
            found[f"constraint {name}"] = definition
    return found
