"""Open tickets of named assignees: the loads dispatch balances, read without counting everyone's.

Dispatch needs the load of each engineer on its roster. Counting the open tickets of *every* assignee
(one ``GROUP BY`` over all open tickets) grows with the open tickets of dealers too — a maker whose
dealers hold 50,000 open maintenance visits paid that count in every dispatch batch (issue 26). The
stores answer for the named assignees only, from their open-assignee index, so the cost follows the
engineers' open work, not the ledger's. A store without the method is counted the old way (see
:func:`aftersales.service.assignee_loads.open_loads`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, runtime_checkable

__all__ = ["OpenLoads"]


@runtime_checkable
class OpenLoads(Protocol):
    """A ticket repository that counts the open tickets of named assignees."""

    def open_loads(self, assignee_ids: Collection[str], states: Sequence[str]) -> dict[str, int]:
        """Assignee id → how many of its tickets are open and in one of ``states`` (absent: none)."""
        ...
