"""A dispatch request's sets of names refuse what is none, typed, naming the field (session 27, task l).

Why: ``DispatchRequest`` is exported (a host's own dispatch policy receives it, a host's test builds one),
and its ``emergency_members`` (session 27: the registered emergency teams' members), ``exclude`` and
``preferred_skills`` were converted with ``frozenset``: ``emergency_members="eng-1"`` became the set of
its letters ``{"e", "n", "g", "-", "1"}`` without a word — nobody on the team, the emergency route's pool
silently narrowed — and ``None`` or ``5`` let Python's ``TypeError`` out. Now each is a
``ValidationError`` naming the field; a list, a tuple, a set or a generator of names still converts.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales import DispatchRequest
from aftersales.errors import ValidationError

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
FIELDS = ("emergency_members", "exclude", "preferred_skills")


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "bad", ["eng-1", b"eng-1", None, 5, [5], [""], ["  "], [None], [["eng-1"]]], ids=repr
)
def test_a_set_of_names_that_is_none_is_refused_naming_it(field: str, bad: object) -> None:
    with pytest.raises(ValidationError) as refused:
        DispatchRequest(AT, "sh", **{field: bad})  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize("field", FIELDS)
def test_names_in_any_collection_still_convert(field: str) -> None:
    for given in (
        ["eng-1", "eng-2"],
        ("eng-1", "eng-2"),
        {"eng-1", "eng-2"},
        (n for n in ("eng-1", "eng-2")),
    ):
        assert getattr(DispatchRequest(AT, "sh", **{field: given}), field) == {"eng-1", "eng-2"}
    assert getattr(DispatchRequest(AT, "sh"), field) == frozenset()
