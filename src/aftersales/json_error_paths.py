"""Where in nested JSON :func:`aftersales.json.from_dict` found bad data, said in the refusal.

Why: cattrs' own wording of an error it collected (``transform_error``) names the path of a field it
structured, but a refusal raised by a class while it is built (a ticket's empty ``description``, checked
by the ticket itself) was worded "invalid value @ $.ticket": neither what is wrong nor which field, so a
host reading back a large view could not find the bad value (session 36's hostile tester). Here an
error of this library keeps its own words, and one a class raised about one of its fields is placed
at that field (``… @ $.ticket.description``). Each error's words are cut to :data:`MOST_CHARACTERS`:
the words quote the value refused, which may be as large as the data sent.
"""

from __future__ import annotations

from typing import Any

from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.v import format_exception

from aftersales.errors import AftersalesError

__all__ = ["MOST_CHARACTERS", "error_paths", "first_refusal"]

MOST_CHARACTERS = 200
"""Characters of one error's words kept in the refusal (its path is always kept whole)."""


def error_paths(error: BaseException, path: str = "$") -> list[str]:
    """Each error collected in ``error`` as ``<what is wrong> @ <path>`` (``$.ticket.events[0].seq``)."""
    if isinstance(error, IterableValidationError):
        with_notes, without = error.group_exceptions()
        found = [line for inner, note in with_notes for line in _one(inner, f"{path}[{note.index!r}]")]
        return found + [line for inner in without for line in _one(inner, path)]
    if isinstance(error, ClassValidationError):
        fields, own = error.group_exceptions()
        found = [line for inner, note in fields for line in _one(inner, f"{path}.{note.name}", note.type)]
        # An error the class raised while it was built names the field it refused, if any.
        return found + [line for inner in own for line in _one(inner, path, named=True)]
    return _one(error, path)


def first_refusal(error: BaseException) -> AftersalesError | None:
    """The one error of this library ``error`` collected, when it collected exactly one error: its rule
    code is carried by the refusal that wraps it (``None`` when there are several, or none)."""
    leaves = list(_leaves(error))
    return leaves[0] if len(leaves) == 1 and isinstance(leaves[0], AftersalesError) else None


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, ClassValidationError | IterableValidationError):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _one(error: BaseException, path: str, kind: Any = None, named: bool = False) -> list[str]:
    if isinstance(error, ClassValidationError | IterableValidationError):
        return error_paths(error, path)
    if isinstance(error, AftersalesError):
        field = getattr(error, "field", None)
        if named and isinstance(field, str) and field:
            path = f"{path}.{field}"
        return [f"{_cut(str(error))} @ {path}"]
    return [f"{_cut(format_exception(error, kind))} @ {path}"]


def _cut(words: str) -> str:
    return words if len(words) <= MOST_CHARACTERS else f"{words[:MOST_CHARACTERS]}…"
