"""The ticket-search port: what is searchable about a ticket, how a query is read, how hits are ranked.

A dealer's desk searches a national ledger by what is at hand: the ticket number (or only its digits),
the unit's serial number, the customer's name or phone number (in whatever format it was typed), the
batch, the dealer, and the Chinese text of the description, notes and fault records. Every store
answers from the same :class:`SearchDocument`, built here by :func:`search_document`, so memory,
SQLite and PostgreSQL return the same tickets in the same order.

Semantics (shared by every store):

- a ticket matches when every query term occurs (as a substring) in its normalised search text;
- its *score* is how many query terms equal one of its exact keys (ticket number, number digits,
  serial, phone digits, customer name): the ticket you typed the number of comes first;
- hits are ordered by score (highest first), then by recency: ``pos`` is the millisecond of receipt
  times :data:`SLOTS` plus a slot for tickets received in the same millisecond (the later indexed
  first), assigned when the ticket is first indexed and kept.

Terms are NFKC-normalised and case-folded; a term that looks like a phone number (seven digits or
more, with spaces, dashes, dots, brackets or a ``+86``) is reduced to its digits, as phone numbers,
serials and ticket numbers are indexed in both their written and their digits-only forms; a serial
or batch typed without its separators (``sn1`` for ``SN-1``) is found by its compact form
(:mod:`aftersales.ports.identifier_forms`); a ticket number typed without its dashes (``SR2026000001``)
is read as written (``sr-2026-000001``, :mod:`aftersales.ports.ticket_number_terms`), and so is a host's
id (``T000001``: ``t-000001``) when its generator spells it (:class:`~aftersales.ports.ids.SpellsIds`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

import attrs

from aftersales.domain.bounds import check_bounded
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.teams import MEMBER_LABEL, added_members
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.ports.identifier_forms import document_identifiers
from aftersales.ports.queries import MAX_PAGE, Page, TicketFilter
from aftersales.ports.query_marks import QUOTE_MARKS_CLASS
from aftersales.ports.text_search import FIELD_SEPARATOR, MAX_QUERY, normalize
from aftersales.ports.ticket_number_terms import spelt_number

__all__ = [
    "SLOTS",
    "SearchDocument",
    "SearchQuery",
    "SearchRequest",
    "TicketSearchIndex",
    "bigram_tokens",
    "decode_search_cursor",
    "digits_of",
    "encode_search_cursor",
    "gram_words",
    "merge_pages",
    "note_texts",
    "parse_query",
    "phone_digits",
    "position_base",
    "scope_words",
    "search_document",
    "ticket_labels",
    "ticket_scope",
    "token_text",
]

SLOTS = 1 << 20
"""Positions per millisecond of receipt: ``pos = received_ms * SLOTS + slot`` (fits 64 bits until 2248)."""


def position_base(received_us: int) -> int:
    """The first position of tickets received in the millisecond of ``received_us``."""
    return (received_us // 1000) * SLOTS


_SPLIT = re.compile(
    r"[\x00-\x1f\s\u3000,;:!?'\"()\[\]{}<>/\\|，。；：！？、“”‘’（）【】《》" + QUOTE_MARKS_CLASS + "]+"
)
_PHONE = re.compile(r"^\+?[\d\s\-().]{7,}$")
_NON_DIGITS = re.compile(r"\D+")
_NOT_WORD = re.compile(r"\W")  # \w is exactly str.isalnum() plus "_"
_ASCII_WORD = {c: "_" for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


def digits_of(text: str) -> str:
    """The digits of ``text`` (``"SR-2026-000042"`` → ``"2026000042"``)."""
    return _NON_DIGITS.sub("", normalize(text))


def phone_digits(text: str) -> str:
    """A phone number as national digits: formatting and a ``+86``/``0086`` country code removed."""
    digits = digits_of(text)
    if text.strip().startswith("+") and digits.startswith("86") and len(digits) > 11:
        return digits[2:]
    if digits.startswith("0086") and len(digits) > 13:
        return digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


@attrs.frozen
class SearchQuery:
    """A parsed query: its distinct normalised terms (every one must occur in a hit)."""

    terms: tuple[str, ...]


def parse_query(query: object, spell: Callable[[str], str | None] | None = None) -> SearchQuery:
    """Read ``query``; blank, over-long or non-text queries raise ``ValidationError`` (field ``query``).

    ``spell``: the host's reading of a term as one of its ticket ids typed without its separators
    (:class:`~aftersales.ports.ids.SpellsIds`), or None; the desk's own numbering is always read."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationError("a search query is non-blank text", field="query")
    if len(query) > MAX_QUERY:
        raise ValidationError(f"a search query is at most {MAX_QUERY} characters", field="query")
    text = normalize(query).strip()
    if _PHONE.match(text) and len(digits_of(text)) >= 7:
        # "+86 138 1234 5678", "(021) 6234-5678": one number, whatever the spaces.
        return SearchQuery((phone_digits(text),))
    terms: list[str] = []
    for raw in _SPLIT.split(text):
        term = raw.strip(".")
        if not term:
            continue
        if _PHONE.match(term) and len(digits_of(term)) >= 7:
            term = phone_digits(term)
        spelt = spelt_number(term)  # "SR2026000001" is the ticket number SR-2026-000001
        if spell is not None and spelt == term:
            spelt = spell(term) or term  # "T000001" is the host's T-000001
        terms.append(spelt)
    if not terms:
        raise ValidationError("a search query needs at least one letter or digit", field="query")
    return SearchQuery(tuple(dict.fromkeys(terms)))


@attrs.frozen
class SearchDocument:
    """What a store keeps for one ticket: its identifiers, its free text, exact keys and filter labels.

    A term matches the ticket when it occurs in the text (substring: Chinese has no word breaks) or
    begins or ends one of its identifiers (number, serial, phone, batch, dealer: whole or the first or
    last digits, as people read them out — not from the middle, which nobody types and no index serves).
    """

    ticket_id: str
    received_us: int
    text: str
    identifiers: tuple[str, ...]
    keys: frozenset[str]
    labels: frozenset[str] = frozenset()
    scope: tuple[str, ...] = ()
    """Who may see the ticket (``c:<customer>``, ``d:<dealer>``, ``r:<region>``): stores may index
    these to narrow a scoped search early; they are never matched by a query term."""

    @property
    def idents(self) -> str:
        """The identifiers as stored: each between two :data:`FIELD_SEPARATOR` (for SQL checks)."""
        return FIELD_SEPARATOR + FIELD_SEPARATOR.join(self.identifiers) + FIELD_SEPARATOR

    def has(self, term: str) -> bool:
        """True when ``term`` occurs in the text or begins or ends an identifier."""
        return term in self.text or any(i.startswith(term) or i.endswith(term) for i in self.identifiers)

    def matches(self, query: SearchQuery) -> bool:
        """True when every term matches (the reference semantics)."""
        return all(self.has(term) for term in query.terms)

    def score(self, query: SearchQuery) -> int:
        """How many terms equal one of the exact keys."""
        return sum(1 for term in query.terms if term in self.keys)


def _identifier_forms(text: str | None) -> list[str]:
    if not text:
        return []
    norm = normalize(text)
    digits = digits_of(norm)
    return [norm, digits] if digits and digits != norm else [norm]


def _number_keys(ticket_id: str) -> list[str]:
    keys = _identifier_forms(ticket_id)
    groups = re.findall(r"\d+", normalize(ticket_id))
    if groups:
        keys.append(groups[-1])
        keys.append(groups[-1].lstrip("0") or "0")
    return keys


def ticket_labels(ticket: Ticket) -> frozenset[str]:
    """The filter labels of ``ticket``: ``tag:<tag>`` per tag, ``field:<name>=<value>`` per custom field,
    ``member:<engineer>`` per engineer added to its team (issue 20: the scope of an engineer's lists)."""
    labels = {f"tag:{tag}" for tag in ticket.tags}
    labels.update(f"field:{name}={value}" for name, value in ticket.custom_fields.items())
    labels.update(f"{MEMBER_LABEL}{member}" for member in added_members(ticket.events))
    return frozenset(labels)


def search_document(
    ticket: Ticket,
    customer: Customer | None = None,
    asset: Asset | None = None,
    dealer: Dealer | None = None,
    description: str | None = None,
) -> SearchDocument:
    """The search document of ``ticket``, with the customer, unit and dealer it names (when known);
    ``description``: the words to index for its description when they are not as stored (a callback's
    complaint keeps codes, indexed as readers read them), else ``ticket.description``."""
    keys: list[str] = _number_keys(ticket.id)
    identifiers: list[str] = list(keys)
    texts: list[str] = []
    if asset is not None:
        serial = _identifier_forms(asset.serial)
        keys += serial
        identifiers += serial
    if ticket.batch:
        identifiers.append(normalize(ticket.batch))
    if ticket.dealer_id:
        identifiers.append(normalize(ticket.dealer_id))
    if customer is not None:
        name = normalize(customer.name)
        keys.append(name)
        texts.append(name)
        if customer.contact.name and normalize(customer.contact.name) != name:
            texts.append(normalize(customer.contact.name))
        if customer.contact.phone:
            phone = phone_digits(customer.contact.phone)
            keys.append(phone)
            identifiers.append(phone)
    if dealer is not None:
        texts.append(normalize(dealer.name))
    texts.append(normalize(ticket.description if description is None else description))
    texts += [normalize(note.text) for note in ticket.notes]
    for record in ticket.fault_records:
        parts = (record.symptom, record.cause, record.action, record.part or "", record.note)
        texts.append(normalize(" ".join(p for p in parts if p)))
    texts += [normalize(tag) for tag in ticket.tags]
    texts += [normalize(value) for value in ticket.custom_fields.values()]
    idents, exact = document_identifiers(identifiers, keys)
    return SearchDocument(
        ticket.id,
        micros(ticket.received_at),
        FIELD_SEPARATOR.join(t for t in texts if t),
        idents,
        exact,
        ticket_labels(ticket),
        ticket_scope(ticket),
    )


def note_texts(ticket: Ticket, events: Sequence[TicketEvent]) -> tuple[str, ...] | None:
    """The normalised texts of the notes ``events`` added to ``ticket``, as :func:`search_document`
    indexes them, when notes are all that they add to its document; None when another step changes it.

    A store that can append them (``append_text``) then indexes a note in proportion to the note.
    """
    texts: list[str] = []
    notes = ticket.notes
    for event in events:
        if event.action != "note_to_customer":
            return None
        index = event.payload.get("index")
        if not isinstance(index, int) or not 0 <= index < len(notes):
            return None
        texts.append(normalize(notes[index].text))
    return tuple(texts)


def ticket_scope(ticket: Ticket) -> tuple[str, ...]:
    """The scope words of ``ticket``: its customer's, its dealer's and its region's, then the word of
    the dealer it is dispatched to when that is another dealer (seed 002) — that dealer's scoped
    search (``TicketFilter.dealer_scope``, narrowed by ``d:<dealer>``) finds it too. A plain
    ``dealer_id`` filter narrows by the same word and its WHERE keeps only the dealer's own."""
    words = scope_words(ticket.customer_id, ticket.dealer_id, ticket.region)
    dispatched = ticket.dispatched_dealer
    if dispatched is not None and dispatched != ticket.dealer_id:
        words += (f"d:{dispatched}",)
    return words


def scope_words(customer_id: str | None, dealer_id: str | None, region: str | None) -> tuple[str, ...]:
    """The scope words of a ticket (or of a filter) with these customer, dealer and region."""
    words = []
    if customer_id is not None:
        words.append(f"c:{customer_id}")
    if dealer_id is not None:
        words.append(f"d:{dealer_id}")
    if region is not None:
        words.append(f"r:{region}")
    return tuple(words)


def token_text(text: str) -> str:
    """``text`` with every character that is not a letter or digit replaced by ``_`` (one token class).

    Index tokens are made of it, so punctuation, spaces and field separators never split a token;
    a query term is mapped the same way, and the exact check that follows drops false friends.
    """
    if text.isascii():  # identifiers, mostly: a table lookup is several times faster than the regex
        return text.translate(_ASCII_WORD)
    return _NOT_WORD.sub("_", text)


def gram_words(text: str, n: int) -> str:
    """The ``n``-character windows of :func:`token_text` (``text``) as space-separated words.

    For ``n = 2`` the last character is added alone, so a one-character term is the prefix of a word.
    """
    mapped = token_text(text)
    words = [mapped[i : i + n] for i in range(len(mapped) - n + 1)]
    if n == 2 and mapped:
        words.append(mapped[-1])
    return " ".join(words)


def bigram_tokens(body: str) -> str:
    """Every two-character token of the letter/digit runs of ``body``, and each run's last character.

    Stores whose trigram index cannot find two-character terms ("漏水") index these as words: a
    two-character term is one token, a one-character term a prefix of one.
    """
    tokens: list[str] = []
    run: list[str] = []
    for ch in body + " ":
        if ch.isalnum():
            run.append(ch)
            continue
        if run:
            tokens.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
            tokens.append(run[-1])
            run = []
    return " ".join(tokens)


@attrs.frozen
class SearchRequest:
    """One page of search hits: ``limit`` tickets after ``cursor`` (``None``: from the best)."""

    limit: int = attrs.field(default=20)
    cursor: str | None = None

    def __attrs_post_init__(self) -> None:
        check_bounded(self.limit, "limit", MAX_PAGE)
        if self.cursor is not None and not isinstance(self.cursor, str):
            raise ValidationError("a page cursor is text", field="cursor")


def encode_search_cursor(score: int, pos: int) -> str:
    """The opaque cursor just after the hit ranked (``score``, ``pos``)."""
    raw = json.dumps(["search", score, pos], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_search_cursor(cursor: str) -> tuple[int, int]:
    """(score, pos) of a search cursor; a malformed cursor (or a ledger one) raises ``ValidationError``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError("malformed search cursor", field="cursor") from None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or data[0] != "search"
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in data[1:])
    ):
        raise ValidationError("the cursor is not a search cursor", field="cursor")
    return int(data[1]), int(data[2])


Stream = Callable[[int | None, int], Sequence[tuple[int, str]]]
"""``stream(before_pos, limit)``: up to ``limit`` (pos, ticket id) of matching tickets, ``pos`` descending."""


def merge_pages(keyed: Iterable[tuple[int, int, str]], stream: Stream, request: SearchRequest) -> Page[str]:
    """One page of ticket ids: ``keyed`` hits (score ≥ 1, pos, id) first, then ``stream``'s, best first.

    Stores find the few tickets with an exact key themselves, and stream the rest in ``pos`` order
    (the cheap order for an index); this puts them together and pages them the same way everywhere.
    """
    ranked = sorted(keyed, key=lambda hit: (-hit[0], -hit[1]))
    keyed_ids = {hit[2] for hit in ranked}
    limit = request.limit
    after: tuple[int, int] | None = None
    if request.cursor is not None:
        after = decode_search_cursor(request.cursor)
    hits: list[tuple[int, int, str]] = []
    if after is None or after[0] > 0:
        for hit in ranked:
            if after is None or (hit[0], hit[1]) < after:
                hits.append(hit)
    before: int | None = after[1] if after is not None and after[0] == 0 else None
    wanted = limit + 1 - len(hits)
    while wanted > 0:
        chunk = stream(before, wanted + len(keyed_ids))
        for pos, id_ in chunk:
            if id_ not in keyed_ids:
                hits.append((0, pos, id_))
        if len(chunk) < wanted + len(keyed_ids):
            break
        before = chunk[-1][0]
        wanted = limit + 1 - len(hits)
    page = hits[:limit]
    cursor = encode_search_cursor(page[-1][0], page[-1][1]) if len(hits) > limit else None
    return Page(tuple(hit[2] for hit in page), cursor)


@runtime_checkable
class TicketSearchIndex(Protocol):
    """The ticket search index of one unit of work: written in the same transaction as the ticket."""

    def put(self, doc: SearchDocument) -> None:
        """Index (or re-index) a ticket; a ticket indexed before keeps its position."""
        ...

    def put_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index many new tickets at once (a bulk import)."""
        ...

    def remove(self, ticket_id: str) -> None:
        """Forget a ticket (unknown ids are ignored)."""
        ...

    def search(self, query: SearchQuery, filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of the ids of tickets matching ``query`` and ``filter``, best first."""
        ...

    def labelled(self, labels: Sequence[str], filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of the ids of tickets carrying every label (and matching ``filter``), newest first."""
        ...
