"""Issue 21, session 34 (c): a kept parsed document is copied field by field, not through
``attrs.evolve``; each read still gets an object of its own, equal to a fresh parse, at the version read,
with the fields its class derives at init (``init=False``) as parsed."""

from __future__ import annotations

import json
from typing import Any

import attrs

from aftersales.adapters.parsed_documents import ParsedDocuments


@attrs.define
class _Note:
    id: str
    text: str
    version: int = 0
    length: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.length = len(self.text)


def _parse(text: Any, cls: type[_Note]) -> _Note:
    data = json.loads(text)
    return cls(data["id"], data["text"], data["version"])


def test_each_read_is_its_own_copy_at_the_version_read() -> None:
    kept = ParsedDocuments()
    text = json.dumps({"id": "n1", "text": "漏水", "version": 3})
    first = kept.read(_Note, text, 3, _parse)
    second = kept.read(_Note, text, 4, _parse)
    assert first is not second
    assert (first.id, first.text, first.version, first.length) == ("n1", "漏水", 3, 2)
    assert (second.id, second.text, second.version, second.length) == ("n1", "漏水", 4, 2)
    first.text = "changed by a caller"
    third = kept.read(_Note, text, 3, _parse)
    assert third == _parse(text, _Note) and third is not first
