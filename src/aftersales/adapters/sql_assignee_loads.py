"""The SQL of :class:`aftersales.ports.assignee_loads.OpenLoads` for SQLite and PostgreSQL.

One grouped count per chunk of assignees, on the partial index of open assigned tickets
(``tickets_assignee_open``): its condition (``is_open``) is written as a literal so the planner sees
it, and the assignees are an ``IN`` list so only their index ranges are read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

__all__ = ["CHUNK", "open_loads_in"]

CHUNK = 500
"""Assignees per statement (well below either store's limit on bound parameters)."""


def open_loads_in(
    run: Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]],
    assignee_ids: Collection[str],
    states: Sequence[str],
    ph: str,
    true: str,
) -> dict[str, int]:
    """Assignee id → open tickets in ``states``, counted by ``run`` (the store's statement runner)."""
    ids = sorted(set(assignee_ids))
    if not ids or not states:
        return {}
    marks = ", ".join([ph] * len(states))
    loads: dict[str, int] = {}
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        sql = (
            "SELECT assignee_id, count(*) FROM tickets"
            f" WHERE is_open = {true} AND assignee_id IS NOT NULL"
            f" AND assignee_id IN ({', '.join([ph] * len(chunk))}) AND state IN ({marks})"
            " GROUP BY assignee_id"
        )
        for assignee, n in run(sql, [*chunk, *states]):
            loads[str(assignee)] = int(n)
    return loads
