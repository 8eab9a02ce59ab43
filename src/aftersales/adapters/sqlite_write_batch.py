"""One batch of a long SQLite catch-up under the write lock (the reporting back-fill, the event-log
split, the SLA sweep tables' fill): each is a loop of such batches, so writers wait one batch at most."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["write_batch"]

P = ParamSpec("P")
T = TypeVar("T")


def write_batch(
    conn: sqlite3.Connection, body: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> tuple[T, float]:
    """Run ``body(*args, **kwargs)`` in one ``BEGIN IMMEDIATE`` … ``COMMIT`` on ``conn`` (outside any
    transaction), rolled back if it raises; its result and how long the write lock was held (from
    holding it: a wait for another writer is not the batch's), which sizes the next batch."""
    conn.execute("BEGIN IMMEDIATE")
    began = time.perf_counter()
    try:
        result = body(*args, **kwargs)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result, time.perf_counter() - began
