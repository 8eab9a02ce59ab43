"""The progress reminder (job ``progress_updates``): seed 001 三(五)1, 定期向客户反馈处理情况.

An open service ticket (or, since session 39, an open complaint: 四(三) classes 客户投诉 among the
售后问题, and seed 003 has a complaint 跟进 so that 事事有回音) whose customer has heard nothing from the
desk for the pack's ``[progress] update_every`` working hours (:mod:`aftersales.policies.progress`; 0
turns it off) is announced to the specialists (the agents: those on duty where the staff directory lists
agents by name, else the agents' entry), who owe the customer news of the progress. "Heard from the desk" is
:func:`aftersales.domain.customer_heard.last_heard`: the request (or the ticket back from a wait on the
customer), a contact, a callback, a visible note, or a step whose notice the pack's notification policy
sends to the customer.

Each ticket is announced once per period of silence: a :class:`~aftersales.service.job_marks.JobMark`
``progress_due:<ticket>:<heard µs>:<period>`` is written with the messages, so two runs or two
processes announce it once; a ticket still unheard one more period later is announced again, and news
to the customer starts the count afresh. The working hours are counted on the desk's calendar (clock
hours on a desk without one); a ticket whose silence reaches past the calendar's holiday data is passed
over until the data is there.

A run reads only the tickets whose silence may have reached a period: each watched ticket is keyed by
when its next period can end (:mod:`aftersales.service.progress_watch`); it read every watched ticket of
the store each hour before (session 34).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.customer_heard import COMPLAINT_WATCHED_STATES, WATCHED_STATES, watched_states
from aftersales.domain.instants import micros
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError, NotFound
from aftersales.policies.progress import pack_progress_rules
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name
from aftersales.service.job_marks import JobMark
from aftersales.service.permissions import Workflow, permit
from aftersales.service.progress_watch import (
    ProgressBasis,
    ProgressWatch,
    Silence,
    basis_id,
    due_key,
    keep_watch,
    silence_of,
    watch_on_change,
)
from aftersales.service.runner import CommandRunner

__all__ = ["PROGRESS_DUE", "ProgressUpdates", "progress_mark_ticket"]

PROGRESS_DUE = "progress_due"
"""The job-mark prefix of the reminders (``progress_due:<ticket>:<heard µs>:<period>``)."""

_WATCHED = (
    (TicketKind.SERVICE, WATCHED_STATES),
    (TicketKind.COMPLAINT, COMPLAINT_WATCHED_STATES),
)
"""Per kind of record, its watched states: service tickets and, since session 39, complaints."""


def progress_mark_ticket(key: str) -> str:
    """The ticket id of a reminder mark's key (what follows ``progress_due:``)."""
    return key.rsplit(":", 2)[0]


class ProgressUpdates:
    """Finds the open tickets whose customer is owed news and tells the specialists, once a period."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner
        runner.on_ticket_change(watch_on_change(context))  # keys a ticket back in a watched state

    def announce(self, actor: Actor, now: datetime, limit: int) -> int:
        """Announce up to ``limit`` tickets overdue for a progress update at ``now``: the number announced
        (0 when the pack sets no ``[progress] update_every``).

        Reads only the tickets whose key (:mod:`aftersales.service.progress_watch`) has come: up to
        ``limit`` of them a run, the earliest first; the others wait for the next run."""
        every = pack_progress_rules(self.context.policies.extra).update_every
        if every == 0:
            return 0
        permit(actor, Workflow.DOCUMENTS, "announce_progress_due")
        self._key_all(actor, now, every)
        upto = due_key(micros(now))

        def write(uow: UnitOfWork, at: datetime) -> int:
            announced = 0
            for watch in _due_watches(uow, upto, limit):
                try:
                    ticket = uow.tickets.get(watch.id)
                except NotFound:
                    ticket = None  # erased meanwhile
                if ticket is None or ticket.state not in watched_states(ticket.kind):
                    keep_watch(uow, watch.id, None)  # moved on: keyed again if it comes back
                    continue
                silence = silence_of(self.context, ticket, now, every)
                if silence.periods >= 1 and self._tell(uow, ticket, silence, every, at):
                    announced += 1
                keep_watch(uow, ticket.id, due_key(silence.next_us))
            return announced

        return self.runner.write(actor, "announce_progress_due", None, [now.isoformat()], write)

    def _tell(self, uow: UnitOfWork, ticket: Ticket, silence: Silence, every: int, at: datetime) -> bool:
        """Mark the ticket's period and put the specialists' messages; False when it was announced."""
        heard, period = silence.heard, silence.periods
        mark = JobMark(f"{PROGRESS_DUE}:{ticket.id}:{micros(heard)}:{period}", at)
        try:
            uow.documents.add(mark)
        except DuplicateError:
            return False  # announced for this period already
        complaint = ticket.kind is TicketKind.COMPLAINT
        values = {
            "complaint_id" if complaint else "ticket_id": ticket.id,
            "customer_name": customer_name(uow, ticket.customer_id),
            "heard_at": heard,
            "hours": every * period,
        }
        notifications = self.context.notifications
        # A complaint's notice is worded for 投诉 (session 23: a complaint's notices name a complaint).
        kind = "complaint_progress_update_due" if complaint else "progress_update_due"
        messages = notifications.staff_messages(kind, [Role.AGENT], values, mark.id, at, uow)
        uow.outbox.put(messages)
        return True

    def _key_all(self, actor: Actor, now: datetime, every: int) -> None:
        """Key every watched ticket once, when the store's keys were not counted with ``every`` (a store
        from before the keys, or a pack that changed its period): page by page, as the reminder once
        read them each run, then record ``every`` (:class:`ProgressBasis`). Each kind of record has its
        basis: complaints, watched since session 39, are keyed once on a store whose tickets were."""
        for kind, states in _WATCHED:
            with self.context.reader(snapshot=False) as uow:
                try:
                    if uow.documents.get(ProgressBasis, basis_id(kind)).every == every:
                        continue
                except NotFound:
                    pass
            self._key_kind(actor, now, every, kind, states)

            def basis(uow: UnitOfWork, at: datetime, found_id: str = basis_id(kind)) -> None:
                try:
                    found = uow.documents.get(ProgressBasis, found_id)
                except NotFound:
                    uow.documents.add(ProgressBasis(found_id, every))
                    return
                uow.documents.save(attrs.evolve(found, every=every))

            self.runner.write(
                actor, "announce_progress_due", None, [now.isoformat(), "basis", kind.value], basis
            )

    def _key_kind(
        self, actor: Actor, now: datetime, every: int, kind: TicketKind, states: Sequence[str]
    ) -> None:
        """Key every watched record of ``kind`` (service tickets, complaints), page by page."""
        cursor: str | None = None
        while True:
            with self.context.store() as uow:  # one transaction per page: writers wait for one page
                page = uow.tickets.query(
                    TicketFilter(states=tuple(states), kind=kind),
                    PageRequest(MAX_PAGE, cursor, Sort.RECEIVED_ASC),
                )
            keys: dict[str, str] = {}
            for t in page.items:
                silence = silence_of(self.context, t, now, every)
                # due already: this run looks at it
                keys[t.id] = due_key(micros(now) if silence.periods else silence.next_us)

            def write(uow: UnitOfWork, at: datetime, keys: dict[str, str] = keys) -> None:
                for ticket_id, due in keys.items():
                    keep_watch(uow, ticket_id, due)

            self.runner.write(
                actor, "announce_progress_due", None, [now.isoformat(), kind.value, cursor], write
            )
            cursor = page.next_cursor
            if cursor is None:
                break


def _due_watches(uow: UnitOfWork, upto: str, limit: int) -> Sequence[ProgressWatch]:
    """The keys come by ``upto``, the earliest first, at most ``limit`` (every key, filtered, on a store
    without index ranges)."""
    ranged = getattr(uow.documents, "query_range", None)
    if ranged is not None:
        found: Sequence[ProgressWatch] = ranged(ProgressWatch, "due", upto, limit=limit)
        return found
    every = [w for w in uow.documents.query(ProgressWatch) if w.due is not None and w.due <= upto]
    return sorted(every, key=lambda w: (w.due or "", w.id))[:limit]
