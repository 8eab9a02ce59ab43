"""The ledger's ``late_gap`` column added to a stored ``tickets`` table, filled from each row's document.

The breached filter (:attr:`~aftersales.ports.queries.TicketFilter.breached_at`) compared the raw
resolution due, so the ledger listed as breached a ticket whose working-time due fell outside working
hours (Friday 18:00) before working time resumed (Monday 09:00), while ``desk.sla()``, the sweep and the
reports judged it on time. The column holds how long after the due they judge it on time
(:attr:`~aftersales.ports.ticket_index.TicketRow.late_gap`). A row's columns are kept equal to what its
document gives (a save writes only the columns whose derived value changed), so the step fills the rows
whose document stores a later ``resolution_late_after``; every other row's gap is 0 (the default: no
rewrite). No index of its own: the breached filter is a range of the due index. SQLite fills the rows
after the step, in small batches outside the migration (:mod:`aftersales.adapters.late_gap_backfill`).
"""

from __future__ import annotations

from aftersales.adapters.late_gap_pending import pending_step
from aftersales.adapters.late_gap_postgres import pg_late_gap_step

__all__ = ["POSTGRES_LATE_GAP_STEP", "SQLITE_LATE_GAP_STEP"]

_TEXT = "json_extract(data, '$.resolution_late_after')"
# A stored instant is ISO 8601 with its offset, six fraction digits when it has any, and perhaps an IANA
# zone in brackets (RFC 9557), which SQLite's date functions do not read.
_BARE = f"CASE WHEN instr({_TEXT}, '[') > 0 THEN substr({_TEXT}, 1, instr({_TEXT}, '[') - 1) ELSE {_TEXT} END"
_MICROS = (
    f"CAST(strftime('%s', {_BARE}) AS INTEGER) * 1000000 + CASE WHEN instr({_BARE}, '.') > 0"
    f" THEN CAST(substr({_BARE}, instr({_BARE}, '.') + 1, 6) AS INTEGER) ELSE 0 END"
)

SQLITE_LATE_GAP_STEP: tuple[str, ...] = (
    "ALTER TABLE tickets ADD COLUMN late_gap INTEGER NOT NULL DEFAULT 0",  # a default: no row rewritten
    # The rows are filled by the small-batch back-fill (late_gap_backfill), not here: reading every
    # document under the migration's write lock held writers off for seconds on a large file.
    *pending_step("1"),
)
"""SQLite migration step 23 (see :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`)."""

POSTGRES_LATE_GAP_STEP: tuple[str, ...] = pg_late_gap_step(
    "ALTER TABLE tickets ADD COLUMN IF NOT EXISTS late_gap BIGINT NOT NULL DEFAULT 0"
)
"""The PostgreSQL migration step of the same column (see :data:`~aftersales.adapters.postgres.MIGRATIONS`);
since session 27 it fills the waiting tickets' rows only, the others by
:func:`~aftersales.adapters.late_gap_postgres.backfill_late_gap_postgres`."""
