"""An erasure asks every memo entry of the process whether it quotes the person: without re-escaping every
needle for every entry (session 33 g).

``quotes_any(text, needles)`` looks for each needle as written and as JSON escapes it (``\\u5f20``, ``\\"``).
It escaped every needle anew (two ``json.dumps`` each) for every entry asked, and an erasure asks every
kept ticket and search-words entry about every needle — one or more per ticket of the person. Erasing a
customer with 1,000 open tickets on SQLite took 37 s (141 s for 2,000), most of it escaping. An escaped
form differs from its needle only by escapes, which start with a backslash, so a text without one is
answered by the needles as written. What is found is unchanged.
"""

from __future__ import annotations

import json

import pytest

from aftersales.ports import erasure
from aftersales.ports.erasure import quotes_any

NEEDLES = ("张伟", '说"不满意"', "13912345678")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"name": "张伟"}', True),
        (json.dumps({"name": "张伟"}), True),  # \u5f20\u4f1f
        (json.dumps({"note": '说"不满意"'}, ensure_ascii=False), True),  # \"
        (json.dumps({"note": '说"不满意"'}), True),
        (b'{"phone": "13912345678"}', True),
        ('{"name": "李雷", "path": "C:\\\\temp"}', False),  # a backslash, no needle
        ('{"name": "李雷"}', False),
    ],
)
def test_what_is_found_is_unchanged(text: str | bytes, found: bool) -> None:
    assert quotes_any(text, NEEDLES) is found


def test_a_text_without_a_backslash_is_answered_without_escaping(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = json.dumps

    def counted(*args: object, **kwargs: object) -> str:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    needles = tuple(f"客户工单描述 {n}" for n in range(200))
    texts = [
        json.dumps({"id": f"SR-2026-{n:06d}", "d": f"别人的工单 {n}"}, ensure_ascii=False) for n in range(200)
    ]
    monkeypatch.setattr(erasure.json, "dumps", counted)
    assert not any(quotes_any(text, needles) for text in texts)
    assert calls == 0  # was 2 per needle per text: 80,000
