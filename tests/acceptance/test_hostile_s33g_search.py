"""Hostile round, session 33 g: unicode at the edges of search, the same on memory, SQLite and PostgreSQL.
These attacks passed; they are kept so they stay passing.

Descriptions in decomposed and precomposed accents, Hebrew and Arabic (right to left), emoji and a ZWJ
sequence, full-width Latin, a CJK Extension B character; queries in the other normal form, full-width,
a lone combining mark, a lone joiner (refused by name, as invisible-only text is).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ValidationError
from conftest import world_desk

TEXTS = {
    "combining": "Cafe\u0301 leak e\u0301te\u0301",
    "precomposed": "Caf\u00e9 leak",
    "hebrew": "תקלה במכשיר שלום",
    "arabic": "عطل في الجهاز",
    "emoji": "漏水 🚽💧 严重",
    "zwj": "👨\u200d🔧 维修",
    "fullwidth": "ＷＣ－１００ 漏水",
    "extension_b": "𠀀𠀁 漏水",
    "mixed": "马桶 WC100 leak 漏水",
}
QUERIES = {
    "Café": {"combining", "precomposed"},
    "cafe\u0301": {"combining", "precomposed"},
    "שלום": {"hebrew"},
    "الجهاز": {"arabic"},
    "🚽": {"emoji"},
    "WC-100": {"fullwidth"},
    "ＷＣ": {"fullwidth", "mixed"},
    "𠀀": {"extension_b"},
    "漏水": {"emoji", "fullwidth", "extension_b", "mixed"},
    "leak": {"combining", "precomposed", "mixed"},
    "\u0301": set(),
}


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_unicode_edges_are_found_alike_on_every_store(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        ids = {
            key: desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
            for key, text in TEXTS.items()
        }
        names = {tid: key for key, tid in ids.items()}
        for query, expected in QUERIES.items():
            found = {names[t.id] for t in desk.search(world.agent, query).items}
            assert found == expected, query
        with pytest.raises(ValidationError) as refused:
            desk.search(world.agent, "\u200d")
        assert refused.value.field == "query"
