"""Erasing a person's data from stored values: pure functions over JSON-ready data.

Why text replacement on top of field rules: personal data leaks into places no schema names (a
rendered notification body, an idempotency row holding a whole ticket, a note an agent typed). The
erasure replaces every occurrence of the person's own strings (name, phone, e-mail, address …) in
whatever is stored about them, and blanks the free-text fields outright.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aftersales.domain.needle_set import NeedleSet, replace_each

if TYPE_CHECKING:
    from aftersales.domain.parties import Customer

__all__ = [
    "ERASED",
    "FREE_TEXT_FIELDS",
    "MIN_NEEDLE",
    "WITHHELD",
    "customer_needles",
    "is_id_key",
    "needles_of",
    "scrub",
    "scrub_text",
]

ERASED = "[erased]"
"""What erased text reads as."""

WITHHELD = "[withheld]"
"""What another person's data reads as in someone's own copy of a record they share (the owner a unit
was sold to, in the seller's export): kept in the store, not theirs to be given."""

MIN_NEEDLE = 2
"""Strings shorter than this are not searched for (a one-character name would hit everyone's text)."""

FREE_TEXT_FIELDS = frozenset(
    {
        "description", "comment", "note", "text", "feedback", "remark", "address", "wechat", "email", "phone",
        "other_complaints",
    }
)  # fmt: skip
"""Keys whose text is blanked wherever it appears in the person's records (reasons and codes are kept).
``other_complaints``: a callback's "anything else you are unhappy with", in the customer's words."""


def needles_of(values: Iterable[object]) -> tuple[str, ...]:
    """The distinct strings worth searching for, longest first (so a full name goes before a part)."""
    found = {v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= MIN_NEEDLE}
    found.discard(ERASED)
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


def customer_needles(customer: Customer) -> tuple[str, ...]:
    """The strings of ``customer`` that name them (name, phone in its written and digit forms, e-mail,
    address, WeChat, note), as :func:`needles_of` orders them."""
    contact = customer.contact
    values: list[object] = [
        customer.name, contact.name, contact.phone, contact.email, contact.address, contact.wechat,
        contact.note,
    ]  # fmt: skip
    if contact.phone:
        digits = "".join(c for c in contact.phone if c.isdigit() or c == "+")
        values += [digits, digits.lstrip("+")]
    if contact.email:
        values.append(contact.email.lower())
    return needles_of(values)


def scrub_text(text: str, needles: Iterable[str] | NeedleSet, mark: str = ERASED) -> str:
    """``text`` with every needle replaced by ``mark`` (:data:`ERASED` unless told), in turn.

    A :class:`~aftersales.domain.needle_set.NeedleSet` (made once for many texts) answers the same,
    trying only the needles the text may hold."""
    if isinstance(needles, NeedleSet):
        return needles.replace(text, mark)
    return replace_each(text, needles, mark)


def is_id_key(key: object) -> bool:
    """Whether ``key`` names an identifier (``id``, ``customer_id``, ``ticket_ids``…), which erasure keeps."""
    return isinstance(key, str) and (key == "id" or key.endswith(("_id", "_ids")))


def scrub(data: Any, needles: tuple[str, ...] | NeedleSet, *, blank_free_text: bool = False) -> Any:
    """JSON-ready ``data`` with every needle replaced in keys and strings.

    With ``blank_free_text``, the values of :data:`FREE_TEXT_FIELDS` (non-empty strings) become
    :data:`ERASED` too. Everything else — ids, codes, dates, amounts, states, reasons — is kept. The
    values of identifier keys (:func:`is_id_key`) are kept even when one of the person's strings is
    their id (a host keying customers by their phone number): rewritten, the records would no longer
    name their own rows, their customer or their tickets. Many needles (every note of a person with
    many tickets) go as one :class:`~aftersales.domain.needle_set.NeedleSet`, made once.
    """
    if isinstance(data, str):
        return scrub_text(data, needles)
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            new_key = scrub_text(key, needles) if isinstance(key, str) else key
            if is_id_key(key):
                out[new_key] = value
            elif blank_free_text and key in FREE_TEXT_FIELDS and isinstance(value, str) and value:
                out[new_key] = ERASED
            else:
                out[new_key] = scrub(value, needles, blank_free_text=blank_free_text)
        return out
    if isinstance(data, list | tuple):
        return [scrub(item, needles, blank_free_text=blank_free_text) for item in data]
    return data
