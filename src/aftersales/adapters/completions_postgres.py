"""Each completion of a ticket's work on PostgreSQL, by an index on its instant: a dealer's month.

A dealer's month (:meth:`~aftersales.ports.reporting.ReportingQueries.completed_category_counts`, seed
002 分工 7/10: the installations and repairs accepted in it) read every ticket received before the month's
end on PostgreSQL and parsed it, years of tickets for each dealer page; SQLite reads its
``report_completions`` by an index. ``ticket_completions`` is the same here: one row per completion
(:func:`~aftersales.ports.reporting.completion_facts`: its instant, the dealer who did that work and the
category it was completed under), written
with the ticket whenever its state changes (a completion comes or goes only with a state change: resolve,
confirm, reopen), read by ``ticket_completions_at``.

Tickets stored before the table existed get their rows from :func:`backfill_completions`, in small
batches with the position committed each time (``completions_backfill``), before the first read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aftersales.adapters.reporting_memory import ScanningReportingQueries
from aftersales.domain.ticket import Ticket
from aftersales.ports.reporting import ALL, GroupBy, Period, completion_facts

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore, PostgresUnitOfWork

__all__ = [
    "POSTGRES_COMPLETIONS_STEP",
    "POSTGRES_COMPLETION_CATEGORY_STEP",
    "POSTGRES_HELD_DEALER_STEP",
    "PostgresReportingQueries",
    "backfill_completions",
    "completed_counts_sql",
    "completion_params",
]

POSTGRES_COMPLETIONS_STEP: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS ticket_completions (ticket_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " completed_us BIGINT NOT NULL, serving_dealer TEXT, PRIMARY KEY (ticket_id, seq))",
    # A dealer's month reads the completions in it by this index (no scan of the tickets received).
    "CREATE INDEX IF NOT EXISTS ticket_completions_at ON ticket_completions (completed_us)",
    "CREATE TABLE IF NOT EXISTS completions_backfill"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done BOOLEAN NOT NULL)",
    # Nothing to back-fill on a new database; the tickets of an older one are written by the back-fill.
    "INSERT INTO completions_backfill (id, after_id, done)"
    " SELECT 1, '', NOT EXISTS (SELECT 1 FROM tickets) ON CONFLICT (id) DO NOTHING",
)
"""The PostgreSQL migration step of the table (session 25; see
:data:`~aftersales.adapters.postgres.MIGRATIONS`)."""

POSTGRES_COMPLETION_CATEGORY_STEP: tuple[str, ...] = (
    "ALTER TABLE ticket_completions ADD COLUMN IF NOT EXISTS category TEXT",
    # The back-fill writes every ticket's rows again, with the category each completion was under.
    "UPDATE completions_backfill SET after_id = '', done = NOT EXISTS (SELECT 1 FROM tickets) WHERE id = 1",
)
"""The PostgreSQL migration step keeping with each completion the category it was completed under
(session 26): a reclassification after the acceptance moved a repair between categories of a dealer's
month already reported (seed 002 分工 10). A row without one (none after the back-fill) counts under
the ticket's category."""

POSTGRES_HELD_DEALER_STEP: tuple[str, ...] = (
    # The back-fill writes every ticket's rows again, with the dealer who held each completion's job.
    "UPDATE completions_backfill SET after_id = '', done = NOT EXISTS (SELECT 1 FROM tickets) WHERE id = 1",
)
"""The PostgreSQL migration step re-deriving each completion's dealer as the dealer who held the job
(session 29): a repair by the maker's own engineer, or a call solved by phone, counted as the customer's
dealer's repair (seed 002 分工 10: 乙方…对所维修情况进行一次统计)."""

# A ticket's completions never shrink in number (a reopen keeps the cycle it ended), but a rewrite from
# its current document must leave nothing stale: the rows past its count go, the others are upserted.
DROP_LATER = "DELETE FROM ticket_completions WHERE ticket_id = %s::text AND seq >= %s::integer"
UPSERT = (
    "INSERT INTO ticket_completions (ticket_id, seq, completed_us, serving_dealer, category)"
    " SELECT %s::text, s.seq, s.at, s.dealer, s.category"
    " FROM unnest(%s::integer[], %s::bigint[], %s::text[], %s::text[]) AS s(seq, at, dealer, category)"
    " ON CONFLICT (ticket_id, seq) DO UPDATE SET completed_us = excluded.completed_us,"
    " serving_dealer = excluded.serving_dealer, category = excluded.category"
)

_BATCH = 200


def completion_params(ticket: Ticket) -> tuple[tuple[object, ...], tuple[object, ...] | None]:
    """The parameters of :data:`DROP_LATER` and :data:`UPSERT` for ``ticket`` (``None``: nothing to
    upsert, it has no completion)."""
    done = completion_facts(ticket)
    drop = (ticket.id, len(done))
    if not done:
        return drop, None
    return drop, (
        ticket.id, list(range(len(done))), [at for at, _, _ in done], [dealer for _, dealer, _ in done],
        [category for _, _, category in done],
    )  # fmt: skip


def write_completions(uow: PostgresUnitOfWork, ticket: Ticket) -> None:
    """Queue the rewrite of ``ticket``'s completion rows with the unit of work's commit."""
    drop, upsert = completion_params(ticket)
    uow.tx.defer(DROP_LATER, drop, prepare=True)
    if upsert is not None:
        uow.tx.defer(UPSERT, upsert, prepare=True)


def backfill_completions(store: PostgresStore, batch: int = _BATCH) -> int:
    """Write the completion rows of tickets stored before ``ticket_completions`` existed, ``batch`` at a
    time in id order, each batch one transaction that moves the committed position; the tickets of a
    batch are held (``FOR SHARE``) while their rows are written, so a command saving one meanwhile
    writes its own rows after. Killed half-way, the next call continues. The tickets written."""
    written = 0
    with store() as uow:  # the common case, read without a lock: long done
        found = uow.run("SELECT done FROM completions_backfill WHERE id = 1").fetchone()
    if found is None or found[0]:
        return written
    while True:
        with store() as uow:
            found = uow.run(
                "SELECT after_id, done FROM completions_backfill WHERE id = 1 FOR UPDATE"
            ).fetchone()
            if found is None or found[1]:
                return written
            after = str(found[0])
            ids = [
                str(row[0])
                for row in uow.run(
                    "SELECT id FROM tickets WHERE id > %s ORDER BY id LIMIT %s FOR SHARE", (after, batch)
                ).fetchall()
            ]
            for id_ in ids:
                write_completions(uow, uow.tickets.get(id_))
            finished = len(ids) < batch
            uow.run(
                "UPDATE completions_backfill SET after_id = %s, done = %s WHERE id = 1",
                (ids[-1] if ids else after, finished),
            )
            uow.commit()
        written += len(ids)
        if finished:
            return written


def completed_counts_sql(group: GroupBy) -> str:
    """The SQL of :meth:`PostgresReportingQueries.completed_category_counts` (bound: the period's start
    and end, µs): the completions in the period by ``ticket_completions_at``, each joined to its ticket
    by id; by the serving dealer, the dealer kept with each completion (the one who did that work)."""
    if group is GroupBy.ALL:
        key = f"'{ALL}'"
    elif group is GroupBy.SERVING_DEALER:
        key = "coalesce(c.serving_dealer, '')"
    elif group is GroupBy.CATEGORY:  # the category each was completed under, as counted
        key = "coalesce(c.category, t.category, '')"
    else:
        key = f"coalesce(t.{group.value}, '')"
    return (
        f"SELECT {key}, coalesce(c.category, t.category), count(*)"
        " FROM ticket_completions c JOIN tickets t ON t.id = c.ticket_id"
        " WHERE c.completed_us >= %s AND c.completed_us < %s GROUP BY 1, 2"
    )


class PostgresReportingQueries(ScanningReportingQueries):
    """The reporting queries of a :class:`PostgresStore`: a dealer's month by the completions' index,
    the others by the ticket scan every store without its own answers with."""

    def __init__(self, store: PostgresStore) -> None:
        scanned: Callable[[], Any] = store  # its units of work are the port's (as reporting_for takes it)
        super().__init__(scanned)
        self._pg = store
        backfill_completions(store)

    def completed_category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        sql = completed_counts_sql(GroupBy(group))
        with self._pg() as uow:
            rows: Sequence[Any] = uow.run(sql, (period.start_us, period.end_us)).fetchall()
        return {(str(g), str(c)): int(n) for g, c, n in rows}
