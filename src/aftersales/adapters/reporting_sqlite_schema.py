"""The reporting side tables of the SQLite store, kept by triggers: one forward migration step.

``report_tickets`` holds :class:`~aftersales.ports.reporting.TicketFacts` per ticket and
``report_faults`` one row per fault record, both derived inside SQLite from the ticket's JSON by
triggers on ``tickets``, so the store's write path needs no change and every writer (any process)
keeps them current. The step is idempotent (``IF NOT EXISTS``, ``INSERT OR REPLACE`` backfill), so
it can be both registered in :data:`aftersales.adapters.sqlite_schema.MIGRATIONS` and applied on
demand by :func:`ensure_reporting_schema` on a file migrated before it was registered.
"""

from __future__ import annotations

import sqlite3

__all__ = ["REPORTING_STEP", "ensure_reporting_schema", "has_reporting_schema"]


def _us(expr: str) -> str:
    """SQL: a serialized instant ("…T09:12:00.123456+08:00[Asia/Shanghai]") → epoch µs."""
    frac = f"substr({expr}, 20, 1) = '.'"
    offset = f"substr({expr}, CASE WHEN {frac} THEN 27 ELSE 20 END, 6)"
    return (
        f"(unixepoch(substr({expr}, 1, 19) || {offset}) * 1000000"
        f" + CASE WHEN {frac} THEN CAST(substr({expr}, 21, 6) AS INTEGER) ELSE 0 END)"
    )


def _j(src: str, path: str) -> str:
    return f"json_extract({src}.data, '{path}')"


_EVENT_ACTION = "json_extract(e.value, '$.action')"


def _facts_select(src: str) -> str:
    events = f"json_each({src}.data, '$.events') AS e"
    return f"""SELECT {src}.id, {src}.kind, {src}.category, {src}.state, {src}.dealer_id, {src}.region,
        {src}.assignee_id, {src}.product_id, {src}.batch, {_j(src, "$.asset_id")}, {src}.received_us,
        {_us(_j(src, "$.events[1].at"))}, {_us(_j(src, "$.response_due_at"))},
        {_us(_j(src, "$.resolved_at"))},
        {src}.resolution_due_us, {_us(_j(src, "$.closed_at"))}, {src}.state = 'cancelled',
        (SELECT count(*) FROM {events} WHERE {_EVENT_ACTION} IN ('reject', 'reopen')),
        json_array_length({src}.data, '$.visits'), {_us(_j(src, "$.callback_due_at"))},
        (SELECT {_us("json_extract(e.value, '$.at')")} FROM {events}
            WHERE {_EVENT_ACTION} = 'record_callback' ORDER BY e.key LIMIT 1),
        (SELECT json_extract(e.value, '$.payload.satisfaction') FROM {events}
            WHERE {_EVENT_ACTION} = 'record_callback'
            AND json_type(e.value, '$.payload.satisfaction') = 'integer' ORDER BY e.key DESC LIMIT 1)"""


def _faults_select(src: str, tables: str = "") -> str:
    return f"""SELECT {src}.id, f.key, {_j(src, "$.asset_id")}, {src}.product_id, {src}.batch,
        {src}.received_us, json_extract(f.value, '$.symptom'), json_extract(f.value, '$.cause')
        FROM {tables}json_each({src}.data, '$.fault_records') AS f"""


_FACT_COLUMNS = (
    "id, kind, category, state, dealer_id, region, assignee_id, product_id, batch, asset_id, received_us, "
    "first_response_us, response_due_us, resolved_us, resolution_due_us, closed_us, cancelled, reworks, "
    "visits, callback_due_us, callback_us, satisfaction"
)
_FAULT_COLUMNS = "ticket_id, seq, asset_id, product_id, batch, received_us, symptom, cause"


def _trigger(name: str, when: str) -> str:
    return f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {when} ON tickets BEGIN
        INSERT OR REPLACE INTO report_tickets ({_FACT_COLUMNS}) {_facts_select("NEW")};
        DELETE FROM report_faults WHERE ticket_id = NEW.id;
        INSERT INTO report_faults ({_FAULT_COLUMNS}) {_faults_select("NEW")};
    END"""


REPORTING_STEP: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS report_tickets (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, category TEXT NOT NULL, state TEXT NOT NULL,
        dealer_id TEXT, region TEXT, assignee_id TEXT, product_id TEXT, batch TEXT, asset_id TEXT,
        received_us INTEGER NOT NULL, first_response_us INTEGER, response_due_us INTEGER,
        resolved_us INTEGER, resolution_due_us INTEGER, closed_us INTEGER, cancelled INTEGER NOT NULL,
        reworks INTEGER NOT NULL, visits INTEGER NOT NULL, callback_due_us INTEGER, callback_us INTEGER,
        satisfaction INTEGER)""",
    "CREATE INDEX IF NOT EXISTS report_tickets_received ON report_tickets (received_us)",
    """CREATE TABLE IF NOT EXISTS report_faults (
        ticket_id TEXT NOT NULL, seq INTEGER NOT NULL, asset_id TEXT, product_id TEXT, batch TEXT,
        received_us INTEGER NOT NULL, symptom TEXT NOT NULL, cause TEXT NOT NULL,
        PRIMARY KEY (ticket_id, seq))""",
    "CREATE INDEX IF NOT EXISTS report_faults_received ON report_faults (received_us)",
    "CREATE INDEX IF NOT EXISTS report_faults_batch ON report_faults (product_id, batch, symptom)",
    _trigger("report_tickets_insert", "INSERT"),
    _trigger("report_tickets_update", "UPDATE"),
    f"INSERT OR REPLACE INTO report_tickets ({_FACT_COLUMNS}) {_facts_select('t')} FROM tickets AS t",
    f"INSERT OR REPLACE INTO report_faults ({_FAULT_COLUMNS}) {_faults_select('t', 'tickets AS t, ')}",
)
"""The migration step (5 once registered): side tables, their triggers, and the backfill."""


def has_reporting_schema(conn: sqlite3.Connection) -> bool:
    """True when the side tables and their triggers exist."""
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN "
        "('report_tickets', 'report_faults', 'report_tickets_insert', 'report_tickets_update')"
    ).fetchone()[0]
    return int(found) == 4


def ensure_reporting_schema(conn: sqlite3.Connection) -> bool:
    """Apply :data:`REPORTING_STEP` in one transaction if it is missing; True when it was applied."""
    if has_reporting_schema(conn):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        if has_reporting_schema(conn):
            conn.execute("COMMIT")
            return False
        for statement in REPORTING_STEP:
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True
