"""Which entities a command's ticket read brings along: the ones recent commands used (issue 21).

A command's first statement reads its ticket ``FOR UPDATE`` and, in the same round trip, the
entities the command may ask for next (:mod:`aftersales.adapters.postgres_tickets`). Each is a
lookup by primary key that the server plans, runs and serialises: of a note's read (0.3 ms of
server time on the development server), the four lookups were about 0.15 ms, and a note uses only
the customer. So the customer is always read, and the assigned engineer, the dealer and the unit
only while the commands of this store use them: each kind keeps a moving average of how often a
read that brought it (or left it out) was followed by a ``get`` of it in the same unit of work, and
is read along while that average is at least :data:`KEEP_AT`. A kind left out and then asked for is
read by its own statement (one round trip more, the same answer: the transaction is the same) and
counts as used, so a workload that needs it brings it back within a few commands. Every kind starts
at 1: a new store reads all four, as before.

The ticket's product (its column) is one more optional kind: dispatch, start, resolve and close read
it. So are two documents a command reads when it changes a ticket's due times (session 26): the
calendar stamp (:mod:`aftersales.service.calendar_stamp`: every change of due times checks it) and the
SLA sweep's mark (:mod:`aftersales.service.sweep_mark`: a due set at or before now may move it back).
Each was a round trip of its own on such commands (a note on a ticket whose due times moved: four
round trips instead of two).

So are, by the ticket's id (session 27), the documents of two kinds stored one per ticket under its
id — what a closed ticket taught the fault statistics (every close reads it) and a complaint's file —
and the documents of three kinds a command finds by its ticket's id: the complaints
linked to it, its materials requests (both asked by every resolve's after-step hooks) and its callback
tasks (a confirmation plans the callback) — each kind as the one query ``documents.query(cls,
ticket_id=…)`` makes, a round trip each before (a resolve took four round trips instead of two). These
come from a statement of their own after the locking read, in the same round trip, so that a read
which waited for the ticket's lock sees what the lock's holder wrote under it
(:func:`aftersales.adapters.postgres_tickets.ticket_documents_read`).

So are, in that same statement (session 37), the ids and versions of the emergency teams
(:data:`VERSIONS`): a critical dispatch checks the teams its desk keeps parsed against their stored
versions (:mod:`aftersales.service.team_roster`), and that read was a round trip of its own on about
half the dispatches (three round trips instead of two).

And so, in that statement (session 39), are the fault statistics a close counts into
(:data:`FAULT_STATS`): one document per product and symptom (``fault_stats.stats_id``), named by the
fault records of the ticket the lock holds — each record's symptom under the ticket's product and under
every product — and by what the ticket taught them before (a reopened ticket's close takes its old
contribution back). A close read them by a statement of its own once it had the ticket: three round
trips instead of two. Those not stored are known absent, so their inserts go with the commit.

Nothing here is a cache: it only decides what one statement reads; every entity still comes from
the store in the command's own transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

__all__ = [
    "ALWAYS",
    "BY_TICKET",
    "DOCUMENTS",
    "FAULT_STATS",
    "KEEP_AT",
    "OPTIONAL",
    "PER_TICKET",
    "VERSIONS",
    "EntityReads",
    "by_ticket",
    "versions_of",
]

ALWAYS = "customer"
"""Read with every ticket: a command's tier, notices and search text all start from it."""
DOCUMENTS = (("calendar_stamp", "calendar"), ("sla_sweep_mark", "resolution"))
"""The documents (kind, id) a ticket read may bring along: the calendar stamp and the sweep's mark (their
classes' ``DOCUMENT_KIND`` and id; a test holds them equal)."""
PER_TICKET = ("fault_learning", "complaint_file")
"""The document kinds stored one per ticket under the ticket's id that a ticket read may bring along
(their classes' ``DOCUMENT_KIND``; a test holds them so)."""
BY_TICKET = ("complaint_link", "materials_request", "callback_task", "callback_record")
"""The document kinds a ticket read may bring along as ``documents.query(cls, ticket_id=<the ticket>)``
answers (their classes' ``DOCUMENT_KIND``, each indexed by ``ticket_id``; a test holds them so)."""


FAULT_STATS = "fault_stats"
"""The document kind of the fault statistics (``FaultStats.DOCUMENT_KIND``; a test holds it so) a ticket
read may bring along by the ticket's fault records: counted as used by any ``documents.get`` of one."""

VERSIONS = (("team", "kind", "emergency"),)
"""The ``documents.versions(cls, field=value)`` answers a ticket read may bring along, as (kind, field,
value): the emergency teams' (``Team.DOCUMENT_KIND``, its index field, ``TeamKind.EMERGENCY``; a test
holds them so)."""


def versions_of(kind: str, field: str, value: str) -> str:
    """The name under which the versions of ``kind``'s documents whose ``field`` is ``value`` are
    counted as used."""
    return f"versions:{kind}:{field}={value}"


def by_ticket(kind: str) -> str:
    """The name under which the query of ``kind``'s documents by ticket id is counted as used."""
    return f"ticket_id:{kind}"


OPTIONAL = (
    "engineer",
    "dealer",
    "asset",
    "product",
    *(kind for kind, _id in DOCUMENTS),
    *PER_TICKET,
    *(by_ticket(kind) for kind in BY_TICKET),
    *(versions_of(*query) for query in VERSIONS),
    FAULT_STATS,
)
"""Read with the ticket while recent commands used them (entity kinds, documents, document queries)."""
KEEP_AT = 0.15
"""A kind's use rate from which it is read along. Leaving out a kind used this often costs about
as much in extra round trips (a turn of the client and the server each, ~4 lookups' time) as
reading it every time."""
_WEIGHT = 1 / 32
"""Weight of the latest read in the moving average (about the last 32 reads count)."""


_STATES = 64
"""The most ticket states whose reads are learned apart (a workflow has a dozen or two)."""


class EntityReads:
    """The entity kinds a store's ticket reads bring along, learned from what commands used.

    Besides the store's one average, each kind keeps one per state of the ticket read (as the store last
    kept it, :meth:`kinds`' ``state``): the next command on a ticket depends on its state, and a kind only
    one step of a walk uses (a callback's records, what a close taught the fault statistics) is used by
    about one command in nine of a desk's mix, under :data:`KEEP_AT`, while every command on a ticket in
    that state asks for it (session 38: in a walk from intake to close a callback and a close each took a
    round trip more). A state's averages are learned from its commands, the first ones weighing alike (a
    plain mean until :data:`_WEIGHT` takes over); the store's start at 1, as before. A read brings along the
    kinds of both."""

    def __init__(self) -> None:
        self._rate = dict.fromkeys(OPTIONAL, 1.0)
        self._lock = threading.Lock()
        self._kinds = frozenset((ALWAYS, *OPTIONAL))
        self._states: dict[str, tuple[dict[str, float], frozenset[str], int]] = {}
        """Per ticket state: its averages, the kinds they bring (beside the store's) and the commands
        counted (the first :data:`_WEIGHT`'s inverse are averaged alike: a state learns from its first)."""

    def kinds(self, state: str | None = None) -> frozenset[str]:
        """The kinds the next ticket read brings along (``state``: the ticket's, as last kept)."""
        kinds = self._kinds
        found = self._states.get(state) if state is not None else None
        if found is not None and not found[1] <= kinds:
            return kinds | found[1]
        return kinds

    def record(self, used: Iterable[str], state: str | None = None) -> None:
        """One command's unit of work ended after a ticket read (of a ticket kept in ``state``); it
        asked for the kinds ``used``."""
        asked = set(used)
        with self._lock:
            rate = self._rate
            for kind in OPTIONAL:
                rate[kind] += _WEIGHT * ((kind in asked) - rate[kind])
            kinds = frozenset((ALWAYS, *(k for k in OPTIONAL if rate[k] >= KEEP_AT)))
            if kinds != self._kinds:
                self._kinds = kinds
            if state is None:
                return
            found = self._states.get(state)
            if found is None:
                if len(self._states) >= _STATES:
                    return
                found = (dict.fromkeys(OPTIONAL, 0.0), frozenset(), 0)
            own, count = found[0], found[2] + 1
            weight = max(_WEIGHT, 1 / count)
            for kind in OPTIONAL:
                own[kind] += weight * ((kind in asked) - own[kind])
            self._states[state] = (own, frozenset(k for k in OPTIONAL if own[k] >= KEEP_AT), count)
