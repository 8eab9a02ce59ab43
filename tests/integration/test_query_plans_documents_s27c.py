"""Lists of documents added since session 23 read through the document index, never a scan (issue 21):
the budgets and budget drafts of a period (``ChargesDesk.budgets``/``budget_drafts``, session 25) and the
SLA alerts of a ticket or a day (``SlaAlert``, withdrawn since session 26). Read from ``EXPLAIN QUERY PLAN``
of the statement the documents repository runs for ``query(cls, field=value)``, on a file with a few
hundred of each and its statistics.

The matched documents are sorted by id in a temporary B-tree: only the few a period or a ticket has (the
index ``(kind, field, value)`` keeps equal values in insertion order); an index with the id would be built
under the migration's write lock over every index row of the file, which issue 21 forbids.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.budget_drafts import BudgetDraft
from aftersales.domain.budgets import CostBudget
from aftersales.ports.documents import Document, document_spec
from aftersales.service.sla_watch import SlaAlert

AT = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

SHAPES: dict[str, tuple[type[Document], dict[str, object]]] = {
    "budgets of a period": (CostBudget, {"period": "2026-03"}),
    "budget drafts of a period": (BudgetDraft, {"period": "2026-03"}),
    "SLA alerts of a ticket": (SlaAlert, {"ticket_id": "T-0007"}),
    "SLA alerts of a day": (SlaAlert, {"day": "2026-03-05"}),
    "SLA alerts of a ticket on a day": (SlaAlert, {"ticket_id": "T-0007", "day": "2026-03-04"}),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    path: Path = tmp_path_factory.mktemp("docplans") / "docs.db"
    found = SqliteStore(f"sqlite:///{path}")
    with found() as uow:
        for n in range(400):
            at = AT + timedelta(hours=n)
            uow.documents.add(
                SlaAlert(f"A-{n:04d}", f"T-{n % 50:04d}", "resolution", "breach", at, due_at=at)
            )
        uow.commit()
    conn = found.acquire()
    conn.execute("ANALYZE")
    found.release(conn)
    return found


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_documents_list_reads_the_document_index(store: SqliteStore, shape: str) -> None:
    cls, equals = SHAPES[shape]
    with store() as uow:
        documents = uow.documents
        sql, params = documents._matching(document_spec(cls).kind, dict(equals))  # what query() runs
        plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {sql} ORDER BY d.id", params)]
        found = documents.query(cls, **equals)
    text = " | ".join(plan)
    assert plan[0].startswith("SEARCH l USING INDEX document_index_value (kind=? AND field=? AND value=?)"), (
        text
    )
    assert "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)" in plan, text
    assert not any(line.startswith("SCAN") for line in plan), text
    assert [line for line in plan if "TEMP B-TREE" in line] in ([], ["USE TEMP B-TREE FOR ORDER BY"]), text
    if cls is SlaAlert:
        assert found and all(getattr(doc, name) == value for doc in found for name, value in equals.items())
        assert [doc.id for doc in found] == sorted(doc.id for doc in found)
