"""Bulk import of tickets (a migration from another system, a dealer's backlog): issue 21.

Every batch is one write through the command runner (the one command path), so it is checked like
any write: the actor's role, each ticket's own history (its events lead to its state), the customer,
dealer and unit it names. The store writes a batch with one ``executemany`` per table in one
transaction (``TicketRepository.add_many``: the ticket rows, the reporting rows computed in Python)
and the search index in the same transaction (``put_many``). A ticket lacking its late-after instants
(:mod:`aftersales.service.late_after_rewind`) moves the late-after back-fill back to it. A batch is all
or nothing; batches already written stay, so an import that fails on one ticket is resumed from that
batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.bounds import POSITIVE
from aftersales.domain.erasure import ERASED
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.domain.validation import check_record
from aftersales.errors import CustomerErased, NotFound, ValidationError
from aftersales.policies.fault_catalog import check_fault_records
from aftersales.ports.batch_search import PartyWords, batch_documents, party_words_of
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import check_calendar_current
from aftersales.service.call_month import note_imported_calls
from aftersales.service.context import DeskContext
from aftersales.service.import_complaints import file_imported_complaints
from aftersales.service.import_lifecycle import (
    BatchCallback,
    check_history,
    check_instants,
    needs_customers,
)
from aftersales.service.import_numbering import advance_numbers, tell_host_ids
from aftersales.service.late_after_rewind import rewind_backfill
from aftersales.service.lifecycle import lifecycle_params
from aftersales.service.permissions import check_role
from aftersales.service.progress_watch import forget_keys
from aftersales.service.row_locks import hold_all
from aftersales.service.runner import CommandRunner
from aftersales.service.sweep_mark import rewind_mark

__all__ = ["DEFAULT_IMPORT_BATCH", "IMPORT_ROLES", "ImportReport", "TicketStream", "import_tickets"]

TicketStream = Annotated[Iterable[Ticket], "streamed: each item is checked by the import as it comes"]
"""What :func:`import_tickets` takes: any iterable of tickets, however long (a list, a generator reading
another system's export). ``Annotated`` so the desk's boundary check, which would copy an iterable
and cap it at 10,000 items, leaves it to the import: each item is checked as it streams, and one that
is not a ``Ticket`` is refused with a ``ValidationError`` naming ``tickets``."""

IMPORT_ROLES = frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.SYSTEM})
"""Who may import tickets: the service office's managers and the library's own jobs."""

DEFAULT_IMPORT_BATCH = 10_000
"""Tickets per transaction: large enough for ``executemany`` to pay, small enough that other writers
wait a fraction of a second at most between batches."""


@attrs.frozen
class ImportReport:
    """What :func:`import_tickets` wrote: tickets and the batches (transactions) they went in."""

    tickets: int
    batches: int


_REPLAYED = frozenset({"events", "fault_records", "visits", "notes", "charges", "attachments"})
"""The ticket's histories, not field-checked one by one on import: the replay of its events and the
lifecycle checks read them, and checking each record of them would double a batch's cost."""


def _checked(item: object, at: int) -> Ticket:
    if not isinstance(item, Ticket):
        raise ValidationError(f"item {at} is not a Ticket ({type(item).__name__})", field="tickets")
    # Every other field as a command's argument is checked (session 39): a ticket's fields may be set
    # after Ticket.open, and the import stored what no command takes (a NUL id that no read finds again,
    # a year-1 instant or a channel given as text: untyped errors, and memory and SQLite disagreeing).
    ticket: Ticket = check_record(item, "tickets", skip=_REPLAYED)
    try:
        state = ticket.replay_state()
    except ValidationError as exc:
        raise ValidationError(f"ticket {ticket.id}: {exc}", field="events") from None
    if state != ticket.state:
        raise ValidationError(
            f"ticket {ticket.id}: its events lead to {state!r}, not to its state {ticket.state!r}",
            field="state",
        )
    if ticket.version < 0:
        raise ValidationError(f"ticket {ticket.id}: version is 0 or more", field="version")
    check_instants(ticket)
    for name in _TUPLE_FIELDS:
        # A list set after the ticket was made (host code of before session 35, when these were lists)
        # is taken as a tuple, as one given to the constructor is: a store's copies share these fields,
        # so the host's list, changed after the import, changed the memory store's ticket.
        value = getattr(ticket, name)
        if type(value) is not tuple:
            if not isinstance(value, list | tuple):
                raise ValidationError(f"ticket {ticket.id}: {name} is a tuple", field=name)
            setattr(ticket, name, tuple(value))
    return ticket


_TUPLE_FIELDS = ("fault_records", "visits", "notes")
"""The ticket's fields that are tuples since session 35 (``Ticket.__attrs_post_init__`` takes a list given
to the constructor as a tuple)."""


def _party_words(uow: UnitOfWork, batch: Sequence[Ticket]) -> PartyWords:
    """The words of the customers, dealers and units ``batch`` names that are stored.

    A store that can select them without building each record (SQLite: ``party_words``) does; any
    other store's records are read whole."""
    customer_ids = {t.customer_id for t in batch}
    dealer_ids = {t.dealer_id for t in batch if t.dealer_id is not None}
    asset_ids = {t.asset_id for t in batch if t.asset_id is not None}
    select = getattr(uow, "party_words", None)
    if select is not None:
        words: PartyWords = select(customer_ids, dealer_ids, asset_ids)
        return words
    return party_words_of(
        uow.customers.find(customer_ids), uow.dealers.find(dealer_ids), uow.assets.find(asset_ids)
    )


def _tiers(uow: UnitOfWork, batch: Sequence[Ticket], words: PartyWords) -> dict[str, CustomerTier]:
    """The tiers of the customers whose tier the close check of ``batch`` reads: from the party words
    where the store selected them (SQLite), else from the customers' records (read whole)."""
    wanted = needs_customers(batch)
    tiers: dict[str, CustomerTier] = {}
    unread: set[str] = set()
    for customer_id in wanted:
        found = words.customers.get(customer_id)
        tier = found.tier if found is not None else None
        if tier is None:
            unread.add(customer_id)
        else:
            tiers[customer_id] = tier
    if unread:
        tiers.update((k, c.tier) for k, c in uow.customers.find(unread).items())
    return tiers


def _check_lifecycle(
    context: DeskContext, uow: UnitOfWork, batch: Sequence[Ticket], words: PartyWords
) -> None:
    """The live lifecycle rules on each history (:mod:`aftersales.service.import_lifecycle`): the same
    refusal a live ``resolve``, ``confirm`` or ``close`` gives, so no import stores what the desk refuses;
    and each fault record's codes against the pack's fault catalog, as ``add_fault_record`` checks them."""
    params = lifecycle_params(context.policies)
    tiers = _tiers(uow, batch, words)
    callback = BatchCallback(context.policies.callback)
    for ticket in batch:
        check_history(ticket, params, callback, tiers)
        check_fault_records(context.policies, ticket.fault_records, ticket.id)


def _write(context: DeskContext, uow: UnitOfWork, batch: Sequence[Ticket], now: datetime) -> int:
    # The batch's closes are decided by the desk's callback policy and its late-after instants derived on
    # its calendar: a desk left on another pack than the store's since it opened imports nothing.
    check_calendar_current(uow, context, at=now)
    # Held (PostgreSQL) before they are read: an erasure of one of them in flight commits first and the
    # batch is refused; read plainly, the copy of an erased person's ticket was stored after the erasure.
    hold_all(uow.customers, {t.customer_id for t in batch})
    words = _party_words(uow, batch)
    customers, dealers = words.customers, words.dealer_names
    for ticket in batch:
        if ticket.customer_id not in customers:
            raise NotFound("customer", ticket.customer_id)
        if customers[ticket.customer_id].name == ERASED:
            # Another system's copy of an erased person's ticket would bring their data back.
            raise CustomerErased(ticket.customer_id)
        if ticket.dealer_id is not None and ticket.dealer_id not in dealers:
            raise NotFound("dealer", ticket.dealer_id)
    _check_lifecycle(context, uow, batch, words)
    # An imported SR-<year>-<n> is never handed out again. The counter first (locked on PostgreSQL, as an
    # intake locks it): a call numbered meanwhile commits before, and its number is then found taken.
    advance_numbers(uow, batch)
    uow.tickets.add_many(batch)
    # Each complaint filed as one opened then: in a month's feedback, under the month gate (seed 004 1(6)).
    file_imported_complaints(uow, batch, context.timezone)
    # Each call received in a month whose feedback went out already: in the first month still to send.
    note_imported_calls(uow, context.timezone, batch, now)
    dues = [t.resolution_due_at for t in batch if t.is_open and t.resolution_due_at is not None]
    if dues:  # an open ticket due behind the SLA sweep's mark is read by the next sweep
        rewind_mark(uow, min(dues), now)
    rewind_backfill(
        uow, batch, context.calendar
    )  # the late-after instants: the back-fill's next page gives them
    uow.search.put_many(batch_documents(batch, words))
    return len(batch)


def import_tickets(
    runner: CommandRunner,
    actor: Actor,
    tickets: TicketStream,
    *,
    batch_size: int = DEFAULT_IMPORT_BATCH,
) -> ImportReport:
    """Write ``tickets`` (new ids, complete histories) in batches of ``batch_size``, one transaction each.

    Refused before anything is written: an actor outside :data:`IMPORT_ROLES` (``PermissionDenied``),
    a batch size below 1. Refused per batch (that batch writes nothing, earlier ones stay): an item
    that is not a ticket, a field outside a command argument's rules (a ``ValidationError`` naming
    ``tickets.<field>``; the histories are replayed instead), a history that does not lead to the
    ticket's state, an unknown customer or
    dealer (``NotFound``), a customer whose personal data was erased (``CustomerErased``: the copy
    would bring their data back), an id already stored or given twice (``DuplicateError``), a history whose
    ``resolve``, ``confirm`` or ``close`` the live command would refuse (the same error: a resolve without
    the pack's fault record is ``FaultRecordRequired``, a staff acceptance without its channel a
    ``ValidationError`` naming ``channel``, a close before the callback ``InvalidTransition``), a fault
    record with a code outside the pack's fault catalog (a ``ValidationError`` naming ``symptom``,
    ``cause`` or ``action``, as ``add_fault_record`` refuses it), a desk left on another calendar,
    ``[sla]`` or ``[callback]`` than the one another desk has moved the store to since it opened (a
    ``ConfigurationError`` naming ``calendar``, ``sla`` or ``callback``, as any command writing due times).
    A unit that
    is not registered is allowed (imports often carry serials no one registered): it is searched without it.
    """
    check_role(actor, "import_tickets", None, IMPORT_ROLES)
    if isinstance(tickets, str | bytes) or not isinstance(tickets, Iterable):
        raise ValidationError(
            f"tickets is an iterable of Ticket, got {type(tickets).__name__}", field="tickets"
        )
    POSITIVE.check(batch_size, "batch_size")  # the bounds the desk's argument check names too
    written = batches = 0
    batch: list[Ticket] = []

    def flush() -> None:
        nonlocal written, batches
        chunk = list(batch)

        def apply(uow: UnitOfWork, now: datetime) -> int:
            forget_keys(uow, chunk)  # open service tickets the progress reminder has no key for
            return _write(runner.context, uow, chunk, now)

        tell_host_ids(runner.context.ids, chunk)  # before the write: a call meanwhile takes none of them

        written += runner.write(actor, "import_tickets", None, len(chunk), apply)
        batches += 1
        batch.clear()

    for at, ticket in enumerate(tickets):
        batch.append(_checked(ticket, at))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return ImportReport(written, batches)
