"""The ledger export of 100,000 tickets streams: its memory does not grow with the ledger."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, DealerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.service.desk import ServiceDesk

from .data import SH

N = 100_000
AGENT = ActorRef("agent-1", Role.AGENT)

# Run in a child process so its peak resident memory (ru_maxrss) is the export's alone.
CHILD = """
import resource, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from aftersales.adapters.clock import ManualClock
from aftersales.reports import export_ledger
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
desk = ServiceDesk.open("sqlite:///" + sys.argv[1], pack="sanitary_ware",
                        clock=ManualClock(datetime(2026, 4, 1, tzinfo=ZoneInfo("Asia/Shanghai"))))
fmt, limit = sys.argv[2], int(sys.argv[3])
from aftersales.ports.queries import TicketFilter
from aftersales.reports.labels import report_labels
report_labels("zh_Hans")  # catalogs loaded in both runs
filters = TicketFilter(text="#" + sys.argv[4]) if limit else None
n = export_ledger(desk, Actor.manager("m"), sys.argv[5], format=fmt, filters=filters)
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "big.db"
    desk = ServiceDesk.open(
        f"sqlite:///{path}", pack="sanitary_ware", clock=ManualClock(datetime(2026, 4, 1, tzinfo=SH))
    )
    start = datetime(2026, 1, 1, 8, tzinfo=SH)
    for chunk in range(0, N, 10_000):
        with desk.store() as uow:
            uow.tickets.add_many(
                Ticket.open(
                    id=TicketId(f"T{i:07d}"), customer_id=CustomerId(f"c{i % 997}"), channel=Channel.PHONE,
                    category=Category.REPAIR, description=f"马桶一直流水 #{i:07d}",
                    received_at=start + timedelta(seconds=30 * i), taken_by=AGENT,
                    dealer_id=DealerId(f"dealer-{i % 7}"), region="SH",
                )
                for i in range(chunk, min(chunk + 10_000, N))
            )  # fmt: skip
            uow.commit()
    desk.shutdown()
    return path


def _child(db: Path, fmt: str, one: bool, out: Path) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), fmt, "1" if one else "0", "0000001", str(out)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    rows, peak_kb = result.stdout.split()
    return int(rows), int(peak_kb)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_100k_tickets_stream_in_bounded_memory(big: Path, tmp_path: Path, fmt: str) -> None:
    one_rows, one_peak = _child(big, fmt, True, tmp_path / f"one.{fmt}")
    all_rows, all_peak = _child(big, fmt, False, tmp_path / f"all.{fmt}")
    assert (one_rows, all_rows) == (1, N)
    written = (tmp_path / f"all.{fmt}").stat().st_size
    assert written > 8_000_000  # the export itself is large …
    # … but the process that wrote it grew by far less than it (a page at a time, not the ledger)
    assert (all_peak - one_peak) * 1024 < written / 4, (one_peak, all_peak, written)
