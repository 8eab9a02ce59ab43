"""The SLA alert list's day walk reads the alerts' day index by range, never a scan (issue 21).

``desk.sla_alerts`` over a wide or open window reads one UTC day at a time and probes stretches of days
for one alert (:mod:`aftersales.service.sla_alert_days`), both through ``query_range``. Read from
``EXPLAIN QUERY PLAN`` of the statement the documents repository runs (``range_statement``) on a file
with alerts over many days and its statistics: a range of the ``(kind, field, value)`` index, each chosen
document read by its key. The ids of a day are sorted in a temporary B-tree (the index keeps a value's
rows in insertion order; an index with the id would be built under the migration's write lock over
every index row of the file): only one day's rows, or for a probe the first day's of the stretch.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.service.sla_watch import SlaAlert

AT = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

SHAPES: dict[str, tuple[str, str, int | None]] = {
    "one day's alerts": ("2026-02-10", "2026-02-10", None),
    "one alert of a stretch of days (a probe)": ("2026-01-20", "2026-03-20", 1),
    "the earliest alert (no lower bound)": ("", "2026-12-31", 1),
    "anything after today": ("2026-06-01", "9999-12-31", None),
}


def _alerts() -> list[SlaAlert]:
    """1,200 alerts three hours apart (150 days), their ids in no day's order."""
    return [
        SlaAlert(f"A-{(n * 7919) % 1200:05d}", f"T-{n % 90:04d}", "resolution", "sla_breach", at, due_at=at)
        for n in range(1200)
        for at in [AT + timedelta(hours=3 * n)]
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    path: Path = tmp_path_factory.mktemp("alertdays") / "alerts.db"
    found = SqliteStore(f"sqlite:///{path}")
    with found() as uow:
        for alert in _alerts():
            uow.documents.add(alert)
        uow.commit()
    conn = found.acquire()
    conn.execute("ANALYZE")
    found.release(conn)
    return found


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_day_walk_reads_a_range_of_the_day_index(store: SqliteStore, shape: str) -> None:
    first, last, limit = SHAPES[shape]
    with store() as uow:
        documents = uow.documents
        sql, params = documents.range_statement(SlaAlert, "day", last, limit=limit, after=(first, ""))
        plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {sql}", params)]
        found = documents.query_range(SlaAlert, "day", last, limit=limit, after=(first, ""))
    text = " | ".join(plan)
    assert any(
        line.startswith(
            "SEARCH r USING INDEX document_index_value (kind=? AND field=? AND value>? AND value<?)"
        )
        for line in plan
    ), text
    assert "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)" in plan, text
    assert not any(line.startswith("SCAN") and line != "SCAN due" for line in plan), text
    # only the sorts of the chosen rows by (day, id): no sort of the whole index or of documents
    sorts = {"USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", "USE TEMP B-TREE FOR ORDER BY"}
    assert all(line in sorts for line in plan if "TEMP B-TREE" in line), text
    every = sorted((a.day, a.id) for a in _alerts() if first <= a.day <= last)
    assert [(a.day, a.id) for a in found] == every[:limit]
