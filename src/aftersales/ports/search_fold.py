"""A store whose search rows, stored before session 35, may need traditional Chinese folded to simplified.

:mod:`aftersales.ports.script_folding` folds search text as it is written and queries as they are read;
rows written before are folded by the store (``fold_search_keys``: small resumable batches). The desk
asks for it before a process's first search (:mod:`aftersales.service.search_fold`), as the ledger's
back-fills run before its first export; an operator may run it ahead, and SQLite's ``upkeep`` runs it.
A store whose search reads the rows not folded yet as folded (PostgreSQL, session 36:
:class:`SearchesWhileFolding`) is not folded before the first search, beyond one short batch (the
knowledge documents): its ``upkeep`` (the ``store_upkeep`` job) paces the rest.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["FoldsSearchKeys", "SearchesWhileFolding"]


@runtime_checkable
class FoldsSearchKeys(Protocol):
    """A store that folds the search rows stored before folding existed."""

    def fold_search_keys(self, *, max_batches: int | None = None) -> object:
        """Fold them (at most ``max_batches`` batches; ``None``: to the end); a complete store returns at
        once."""
        ...


@runtime_checkable
class SearchesWhileFolding(Protocol):
    """A store whose search is right while its fold is pending (it reads the rows not folded yet as
    folded): the fold need not block a process's first search."""

    searches_while_folding: bool
