"""The ids a host's generator handed out to one call, handed out again when the call is re-run.

A command is one transaction; after a lost race (another writer committed first) the runner re-runs it
on fresh data (:meth:`~aftersales.service.runner.CommandRunner._attempts`). A host's generator that counts
in a store of its own (``SequentialIds(store=...)``) commits each number in its own transaction, so the
re-run drew a new number and the first was lost: ticket numbers, which customers are told and quote,
had gaps wherever two writers met (PostgreSQL, whose writers overlap; session 35). The attempt that lost
stored nothing under the number, so the re-run takes it again: the n-th id of a kind asked for in a re-run
is the n-th the first run was given. After a duplicate (the id itself may be what was taken meanwhile,
by an import) the call draws new ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from aftersales.ports.ids import IdGenerator

__all__ = ["CallIds", "host_id", "one_call"]


class CallIds:
    """The ids one call was given, by kind, in the order it asked for them."""

    def __init__(self) -> None:
        self._given: dict[str, list[str]] = {}
        self._used: dict[str, int] = {}

    def again(self) -> None:
        """The call runs again: its ids are handed out again, in the same order."""
        self._used.clear()

    def forget(self) -> None:
        """The call runs again with new ids (one of its ids was taken meanwhile)."""
        self._given.clear()
        self._used.clear()

    def take(self, ids: IdGenerator, kind: str) -> str:
        """The next id of ``kind`` for this run: the one the last run had at this place, or a new one."""
        used = self._used.get(kind, 0)
        given = self._given.setdefault(kind, [])
        if used == len(given):
            given.append(ids.next_id(kind))
        self._used[kind] = used + 1
        return given[used]


_CALL: ContextVar[CallIds | None] = ContextVar("aftersales_call_ids", default=None)


@contextlib.contextmanager
def one_call() -> Iterator[CallIds]:
    """The ids of the call run inside (a call inside another one has its own)."""
    call = CallIds()
    token = _CALL.set(call)
    try:
        yield call
    finally:
        _CALL.reset(token)


def host_id(ids: IdGenerator, kind: str) -> str:
    """A new id of ``kind`` from the host's generator, the same one again when the call is re-run."""
    call = _CALL.get()
    return ids.next_id(kind) if call is None else call.take(ids, kind)
