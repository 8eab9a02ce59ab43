"""The late-gap back-fill keeps the WAL one batch long (issue 21, session 29).

``backfill_late_gap`` committed batch after batch and left the WAL to the committing connection's
checkpoints: with commits that do not checkpoint (the background mode leaves it to its thread, inline
commits only past ~16 MB) the WAL of a 1 M-ticket file grew for the whole run. It now runs a passive
checkpoint after each batch (no lock taken: a reader or a writer is never held up), so each next batch
writes the WAL from its start again. Read from the WAL file's size after each batch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_late_gap_backfill_s27c import _file_of_schema_22

from aftersales.adapters.late_gap_backfill import LateGapProgress, backfill_late_gap
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.wait_gap_step import register_wait_gap
from aftersales.ports.ticket_index import ticket_row


def test_the_wal_stays_one_batch_long_while_the_back_fill_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _file_of_schema_22(path, 2000)
    SqliteStore(f"sqlite:///{path}").close()  # the upgrade: the gaps left to the back-fill
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # its commits never checkpoint (a background mode's)
    register_wait_gap(conn)
    wal = Path(f"{path}-wal")
    sizes: list[int] = []

    def measured(progress: LateGapProgress) -> None:
        sizes.append(wal.stat().st_size if wal.exists() else 0)

    # tiny batches (10 tickets a batch): some 200 commits
    progress = backfill_late_gap(conn, batch_seconds=1e-6, after_batch=measured)
    conn.close()
    assert progress.batches > 100 and progress.tickets == len(tickets)
    assert max(sizes) <= 4 * max(sizes[:5]), (sizes[:5], max(sizes))  # not growing with the batches
    with sqlite3.connect(path) as check:
        stored = dict(check.execute("SELECT id, late_gap FROM tickets").fetchall())
    assert stored == {t.id: ticket_row(t).late_gap for t in tickets}
