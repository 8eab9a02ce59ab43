"""Search rows stored before traditional Chinese was folded are folded before a process's first search.

Until a row is folded a query (folded) misses its traditional words; the store's fold
(:class:`~aftersales.ports.search_fold.FoldsSearchKeys`) is one read once it is complete, so it is asked
once per store and process, as the ledger's back-fills are before its first export. A store that
searches right while folding (:class:`~aftersales.ports.search_fold.SearchesWhileFolding`: PostgreSQL)
folds one short batch here (the knowledge documents are folded in the first) and the rest in its
``upkeep``, so a big store's first search is not held for the whole fold (session 36).
"""

from __future__ import annotations

import threading
import weakref

from aftersales.ports.search_fold import FoldsSearchKeys, SearchesWhileFolding

__all__ = ["fold_before_search"]

_folded: weakref.WeakSet[object] = weakref.WeakSet()
_lock = threading.Lock()


def fold_before_search(store: object) -> None:
    """Have ``store`` fold its search rows stored before folding, once per process (a store without
    the method is only remembered)."""
    try:
        if store in _folded:
            return
    except TypeError:  # not weakly referable (a host's own factory): nothing it could fold
        return
    with _lock:  # one thread folds; the others wait for it rather than miss rows meanwhile
        if store not in _folded:
            if isinstance(store, SearchesWhileFolding) and store.searches_while_folding:
                if isinstance(store, FoldsSearchKeys):
                    store.fold_search_keys(max_batches=1)
            elif isinstance(store, FoldsSearchKeys):
                store.fold_search_keys()
            _folded.add(store)
