# mypy: disable-error-code="arg-type"
"""Which B-trees a ServiceDesk command dirties on SQLite: WAL frames per command, by table or index.

Issue 21: a command's commit writes every page it dirtied to the WAL, so its cost is mostly its page
count. This opens ``--live`` tickets through the desk (as ``bench_desk`` does), turns automatic
checkpoints off, runs ``--n`` commands of each kind and reads the WAL's frame headers: each frame's page
number is attributed to its owner with the ``dbstat`` virtual table (pages no B-tree owns any more are
``(free)``; page 1 is the header). Counts, not times: they compare across loaded machines.
Run: ``python benchmarks/wal_pages.py [--live 3000] [--n 300]``.
"""

from __future__ import annotations

import argparse
import random
import struct
import tempfile
from collections import Counter
from pathlib import Path

from bench_desk import START, _command_kinds, _desk, _open

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore


def _frames(wal: Path, start: int, page_size: int) -> list[int]:
    """Page numbers of the WAL frames from byte ``start`` on (a frame: 24-byte header, then the page)."""
    data = wal.read_bytes()[start:]
    step = page_size + 24
    return [struct.unpack(">I", data[i : i + 4])[0] for i in range(0, len(data) - step + 1, step)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", type=int, default=3000, help="live tickets (default 3000)")
    parser.add_argument("--n", type=int, default=300, help="commands of each kind (default 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.db"
        clock = ManualClock(START)
        desk = _desk(f"sqlite:///{path}", clock)
        live = _open(desk, clock, max(args.live, args.n))
        store = desk.store
        assert isinstance(store, SqliteStore)
        conns = store._all
        conn = conns[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        for each in conns:
            each.execute("PRAGMA wal_autocheckpoint = 0")
        wal = Path(f"{path}-wal")
        for name, fn in _command_kinds(desk, clock, live, random.Random(7)):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = wal.stat().st_size
            start = 32 if before == 0 else before  # the WAL header
            for i in range(args.n):
                fn(i)
            pages = _frames(wal, start, page_size)
            owner = {
                pageno: f"{name_} {kind}"
                for name_, pageno, kind in conn.execute("SELECT name, pageno, pagetype FROM dbstat")
            }
            owner[1] = "(header, page 1)"
            counts = Counter(owner.get(p, "(free)") for p in pages)
            print(f"{name}: {len(pages) / args.n:.2f} WAL pages per command")
            for what, k in counts.most_common():
                print(f"    {k / args.n:6.2f}  {what}")
        desk.shutdown()


if __name__ == "__main__":
    main()
