"""A departed staff member's strings in the desk's copies: tickets, outbox messages, idempotency rows.

Why: the staff erasure (:mod:`aftersales.service.staff_erasure`) pseudonymised the engineer record, yet
their name and phone stayed wherever the desk had copied them: the notices addressed to them (the
recipient is their phone) and those quoting them to customers and dealers ("已派给 李工 处理"), the
replayable results of commands, and the tickets they worked — the assignee as each step recorded it, a
note an agent wrote ("李工（137…）下午两点上门"), a reassignment's reason ("李工离职") — and so in the
search index: a search by their phone still found those tickets (session 39 peer test).

What goes and what stays (issue 25, PIPL art. 47; seed 001 六(三) keeps who did the work for the
appraisal): the ids stay everywhere (assignee, each step's actor) — who did what is the company's own
record, and the KPIs are counted by them — and every other occurrence of the person's strings (name,
phone in its written and digit forms, e-mail, address, WeChat, note) reads ``[erased]``: the rest of the
text is kept, nothing is blanked (a note or reason is the customer's or the company's record, not theirs).

Which tickets: those assigned to them (any state), those of the parts lent to them that their loan
ledger charged (where the fee slips they paid as payer are, scrubbed too), and those the search index
finds by one of their strings (a note about them on a ticket since given to someone else) — no scan of
every ticket. Their
name is replaced only in the tickets they worked on (assignee, a step's actor): a customer of the same
name found by it is another person; their phone and e-mail wherever found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aftersales.domain.erasure import scrub
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.erasure import Scrubbable
from aftersales.ports.queries import TicketFilter
from aftersales.ports.repositories import every_ticket
from aftersales.ports.ticket_search import SearchRequest, parse_query
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import structure, unstructure
from aftersales.service.staff_export import loan_slips
from aftersales.service.ticket_search import Words, index_ticket, search_index

__all__ = ["erase_staff_copies"]

_PAGE = 200


def erase_staff_copies(
    uow: UnitOfWork, staff_id: str, needles: Sequence[str], contact: tuple[str, ...], catalog: Words
) -> tuple[int, list[str]]:
    """Replace ``needles`` (a departed person's strings) in the tickets that hold them, and in the
    outbox messages and idempotency rows, in ``uow``'s transaction (module doc). ``contact`` (those of
    the needles that are their phone, e-mail, address or WeChat) goes wherever it is found; their name
    only from the tickets they worked on and the rows naming them or one of those tickets: a customer
    of the same name is another person. Returns how many records changed and the ids of the tickets
    rewritten (for the process's memos)."""
    if not needles:
        return 0, []
    outbox, idempotency = uow.outbox, uow.idempotency
    if not isinstance(outbox, Scrubbable) or not isinstance(idempotency, Scrubbable):
        raise ConfigurationError(
            "this store cannot erase personal data: its outbox and idempotency store need scrub()",
            key="store",
        )
    changed = 0
    loaned, slips = loan_slips(uow, staff_id)
    for slip in slips:  # the charges they paid as payer: ids and amounts kept, a note quoting them not
        erased_slip = structure(scrub(unstructure(slip), tuple(needles)), FeeSlip)
        if erased_slip != slip:
            uow.documents.save(erased_slip)
            changed += 1
    rewritten: list[str] = []
    worked: list[str] = []
    for ticket_id in sorted(_holding(uow, staff_id, needles) | loaned):
        # Read plainly first: a common name finds many other people's tickets, which are not locked
        # (PostgreSQL) unless there is something of this person's to rewrite.
        found = uow.tickets.get(ticket_id)
        theirs = _worked(found, staff_id)
        wanted = tuple(needles) if theirs else contact
        worked += [ticket_id] if theirs else []
        if _erased(found, wanted) is None:
            continue
        erased = _erased(uow.tickets.get_for_update(ticket_id), wanted)
        if erased is not None:
            uow.tickets.save(erased)
            index_ticket(uow, erased, catalog)
            rewritten.append(ticket_id)
    names = [n for n in needles if n not in contact]
    within = [staff_id, *worked]
    changed += len(rewritten)
    changed += outbox.scrub(contact, free_text=names, within=within)
    changed += idempotency.scrub(contact, free_text=names, within=within)
    return changed, rewritten


def _erased(ticket: Ticket, needles: tuple[str, ...]) -> Ticket | None:
    """``ticket`` with ``needles`` replaced, or ``None`` when it holds none of them."""
    erased: Ticket = structure(scrub(unstructure(ticket), needles), Ticket)
    return None if erased == ticket else erased


def _worked(ticket: Ticket, staff_id: str) -> bool:
    """Whether ``staff_id`` is or was on ``ticket``: its assignee, a step's actor or assignee."""
    if ticket.assignee is not None and ticket.assignee.id == staff_id:
        return True
    for event in ticket.events:
        assignee = event.payload.get("assignee")
        if event.actor.id == staff_id or (isinstance(assignee, Mapping) and assignee.get("id") == staff_id):
            return True
    return False


def _holding(uow: UnitOfWork, staff_id: str, needles: Sequence[str]) -> set[str]:
    found: set[str] = {t.id for t in every_ticket(uow.tickets, TicketFilter(engineer_id=staff_id))}
    index = search_index(uow)
    for needle in needles:
        try:
            query = parse_query(needle)
        except ValidationError:  # a string no query reads (too long): nothing to find it by
            continue
        cursor: str | None = None
        while True:
            page = index.search(query, TicketFilter(), SearchRequest(limit=_PAGE, cursor=cursor))
            found.update(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return found
