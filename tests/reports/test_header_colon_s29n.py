"""A report's header lines use the locale's colon: full-width in Chinese (session 29, n).

The text and markdown renderers wrote every header line with an ASCII colon ("统计期间: 2026年3月…"),
whatever the locale; Chinese text takes the full-width colon ("统计期间：…"), English keeps ": ".
"""

from __future__ import annotations

import re

import attrs
import pytest

from aftersales.i18n import load_catalog
from aftersales.reports import MonthlyFeedback, document_for, report_labels, to_markdown, to_text

from .feedback_month import LOCALES, feedback_months

COLON = {"zh_Hans": "：", "zh_Hant": "：", "en": ": "}


@pytest.fixture(scope="module")
def months() -> dict[str, MonthlyFeedback]:
    return feedback_months()


def _header(text: str, generated: str, markdown: bool) -> list[str]:
    """The header lines, from the first to the generation time's."""
    lines = [ln.removeprefix("- ") if markdown else ln for ln in text.splitlines()]
    end = next(i for i, ln in enumerate(lines) if ln.startswith(generated))
    return lines[2 : end + 1]  # after the title and its underline (or blank line)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("markdown", [False, True], ids=["text", "md"])
def test_header_lines_take_the_locales_colon(
    months: dict[str, MonthlyFeedback], locale: str, markdown: bool
) -> None:
    generated = load_catalog(locale).text("report.meta.generated_at")
    render = to_markdown if markdown else to_text
    header = _header(render(months["2026-03"], locale), generated, markdown)
    assert len(header) >= 2  # the period (or month) and the generation time at least
    for line in header:
        label, colon, value = line.partition(COLON[locale])
        assert colon and label and value, line
        if locale != "en":
            assert ": " not in line, line


def test_a_label_or_value_holding_a_slot_is_shown_as_it_is(months: dict[str, MonthlyFeedback]) -> None:
    # The line is cut from the catalog once and filled by position: "{value}" typed in a value stays.
    doc = document_for(months["2026-03"], report_labels("zh_Hans"))
    text = to_text(attrs.evolve(doc, meta=(("{value}", "{label}"),)), "zh_Hans")
    assert "{value}：{label}" in text.splitlines()


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_no_chinese_words_end_in_an_ascii_colon(locale: str) -> None:
    # "回访不满意转投诉: 3" (demo month) had the same ASCII colon after Chinese words.
    catalog = load_catalog(locale)
    after_cjk = re.compile(r"[\u3000-\u9fff\uff00-\uffef]: ")
    bad = [msgid for msgid, text in catalog.messages.items() if after_cjk.search(text)]
    assert bad == []
