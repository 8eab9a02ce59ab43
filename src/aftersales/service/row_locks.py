"""Records read to be rewritten, or to decide a write: locked until the transaction ends.

PostgreSQL runs each command at read committed: a plain read takes no lock, so two desks' commands that
read the same record before either committed both decide on what it was. A command that rewrites a
record, or checks a rule across records before adding one (a unit covered by one contract at a time),
reads the record with :func:`for_update` instead: the second command waits for the first and then reads
what it wrote. A store whose writers take turns anyway (SQLite, memory) reads it as ``get`` does.

Every writer taking several records of a kind locks them in one order, ascending id
(:func:`lock_in_order`): two writers wanting the same two then queue instead of each holding one and
waiting for the other (a deadlock on PostgreSQL, one of them run again after a second's wait).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from aftersales.domain.ticket import Ticket
from aftersales.errors import LockOrderConflict, NotFound
from aftersales.ports.documents import D, DocumentStore
from aftersales.ports.repositories import Repository
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["document_for_update", "for_update", "held", "hold_all", "hold_customer_of", "lock_in_order"]

R_ = TypeVar("R_")


def for_update(repository: Repository[R_], id: str) -> R_:
    """The stored record ``id``, read to be rewritten in this transaction: locked until it ends where
    the store offers it (``get_for_update``: PostgreSQL), so a concurrent command on the record waits
    for this one and then reads what it wrote instead of writing over it from an older read. A store
    whose writers take turns anyway (SQLite, memory) reads it as ``get`` does."""
    locked = getattr(repository, "get_for_update", None)
    found: R_ = locked(id) if locked is not None else repository.get(id)
    return found


def held(repository: Repository[R_], id: str) -> R_:
    """The stored record ``id``, held against a rewrite until the transaction ends where the store
    offers it (``get_held``: PostgreSQL), for a write that decides on it without rewriting it: a
    concurrent rewrite (an erasure) waits for this one, or this read for it, and then reads what it
    wrote; other holders go on. A store whose writers take turns (SQLite, memory) reads it as ``get``."""
    holding = getattr(repository, "get_held", None)
    found: R_ = holding(id) if holding is not None else repository.get(id)
    return found


def hold_all(repository: object, ids: Iterable[str]) -> None:
    """Hold the stored records ``ids`` (in ascending id order) against a rewrite until the transaction
    ends where the store offers it (``hold``: PostgreSQL), for a write that decides on them without
    rewriting them (a bulk import's customers: an erasure in flight commits first, and the import then
    reads them erased). A store whose writers take turns (SQLite, memory) has nothing to hold."""
    hold = getattr(repository, "hold", None)
    if hold is not None:
        hold(ids)


def hold_customer_of(uow: UnitOfWork, ticket: Ticket) -> None:
    """Hold ``ticket``'s customer (:func:`held`) before a command locks the ticket, where it may open
    another ticket for them (a complaint, a remedy's visit): every writer takes the customer first, then
    their tickets, as an erasure does (the customer locked, then each ticket). Taken the other way round
    (the ticket, then the customer at the opening), the command and an erasure in flight each held what
    the other waited for: a deadlock on PostgreSQL, broken after a second. A customer not stored (a copy
    imported for one unknown here) has nothing to hold; the opening refuses them itself."""
    with contextlib.suppress(NotFound):
        held(uow.customers, ticket.customer_id)


def document_for_update(documents: DocumentStore, cls: type[D], id: str) -> D:
    """The stored document ``id`` of ``cls``, locked until the transaction ends where the store offers
    it (``get_for_update``: PostgreSQL), for a write that decides on it without rewriting it; a store
    whose writers take turns (SQLite, memory) or a host's own reads it as ``get`` does."""
    locked = getattr(documents, "get_for_update", None)
    found: D = locked(cls, id) if locked is not None else documents.get(cls, id)
    return found


def lock_in_order(kind: str, held: set[str], wanted: Iterable[str], lock: Callable[[str], object]) -> None:
    """Lock each id of ``wanted`` not in ``held`` with ``lock``, in ascending id order, adding it to
    ``held``: the one order every writer takes records of ``kind`` in.

    A write reading again after its first locks may find one more record to lock (a ledger charged
    meanwhile moves a job on to another line). Taking it when it sorts below an id already held would
    wait out of order; :class:`~aftersales.errors.LockOrderConflict` instead, before anything is
    locked here: the runner runs the command again, whose first read finds the record and locks it in
    order."""
    new = sorted(set(wanted) - held)
    if new and held and new[0] < max(held):
        raise LockOrderConflict(kind, new[0], max(held))
    for id in new:
        lock(id)
        held.add(id)
