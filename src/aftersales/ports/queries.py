"""Ticket queries for the ledger (售后问题台账): filters, sort orders, keyset pages.

A :class:`TicketFilter` combines conditions with AND (each tuple field is an OR of its values).
Pages are keyset-paginated: a page's ``next_cursor`` encodes the sort key of its last ticket, so
the next page starts strictly after it whatever was inserted meanwhile, and deep pages cost the
same as the first. Cursors are opaque strings; a cursor from another sort order is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

from aftersales.domain.bounds import Bounds, check_bounded
from aftersales.domain.classification import Category, Priority, TicketKind
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.instants import require_aware
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import enum_code
from aftersales.errors import ValidationError

__all__ = [
    "COUNT_FIELDS",
    "MAX_PAGE",
    "PAGE_BOUNDS",
    "UNSET",
    "CountField",
    "Page",
    "PageRequest",
    "Sort",
    "TicketFilter",
    "decode_cursor",
    "encode_cursor",
]

T = TypeVar("T")

UNSET = ""
"""The :meth:`TicketRepository.count_by` key for tickets where the field is not set (no dealer…)."""

MAX_PAGE = 1000
PAGE_BOUNDS = Bounds(1, MAX_PAGE)
"""A page of rows a command reads or writes per transaction (``limit``, ``page_size``, ``batch``)."""


def _tuple_of_text(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _text_rule(value: object, most: int) -> dict[str, Any]:
    """The rule code a free-text argument broke (not text, blank, or longer than ``most``)."""
    if not isinstance(value, str):
        return {"rule": "text"}
    if not value.strip():
        return {"rule": "empty"}
    return {"rule": "too_long", "rule_params": {"most": most}}


_KNOWN_STATES = frozenset(TICKET_WORKFLOW.states) | frozenset(COMPLAINT_WORKFLOW.states)


def _states(value: object) -> tuple[str, ...]:
    # A misspelt state would match no ticket and read as "none of those": refused instead.
    states = _tuple_of_text(value)
    unknown = [s for s in states if s not in _KNOWN_STATES]
    if unknown:
        raise ValidationError(
            f"unknown state(s) {unknown}; the states are {sorted(_KNOWN_STATES)}",
            field="states",
            rule="one_of",
            rule_params={"allowed": ", ".join(sorted(_KNOWN_STATES))},
        )
    return states


def _optional_instant(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        require_aware(value, attribute.name)


def _priorities(value: object) -> tuple[Priority, ...]:
    return tuple(enum_code(Priority, v, "priorities") for v in _tuple_of_text(value))


def _categories(value: object) -> tuple[str, ...]:
    items = (value,) if isinstance(value, Category | str) else (value or ())
    return tuple(v.code if isinstance(v, Category) else Category(str(v)).code for v in items)  # type: ignore[attr-defined]


def _optional_flag(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{attribute.name} is True, False or None, got {value!r}", field=attribute.name)


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 64):
        raise ValidationError(f"{attribute.name} is an id of 1 to 64 characters", field=attribute.name)


def _kind(value: object) -> TicketKind | None:
    if value is None:
        return None
    try:
        return TicketKind(str(value))
    except ValueError:
        raise ValidationError(f"unknown ticket kind {value!r}", field="kind") from None


def _tags(value: object) -> tuple[str, ...]:
    from aftersales.domain.tags import normalize_tags

    return normalize_tags(value)  # type: ignore[arg-type]


def _field_values(value: object) -> tuple[tuple[str, str], ...]:
    from aftersales.domain.custom_fields import canonical_value

    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    try:
        pairs = tuple((str(k), canonical_value(v)) for k, v in items)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"custom field filter: {exc}", field="fields") from None
    return tuple(sorted(dict(pairs).items()))


@refused_typed
@attrs.frozen
class TicketFilter:
    """Which tickets a ledger query returns. Every field left at its default matches everything.

    ``states`` are states of the service or complaint workflow; ``text`` is non-blank. A misspelt state
    or an empty search box is a :class:`ValidationError` naming the field, not an empty or full list.

    ``engineer_id`` matches the assignee id (an engineer, dealer or team id). ``received_from`` is
    inclusive, ``received_to`` exclusive. ``due_before`` keeps tickets whose resolution is due before
    the instant; ``breached_at`` keeps tickets still open and unresolved whose resolution is late
    at the instant: past its due, or for a working-time due outside working hours past the next working
    instant (``Ticket.resolution_late_after``), as ``desk.sla()``, the sweep and the reports judge.
    ``text`` is a case-insensitive substring of the description. ``tags`` keeps tickets carrying every
    tag (normalised as tags are); ``custom_fields`` keeps tickets whose custom fields equal every given
    value (typed or text).
    ``is_open`` keeps tickets not yet closed or cancelled (True) or only those (False);
    ``unresolved`` keeps open tickets without a resolution (True) or the others (False). Both are
    what the stores' partial indexes cover: an engineer's open tickets are
    ``TicketFilter(engineer_id=..., is_open=True)``, the SLA sweep reads ``unresolved=True`` by due.
    ``worked_by`` keeps the tickets an engineer works on: assigned to it, or added to the ticket's
    team by the coordinator (issue 20) — the scope of an engineer's ledger, search and lists.
    ``dealer_scope`` keeps a dealer's tickets: its own (``dealer_id``: its customers' and units', or
    the calls it took) or dispatched to it (the assignee is that dealer) — the scope of dealer staff's
    ledger, search, counts and exports (seed 002: 乙方 handles the calls the maker passes it). A
    re-dispatch to another dealer moves the ticket out of the first one's scope unless it is its own.
    """

    states: tuple[str, ...] = attrs.field(default=(), converter=_states)
    priorities: tuple[Priority, ...] = attrs.field(default=(), converter=_priorities)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    kind: TicketKind | None = attrs.field(default=None, converter=_kind)
    customer_id: str | None = None
    dealer_id: str | None = None
    region: str | None = None
    engineer_id: str | None = None
    product_id: str | None = None
    batch: str | None = None
    received_from: datetime | None = attrs.field(default=None, validator=_optional_instant)
    received_to: datetime | None = attrs.field(default=None, validator=_optional_instant)
    due_before: datetime | None = attrs.field(default=None, validator=_optional_instant)
    breached_at: datetime | None = attrs.field(default=None, validator=_optional_instant)
    text: str | None = None
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)
    custom_fields: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_field_values)
    is_open: bool | None = attrs.field(default=None, validator=_optional_flag)
    unresolved: bool | None = attrs.field(default=None, validator=_optional_flag)
    worked_by: str | None = attrs.field(default=None, validator=_optional_text)
    dealer_scope: str | None = attrs.field(default=None, validator=_optional_text)
    parts_pause: bool | None = attrs.field(default=None, validator=_optional_flag)
    """Whether a ticket waiting for parts has its clocks standing (``breached_at`` judges it where the
    wait began): the desk's pack's ``pause_on_parts``, which the desk sets; ``None`` (a store queried
    directly) reads False. A value the desk's pack disagrees with is refused."""

    @property
    def labels(self) -> tuple[str, ...]:
        """The ticket labels (see :func:`aftersales.ports.ticket_search.ticket_labels`) a match must carry."""
        return (*(f"tag:{t}" for t in self.tags), *(f"field:{k}={v}" for k, v in self.custom_fields))

    def __attrs_post_init__(self) -> None:
        if self.text is not None and (
            not isinstance(self.text, str) or len(self.text) > 200 or not self.text.strip()
        ):
            # Blank text would match every ticket: a filter that filters nothing is refused, not ignored.
            raise ValidationError(
                "text search is non-blank text of at most 200 characters",
                field="text",
                **_text_rule(self.text, 200),
            )


class Sort(CodedEnum):
    """Ledger orders that the stores index. Every order breaks ties by ticket id."""

    RECEIVED_ASC = "received_asc"
    RECEIVED_DESC = "received_desc"
    PRIORITY = "priority"
    """Most urgent first (critical, expedited, normal, untriaged), then oldest received first."""
    DUE = "due"
    """Resolution due soonest first; tickets without a due time last."""


class CountField(CodedEnum):
    """Fields :meth:`TicketRepository.count_by` can group on."""

    STATE = "state"
    PRIORITY = "priority"
    CATEGORY = "category"
    DEALER_ID = "dealer_id"
    REGION = "region"
    PRODUCT_ID = "product_id"
    BATCH = "batch"
    ASSIGNEE_ID = "assignee_id"
    MEMBER = "member"
    """The engineers added to a ticket's team other than its assignee (issue 20): a ticket counts
    once for each of them."""


COUNT_FIELDS = frozenset(CountField)


def _limit(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_bounded(value, "limit", MAX_PAGE)


def _sort(value: object) -> Sort:
    """``value`` as a :class:`Sort` (a member or its code); another is a ``ValidationError`` naming
    ``sort`` and the orders the stores index, not a bare ``ValueError``."""
    found: Sort = enum_code(Sort, value, "sort")
    return found


@attrs.frozen
class PageRequest:
    """Ask for ``limit`` tickets in ``sort`` order after ``cursor`` (``None``: from the start)."""

    limit: int = attrs.field(default=50, validator=_limit)
    cursor: str | None = None
    sort: Sort = attrs.field(default=Sort.RECEIVED_DESC, converter=_sort)


@attrs.frozen
class Page(Generic[T]):
    """One page of results; ``next_cursor`` is ``None`` on the last page."""

    items: Sequence[T]
    next_cursor: str | None = None


def encode_cursor(sort: Sort, key: Sequence[int | str]) -> str:
    """An opaque cursor for the position just after the item whose sort key is ``key``."""
    raw = json.dumps([sort.value, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: Sort, cursor: str, arity: int) -> tuple[int | str, ...]:
    """The sort key a cursor encodes; a malformed cursor or one from another order is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError("malformed page cursor", field="cursor") from None
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != sort.value:
        raise ValidationError(f"the cursor does not belong to sort order {sort.value!r}", field="cursor")
    key = tuple(data[1:])
    if not all(isinstance(k, int | str) and not isinstance(k, bool) for k in key):
        raise ValidationError("malformed page cursor", field="cursor")
    return key
