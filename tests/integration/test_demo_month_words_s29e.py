"""The month demo's ledger counts and complaint line in the reader's words (session 29, e).

Why: the counts were joined with ", " in every locale ("按状态: 已关闭 38, 已验收，待回访 2, …": the comma
of a state's own label read as a separator) and the complaints were a bare "4: SR-…, SR-…". Now the
locale's list separator joins them ("、") and the complaint line says what it counts ("共 4 件：…").
"""

from __future__ import annotations

import io
import re

import pytest

from aftersales.cli.demo_month import run_month_demo


@pytest.fixture(scope="module")
def printed() -> dict[str, str]:
    found = {}
    for locale in ("zh_Hans", "en"):
        out = io.StringIO()
        assert run_month_demo(locale, out, None, tickets=20) == 0
        found[locale] = out.getvalue()
    return found


def test_the_chinese_counts_are_joined_the_chinese_way(printed: dict[str, str]) -> None:
    lines = printed["zh_Hans"].splitlines()
    counts = [line for line in lines if line.startswith(("按状态", "按类别", "按优先级"))]
    assert len(counts) == 3 and all(", " not in line and "、" in line for line in counts), counts
    (complaints,) = [line for line in lines if "SR-2026-" in line and line.startswith("共 ")]
    assert re.fullmatch(r"共 \d+ 件：SR-2026-\d{6}(、SR-2026-\d{6})*", complaints), complaints


def test_the_english_complaint_line_says_what_it_counts(printed: dict[str, str]) -> None:
    (line,) = [line for line in printed["en"].splitlines() if re.match(r"\d+ complaints: SR-", line)]
    assert ", SR-2026-" in line
