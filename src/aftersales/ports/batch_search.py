"""The search documents of a batch of tickets (a bulk import), from the few words of their parties.

:func:`~aftersales.ports.ticket_search.search_document` takes whole customer, unit and dealer objects;
a bulk import names thousands of them and needs only a handful of their texts. :class:`PartyWords`
holds just those texts (a SQL store selects them without parsing a record), and
:func:`batch_documents` builds every ticket's document from them, normalising each party's words once
per batch instead of once per ticket. The documents equal :func:`search_document`'s (tests hold them
equal), so a ticket imported in bulk is found exactly as one opened by a command.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import attrs

from aftersales.domain.instants import micros
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.ticket import Ticket
from aftersales.ports.identifier_forms import document_identifiers
from aftersales.ports.text_search import FIELD_SEPARATOR, normalize
from aftersales.ports.ticket_search import (
    SearchDocument,
    _identifier_forms,
    _number_keys,
    phone_digits,
    ticket_labels,
    ticket_scope,
)

__all__ = ["CustomerWords", "PartyWords", "batch_documents", "party_words_of"]


@attrs.frozen
class CustomerWords:
    """What a search document reads of a customer: its name, its contact's name and phone; and its tier
    (what an import's close check reads: VIPs are always called back), ``None`` when the store did not
    select it (the import then reads the customer's record for it)."""

    name: str
    contact_name: str | None
    phone: str | None
    tier: CustomerTier | None = None


@attrs.frozen
class PartyWords:
    """The searchable words of the parties a batch names, by id: customers, dealers' names, serials.

    A missing id is a party not stored (its words are left out, as :func:`search_document` leaves out
    a ``None`` party).
    """

    customers: Mapping[str, CustomerWords]
    dealer_names: Mapping[str, str]
    serials: Mapping[str, str]


def party_words_of(
    customers: Mapping[str, Customer], dealers: Mapping[str, Dealer], assets: Mapping[str, Asset]
) -> PartyWords:
    """:class:`PartyWords` from whole objects (for stores that read objects anyway)."""
    return PartyWords(
        {k: CustomerWords(c.name, c.contact.name, c.contact.phone, c.tier) for k, c in customers.items()},
        {k: d.name for k, d in dealers.items()},
        {k: a.serial for k, a in assets.items()},
    )


# The customer's share of a document: keys, identifiers (after the ticket's own), texts (first).
_CustomerPart = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _customer_part(words: CustomerWords) -> _CustomerPart:
    name = normalize(words.name)
    keys = [name]
    texts = [name]
    identifiers: list[str] = []
    if words.contact_name and normalize(words.contact_name) != name:
        texts.append(normalize(words.contact_name))
    if words.phone:
        phone = phone_digits(words.phone)
        keys.append(phone)
        identifiers.append(phone)
    return tuple(keys), tuple(identifiers), tuple(texts)


_NO_LABELS: frozenset[str] = frozenset()


def _labels(ticket: Ticket) -> frozenset[str]:
    # Most imported tickets have no tags, fields or team members: skip building three empty sets.
    if ticket.tags or ticket.custom_fields:
        return ticket_labels(ticket)
    for event in ticket.events:
        if event.action == "add_team_member":  # what teams.added_members reads
            return ticket_labels(ticket)
    return _NO_LABELS


def batch_documents(tickets: Iterable[Ticket], parties: PartyWords) -> Iterator[SearchDocument]:
    """The search document of each ticket, as :func:`search_document` makes it with its parties."""
    customers: dict[str, _CustomerPart | None] = {}
    dealers: dict[str, tuple[str, str | None]] = {}
    serials: dict[str, list[str]] = {}
    sep = FIELD_SEPARATOR
    for ticket in tickets:
        keys = _number_keys(ticket.id)
        identifiers = list(keys)
        texts: list[str] = []
        asset_id = ticket.asset_id
        if asset_id is not None:
            serial = serials.get(asset_id)
            if serial is None:
                text = parties.serials.get(asset_id)
                serial = serials[asset_id] = _identifier_forms(text) if text is not None else []
            keys += serial
            identifiers += serial
        if ticket.batch:
            identifiers.append(normalize(ticket.batch))
        dealer_id = ticket.dealer_id
        dealer: tuple[str, str | None] | None = None
        if dealer_id:
            dealer = dealers.get(dealer_id)
            if dealer is None:
                name = parties.dealer_names.get(dealer_id)
                dealer = dealers[dealer_id] = (
                    normalize(dealer_id),
                    normalize(name) if name is not None else None,
                )
            identifiers.append(dealer[0])
        customer_id = ticket.customer_id
        if customer_id in customers:
            part = customers[customer_id]
        else:
            found = parties.customers.get(customer_id)
            part = customers[customer_id] = _customer_part(found) if found is not None else None
        if part is not None:
            keys += part[0]
            identifiers += part[1]
            texts += part[2]
        if dealer is not None and dealer[1] is not None:
            texts.append(dealer[1])
        texts.append(normalize(ticket.description))
        if ticket.notes:
            texts += [normalize(note.text) for note in ticket.notes]
        for record in ticket.fault_records:
            parts = (record.symptom, record.cause, record.action, record.part or "", record.note)
            texts.append(normalize(" ".join(p for p in parts if p)))
        if ticket.tags:
            texts += [normalize(tag) for tag in ticket.tags]
        if ticket.custom_fields:
            texts += [normalize(value) for value in ticket.custom_fields.values()]
        idents, exact = document_identifiers(identifiers, keys)
        yield SearchDocument(
            ticket.id,
            micros(ticket.received_at),
            sep.join([t for t in texts if t]),
            idents,
            exact,
            _labels(ticket),
            ticket_scope(ticket),
        )
