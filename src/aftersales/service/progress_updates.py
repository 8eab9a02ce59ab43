"""The progress reminder (job ``progress_updates``): seed 001 三(五)1, 定期向客户反馈处理情况.

An open service ticket whose customer has heard nothing from the desk for the pack's
``[progress] update_every`` working hours (:mod:`aftersales.policies.progress`; 0 turns it off) is
announced to the specialists (the agents: those on duty where the staff directory lists agents by name,
else the agents' entry), who owe the customer news of the progress. "Heard from the desk" is
:func:`aftersales.domain.customer_heard.last_heard`: the request, a contact, a callback, a visible note,
or a step whose notice the pack's notification policy sends to the customer.

Each ticket is announced once per period of silence: a :class:`~aftersales.service.job_marks.JobMark`
``progress_due:<ticket>:<heard µs>:<period>`` is written with the messages, so two runs or two
processes announce it once; a ticket still unheard one more period later is announced again, and news
to the customer starts the count afresh. The working hours are counted on the desk's calendar (clock
hours on a desk without one); a ticket whose silence reaches past the calendar's holiday data is passed
over until the data is there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.customer_heard import WATCHED_STATES, last_heard
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, DuplicateError, NotFound
from aftersales.policies.progress import pack_progress_rules
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name
from aftersales.service.job_marks import JobMark
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner

__all__ = ["PROGRESS_DUE", "ProgressUpdates", "progress_mark_ticket"]

PROGRESS_DUE = "progress_due"
"""The job-mark prefix of the reminders (``progress_due:<ticket>:<heard µs>:<period>``)."""

_HOUR = timedelta(hours=1)


def progress_mark_ticket(key: str) -> str:
    """The ticket id of a reminder mark's key (what follows ``progress_due:``)."""
    return key.rsplit(":", 2)[0]


class ProgressUpdates:
    """Finds the open tickets whose customer is owed news and tells the specialists, once a period."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def announce(self, actor: Actor, now: datetime, limit: int) -> int:
        """Announce up to ``limit`` tickets overdue for a progress update at ``now``: the number announced
        (0 when the pack sets no ``[progress] update_every``)."""
        every = pack_progress_rules(self.context.policies.extra).update_every
        if every == 0:
            return 0
        permit(actor, Workflow.DOCUMENTS, "announce_progress_due")
        due: list[str] = []
        cursor: str | None = None
        while len(due) < limit:
            with self.context.store() as uow:  # one transaction per page: writers wait for one page
                page = uow.tickets.query(
                    TicketFilter(states=WATCHED_STATES, kind=TicketKind.SERVICE),
                    PageRequest(min(limit, MAX_PAGE), cursor, Sort.RECEIVED_ASC),
                )
            due += [t.id for t in page.items if self._period(t, now, every) is not None]
            cursor = page.next_cursor
            if cursor is None:
                break
        if not due:
            return 0
        notifications = self.context.notifications

        def write(uow: UnitOfWork, at: datetime) -> int:
            announced = 0
            for ticket_id in due[:limit]:
                try:
                    ticket = uow.tickets.get(ticket_id)
                except NotFound:
                    continue  # erased meanwhile
                if ticket.state not in WATCHED_STATES:
                    continue  # moved on meanwhile
                found = self._period(ticket, now, every)
                if found is None:
                    continue  # the customer was told meanwhile
                heard, period = found
                mark = JobMark(f"{PROGRESS_DUE}:{ticket.id}:{micros(heard)}:{period}", at)
                try:
                    uow.documents.add(mark)
                except DuplicateError:
                    continue  # announced for this period already
                values = {
                    "ticket_id": ticket.id,
                    "customer_name": customer_name(uow, ticket.customer_id),
                    "heard_at": heard,
                    "hours": every * period,
                }
                uow.outbox.put(
                    notifications.staff_messages(
                        "progress_update_due", [Role.AGENT], values, mark.id, at, uow
                    )
                )
                announced += 1
            return announced

        return self.runner.write(actor, "announce_progress_due", None, [now.isoformat()], write)

    def _period(self, ticket: Ticket, now: datetime, every: int) -> tuple[datetime, int] | None:
        """When ``ticket``'s customer last heard from us and how many whole periods of ``every`` working
        hours have passed since, when at least one has; ``None`` otherwise."""
        heard = last_heard(ticket, self._told(ticket))
        if heard >= now:
            return None
        calendar = self.context.calendar
        try:
            silence = calendar.between(heard, now) if calendar is not None else now - heard
        except CalendarDataMissing:
            return None  # counted once the holiday data reaches it
        period = int(silence / (every * _HOUR))
        return (heard, period) if period >= 1 else None

    def _told(self, ticket: Ticket) -> Callable[[TicketEvent], bool]:
        policy = self.context.policies.notification
        notifications = self.context.notifications
        priority = ticket.priority or Priority.NORMAL
        return lambda event: notifications.tells_customer(policy, event, ticket.kind, priority)
