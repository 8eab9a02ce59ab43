"""Ticket search (查询台账): find a ticket by number, serial, customer, phone, dealer or Chinese text.

The desk keeps each ticket's :class:`~aftersales.ports.ticket_search.SearchDocument` in the store's
search index, written in the same unit of work as the ticket: at intake (:func:`index_ticket`), by the
runner hook of :mod:`aftersales.service.search_hooks` when a step changes what is searched (a note, a
fault record, a tag, a field), and for a customer's, unit's or dealer's tickets when master data
saves that record again (:meth:`TicketSearch.reindex_record`). :meth:`TicketSearch.search` reads it
within the actor's scope, exactly as the ledger does: a dealer never finds, nor counts, another
dealer's ticket. :meth:`TicketSearch.rebuild` indexes a store written before search existed (derived
data only: it changes no ticket).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from aftersales.domain.classification import Category
from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import ProductId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.tags import MAX_TAGS, normalize_tags
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError, NotFound, ValidationError
from aftersales.i18n.callback_complaint_words import searchable_description
from aftersales.i18n.catalog import MessageCatalog, catalog_for
from aftersales.i18n.pack_words import PackWords
from aftersales.ports.ids import IdGenerator, SpellsIds
from aftersales.ports.queries import Page, PageRequest, Sort, TicketFilter
from aftersales.ports.text_search import normalize
from aftersales.ports.ticket_search import (
    SearchDocument,
    SearchRequest,
    TicketSearchIndex,
    note_texts,
    parse_query,
    search_document,
)
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner
from aftersales.service.search_fold import fold_before_search
from aftersales.service.search_pages import reads_reduced, search_page
from aftersales.service.views import TicketView

Words = Callable[[str], MessageCatalog]
"""The catalog of a locale the index words coded text in: the desk's renderer's (``Renderer.catalog``)."""

__all__ = [
    "SEARCHED_ACTIONS",
    "TicketSearch",
    "Words",
    "describe_at_intake",
    "index_change",
    "index_ticket",
    "index_tickets",
    "search_index",
]

SEARCHED_ACTIONS = frozenset({"note_to_customer", "record_fault", "tag", "set_fields", "add_team_member"})
"""Ticket steps that change what search finds or the labels listings filter on (an added team member,
issue 20); a dispatch to or from a dealer re-indexes too (the dispatched dealer's scope word, seed
002); other steps (triage, dispatch between engineers, resolve…) leave the index."""


_DISPATCHES = frozenset({"assign", "reassign", "refer_to_outlet"})


def _moves_a_dealer(event: TicketEvent) -> bool:
    """Whether ``event`` dispatched the ticket to a dealer or away from one: its search scope (the
    dispatched dealer's word) changes; dispatches between engineers leave the index."""
    if event.action not in _DISPATCHES:
        return False
    payload = event.payload
    for key in ("assignee", "outlet", "previous"):
        party = payload.get(key)
        if isinstance(party, Mapping) and party.get("kind") == "dealer":
            return True
    return False


def _elsewhere(dealer: object, ticket: Ticket) -> object:
    """``dealer`` when it is a dealer other than the ticket's own (the one its scope word names)."""
    return dealer if dealer != ticket.dealer_id else None


def search_index(uow: UnitOfWork) -> TicketSearchIndex:
    """``uow``'s ticket search index; a store without one is a ``ConfigurationError`` naming ``store``."""
    return _index_of(uow)


def _index_of(uow: UnitOfWork) -> TicketSearchIndex:
    index = getattr(uow, "search", None)
    if index is None:
        raise ConfigurationError(
            f"the store {type(uow).__name__} has no ticket search index (UnitOfWork.search)", key="store"
        )
    return index  # type: ignore[no-any-return]


def _optional(get: Callable[[str], Any], id_: str | None) -> Any:
    if id_ is None:
        return None
    try:
        return get(id_)
    except NotFound:
        return None


def _document(
    uow: UnitOfWork, ticket: Ticket, description: str | None = None, words: Words = catalog_for
) -> SearchDocument:
    """``ticket``'s search document, with its customer, unit and dealer as stored in ``uow``;
    ``description``: the stored one when ``ticket`` is a reader's view of it (worded for the reader);
    ``words``: the desk's catalogs, which word a coded description as its views do."""
    customer = _optional(uow.customers.get, ticket.customer_id)
    asset = _optional(uow.assets.get, ticket.asset_id)
    dealer = _optional(uow.dealers.get, ticket.dealer_id)
    # A callback's complaint keeps its description as codes: index the words its readers search by.
    stored = ticket.description if description is None else description
    return search_document(ticket, customer, asset, dealer, searchable_description(stored, words))


def index_ticket(uow: UnitOfWork, ticket: Ticket, words: Words = catalog_for) -> None:
    """(Re-)index ``ticket`` in ``uow``'s transaction, with its customer, unit and dealer; coded text
    worded by ``words`` (the desk's renderer's catalogs: what its readers see)."""
    _index_of(uow).put(_document(uow, ticket, words=words))


def index_tickets(uow: UnitOfWork, tickets: Sequence[Ticket], words: Words = catalog_for) -> None:
    """Index new ``tickets`` at once (``put_many``): the documents :func:`index_ticket` would write."""
    _index_of(uow).put_many(_document(uow, ticket, words=words) for ticket in tickets)


def index_change(
    uow: UnitOfWork, ticket: Ticket, events: Sequence[TicketEvent], words: Words = catalog_for
) -> None:
    """Keep ``ticket``'s index entry in step with what ``events`` changed, in proportion to it.

    Steps that change nothing searched cost nothing; notes are appended to the stored text when the
    store can (``append_text``: one statement, no document rebuilt); other changes re-index the
    ticket (:func:`index_ticket`)."""
    searched = [event for event in events if event.action in SEARCHED_ACTIONS]
    if not searched:
        moves = [event for event in events if _moves_a_dealer(event)]
        # The dispatched dealer's scope word (ports.ticket_search.ticket_scope) changes only when the
        # other dealer the ticket is with changes: a dispatch to the ticket's own dealer keeps it.
        if moves:
            previous = moves[0].payload.get("previous")
            before = (
                previous.get("id")
                if isinstance(previous, Mapping) and previous.get("kind") == "dealer"
                else None
            )
            if _elsewhere(before, ticket) != _elsewhere(ticket.dispatched_dealer, ticket):
                index_ticket(uow, ticket, words)
        return
    texts = note_texts(ticket, searched)
    if texts is not None:
        append = getattr(getattr(uow, "search", None), "append_text", None)
        if append is not None and append(ticket.id, texts):
            return
    index_ticket(uow, ticket, words)


def describe_at_intake(
    fields: CustomFieldSet, category: Category, tags: Sequence[str], values: Mapping[str, object] | None
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Tags and field values of a new ticket of ``category``, checked (required fields included)."""
    code = category.code if isinstance(category, Category) else str(category)
    found = normalize_tags(tags)
    if len(found) > MAX_TAGS:
        raise ValidationError(f"a ticket carries at most {MAX_TAGS} tags", field="tags")
    return found, fields.validate(values or {}, code)


@validated_commands  # exported: a host may call desk.finder.search as it calls desk.search
class TicketSearch:
    """The search capability: index maintenance on the command path, scoped queries for readers.

    ``scope(actor, filter)`` narrows a filter to what the actor may see (the ledger's own rule);
    ``seen_by(actor, ticket)`` is the ticket as the actor reads it (``CommandRunner.seen_by``: without
    what a customer does not read, the desk's staff-only fields among it).
    """

    def __init__(
        self,
        store: StoreFactory,
        scope: Callable[[Actor, TicketFilter], TicketFilter],
        check_actor: Callable[[object], object],
        seen_by: Callable[[Actor, Ticket], Ticket],
        words: Words = catalog_for,
        ids: IdGenerator | None = None,
        pack_words: PackWords | None = None,
    ) -> None:
        self._store = store
        self._pack_words = pack_words
        """The desk's pack vocabulary, for the views found (their "why" in the pack's words)."""
        self._spell = _host_spelling(ids)
        """The host's generator reading a term as one of its ticket ids (``T000001``), if it can."""
        self._words = words
        """The desk's catalogs (``Renderer.catalog``): coded text is indexed as its views word it."""
        self._scope = scope
        self._check_actor = check_actor
        self._seen_by = seen_by

    # -- the write side (inside a command's unit of work) -------------------------------------

    def rebuild(self, runner: CommandRunner, actor: Actor, batch: int = 1000) -> int:
        """Index every stored ticket again (a store written before search existed, or by a bulk import
        that did not index). Returns how many tickets were indexed; run it once, when the desk is idle.

        Each batch is one write through ``runner`` (the one command path), as ``actor``: a service head
        or the system (``rebuild_search_index`` of the permission table)."""
        permit(actor, Workflow.DOCUMENTS, "rebuild_search_index")
        count = 0
        page = PageRequest(limit=batch, sort=Sort.RECEIVED_ASC)
        while True:

            def apply(uow: UnitOfWork, now: datetime, page: PageRequest = page) -> Page[Ticket]:
                found = uow.tickets.query(TicketFilter(), page)
                for ticket in found.items:
                    self.index(uow, ticket)
                return found

            found = runner.write(actor, "rebuild_search_index", None, page, apply)
            count += len(found.items)
            if found.next_cursor is None:
                return count
            page = PageRequest(limit=batch, cursor=found.next_cursor, sort=Sort.RECEIVED_ASC)

    def index(self, uow: UnitOfWork, ticket: Ticket) -> None:
        """(Re-)index ``ticket`` in ``uow``'s transaction, with its customer, unit and dealer."""
        index_ticket(uow, ticket, self._words)

    def reindex_record(self, uow: UnitOfWork, record: object, before: object = None) -> int:
        """A customer, unit or dealer was saved (``before``: as it was stored, if known): re-index its
        tickets (new name or phone, a unit's corrected serial)."""
        if isinstance(record, Customer):
            return self.reindex_party(uow, "customer", record.id)
        if isinstance(record, Asset):
            if isinstance(before, Asset):
                # A unit's serial is all its tickets' documents take from it: a saved unit with the
                # same serial changes none. A corrected one is found on every ticket of the unit,
                # whoever owns it now (a unit sold on, or a dealer's stock unit, has tickets of others).
                if before.serial == record.serial:
                    return 0
                return self._reindex_unit(uow, record.id, {before.product_id, record.product_id})
            return self.reindex_party(uow, "asset", record.id)
        if isinstance(record, Dealer):
            return self.reindex_party(uow, "dealer", record.id)
        return 0

    def _reindex_unit(self, uow: UnitOfWork, asset_id: str, products: set[ProductId]) -> int:
        """Re-index every ticket of unit ``asset_id`` (tickets copy the unit's product at intake)."""
        count = 0
        for product in sorted(products):
            page = PageRequest(limit=500)
            while True:
                found = uow.tickets.query(TicketFilter(product_id=product), page)
                for ticket in found.items:
                    if ticket.asset_id == asset_id:
                        self.index(uow, ticket)
                        count += 1
                if found.next_cursor is None:
                    break
                page = PageRequest(limit=500, cursor=found.next_cursor)
        return count

    def reindex_party(self, uow: UnitOfWork, kind: str, party_id: str) -> int:
        """Re-index the tickets of a customer, unit (``asset``) or dealer whose record changed.

        A unit's tickets are those of its current owner here (a new unit's, say imported tickets); a
        unit saved with another serial re-indexes every ticket of it (:meth:`reindex_record`)."""
        count = 0
        if kind == "asset":
            # Units are not a ledger filter: their tickets are the customer's tickets with this asset.
            try:
                owner = uow.assets.get(party_id).customer_id
            except NotFound:
                return 0
            if owner is None:
                return 0
            wanted = TicketFilter(customer_id=owner)
        elif kind in ("customer", "dealer"):
            wanted = (
                TicketFilter(customer_id=party_id) if kind == "customer" else TicketFilter(dealer_id=party_id)
            )
        else:
            return 0
        page = PageRequest(limit=500)
        while True:
            found = uow.tickets.query(wanted, page)
            for ticket in found.items:
                if kind != "asset" or ticket.asset_id == party_id:
                    self.index(uow, ticket)
                    count += 1
            if found.next_cursor is None:
                return count
            page = PageRequest(limit=500, cursor=found.next_cursor)

    # -- the read side -----------------------------------------------------------------------------

    def search(
        self,
        actor: Actor,
        query: str,
        filters: TicketFilter | None = None,
        page: SearchRequest | PageRequest | None = None,
    ) -> Page[TicketView]:
        """Tickets matching ``query`` (every term) and ``filters``, within ``actor``'s scope, best first.

        Best first: tickets whose number, serial, phone or customer name equals a term, then the
        rest, newest first. ``page`` is a :class:`SearchRequest` (or a ledger ``PageRequest``, whose
        limit and cursor are used; its sort order is not: search ranks by relevance).
        """
        self._check_actor(actor)
        parsed = parse_query(query, self._spell)
        if filters is not None and not isinstance(filters, TicketFilter):
            raise ValidationError("filters is a TicketFilter", field="filters")
        if page is None:
            request = SearchRequest()
        elif isinstance(page, SearchRequest):
            request = page
        elif isinstance(page, PageRequest):
            request = SearchRequest(page.limit, page.cursor)
        else:
            raise ValidationError("page is a SearchRequest", field="page")
        scoped = self._scope(actor, filters or TicketFilter())
        fold_before_search(self._store)  # rows stored before traditional Chinese was folded (session 35)
        with self._store() as uow:

            def view(ticket_id: str) -> TicketView | None:
                ticket = uow.tickets.get(ticket_id)
                seen = self._seen_by(actor, ticket)
                # The index holds the staff's internal notes, tags and staff-only field values: a
                # ticket read without them is found only if it matches without them (a customer
                # searching "脾气急", a tag or a risk note must not learn that it is there).
                # The description is the same for every reader, worded in each one's locale: indexed
                # in all of them, checked so (an English reader finds "满意度" as the index does).
                if seen is not ticket and not _document(uow, seen, ticket.description, self._words).matches(
                    parsed
                ):
                    return None
                return TicketView(seen, self._pack_words)

            found = search_page(_index_of(uow), parsed, scoped, request, view, reads_reduced(actor))
            if found.items or self._spell is None:
                return found
            # A term read as the host's id (T000001 → t-000001) that finds nothing is a word as typed:
            # a model code or serial in the text (空调型号 T2000000) was found before session 35.
            as_typed = parse_query(query)
            if as_typed == parsed:
                return found
            parsed = as_typed
            return search_page(_index_of(uow), parsed, scoped, request, view, reads_reduced(actor))


def _host_spelling(ids: IdGenerator | None) -> Callable[[str], str | None] | None:
    """How a term is read as one of the host generator's ticket ids, when it can tell (session 35)."""
    if not isinstance(ids, SpellsIds):
        return None
    spelt_id = ids.spelt_id

    def spell(term: str) -> str | None:
        found = spelt_id("ticket", term)
        # Normalised as the index holds ids; a host's odd answer (not text) leaves the term as typed.
        return normalize(found) if isinstance(found, str) and found else None

    return spell
