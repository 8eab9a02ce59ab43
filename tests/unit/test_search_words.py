"""The FTS words of a text that grew (a note appended) are made from the old words and the new tail,
and equal the words made from scratch: FTS5 deletes a contentless row by the exact words it holds, so
any difference would corrupt the index (issue 21)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aftersales.adapters.ticket_search_sqlite import extend_grams
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.ports.ticket_search import gram_words

CHARS = st.sampled_from(["马", "桶", "漏", "水", "a", "B", "1", " ", "-", "_", "，", FIELD_SEPARATOR, "é"])
TEXTS = st.lists(CHARS, max_size=12).map("".join)


@given(TEXTS, TEXTS)
def test_extended_grams_equal_the_grams_of_the_whole_text(old: str, tail: str) -> None:
    new = old + tail
    for n in (2, 3):
        assert extend_grams(gram_words(old, n), old, new, n) == gram_words(new, n)


def test_a_note_appended_after_a_separator() -> None:
    old = "客户6" + FIELD_SEPARATOR + "马桶漏水"
    new = old + FIELD_SEPARATOR + "工程师已出发"
    for n in (2, 3):
        assert extend_grams(gram_words(old, n), old, new, n) == gram_words(new, n)
    assert extend_grams("", "", "ab", 2) == gram_words("ab", 2) == "ab b"
    assert extend_grams(gram_words("a", 2), "a", "a", 2) == "a"  # nothing appended: the same words
