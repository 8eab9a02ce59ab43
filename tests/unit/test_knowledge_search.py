"""Chinese text search: substring semantics, two-character terms, and both indexes agreeing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.adapters.text_search import Fts5TrigramIndex, fts5_trigram_available
from aftersales.errors import ValidationError
from aftersales.ports.text_search import TextIndex, normalize, query_terms
from aftersales.service.ngram_index import NgramIndex

DOCS = {
    "kb1": ["马桶冲洗不出水", "进水阀堵塞"],
    "kb2": ["转换开关漏水", "紧固转换开关"],
    "kb3": ["Leaking valve", "水箱漏水漏水"],
    "kb4": ["浴缸下水堵", "管子里有石头"],
}


def _indexes() -> list[TextIndex]:
    out: list[TextIndex] = [NgramIndex()]
    assert fts5_trigram_available()  # SQLite ≥ 3.34 with FTS5 (CPython 3.11 ships it)
    out.append(Fts5TrigramIndex())
    for index in out:
        for doc_id, texts in DOCS.items():
            index.put(doc_id, texts)
    return out


@pytest.fixture(params=["ngram", "fts5"])
def index(request: pytest.FixtureRequest) -> TextIndex:
    return _indexes()[0 if request.param == "ngram" else 1]


def test_a_substring_finds_the_longer_phrase(index: TextIndex) -> None:
    assert index.search("不出水") == ["kb1"]


def test_two_character_terms_are_found(index: TextIndex) -> None:
    assert index.search("漏水") == ["kb3", "kb2"]  # kb3 has it twice
    assert index.search("堵") == ["kb1", "kb4"]


def test_every_term_must_occur(index: TextIndex) -> None:
    assert index.search("漏水 开关") == ["kb2"]
    assert index.search("漏水，石头") == []


def test_latin_text_is_case_and_width_insensitive(index: TextIndex) -> None:
    assert index.search("ＬＥＡＫ") == ["kb3"]


def test_terms_never_match_across_fields(index: TextIndex) -> None:
    assert index.search("不出水进水") == []


def test_reindexing_replaces_and_removing_forgets(index: TextIndex) -> None:
    index.put("kb1", ["面盆龙头漏水"])
    assert index.search("不出水") == []
    assert "kb1" in index.search("漏水")
    index.remove("kb1")
    index.remove("unknown")
    assert "kb1" not in index.search("漏水")
    assert len(index) == 3


@pytest.mark.parametrize("query", ["", "   ", "，。", "x" * 201])
def test_bad_queries_are_refused(index: TextIndex, query: str) -> None:
    with pytest.raises(ValidationError):
        index.search(query)


def test_bad_limit_and_bad_documents_are_refused(index: TextIndex) -> None:
    with pytest.raises(ValidationError):
        index.search("漏水", limit=0)
    with pytest.raises(ValidationError):
        index.put("", ["x"])
    with pytest.raises(ValidationError):
        index.put("kb9", "not a list")


def test_query_terms_normalise() -> None:
    assert query_terms("  漏水  Leak、漏水 ") == ("漏水", "leak")
    assert normalize("ＡＢｃ") == "abc"


ALPHABET = "水漏不出冲洗开关阀堵ab"


@settings(max_examples=40)
@given(
    docs=st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=1, max_size=12),
    query=st.text(ALPHABET, min_size=1, max_size=4),
)
def test_both_indexes_match_a_plain_substring_scan(docs: list[str], query: str) -> None:
    expected = sorted((-doc.count(query), f"d{i:02d}") for i, doc in enumerate(docs) if query in doc)
    ngram, fts = NgramIndex(), Fts5TrigramIndex()
    for i, doc in enumerate(docs):
        ngram.put(f"d{i:02d}", [doc])
        fts.put(f"d{i:02d}", [doc])
    want = [doc_id for _, doc_id in expected]
    assert ngram.search(query, limit=100) == want
    assert fts.search(query, limit=100) == want
    fts.close()
