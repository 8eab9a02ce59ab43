"""Ticket tags: free labels that staff put on tickets to find and group them (漏水, 批量, vip).

Tags are normalised once, on the way in, so that "VIP", "ｖｉｐ" and " vip " are one tag: NFKC,
case-folded, inner whitespace collapsed to one space. A tag is at most :data:`MAX_TAG` characters,
a ticket carries at most :data:`MAX_TAGS`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from aftersales.errors import ValidationError

__all__ = ["MAX_TAG", "MAX_TAGS", "normalize_tag", "normalize_tags"]

MAX_TAG = 32
MAX_TAGS = 20


def normalize_tag(tag: object) -> str:
    """The canonical form of one tag; empty, over-long or control-character tags are refused."""
    if not isinstance(tag, str):
        raise ValidationError(f"a tag is text, got {tag!r}", field="tags", rule="text")
    norm = " ".join(unicodedata.normalize("NFKC", tag).casefold().split())
    if not norm:
        raise ValidationError("a tag must not be blank", field="tags")
    if len(norm) > MAX_TAG:
        raise ValidationError(f"tag {norm!r} is longer than {MAX_TAG} characters", field="tags")
    if any(unicodedata.category(ch)[0] == "C" for ch in norm) or "=" in norm:
        raise ValidationError(f"tag {norm!r} holds a control character or '='", field="tags")
    return norm


def normalize_tags(tags: Iterable[object] | str | None) -> tuple[str, ...]:
    """Distinct canonical tags, sorted (a single string is one tag)."""
    if tags is None:
        return ()
    if isinstance(tags, str):
        tags = (tags,)
    try:
        items = list(tags)
    except TypeError:
        raise ValidationError("tags are a list of text", field="tags") from None
    return tuple(sorted({normalize_tag(t) for t in items}))
