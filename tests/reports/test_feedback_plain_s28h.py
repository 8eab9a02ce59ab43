"""The monthly feedback (seed 004 第五条 1(6)) as Markdown and as text, in zh_Hans, zh_Hant and English.

Its opinions table quotes the customers (session 27: the grievances said at a callback; their comments).
A comment on two lines ended the Markdown table's row after its first line (the second fell out of the
table as a paragraph) and broke the text table's columns; a grievance's ``<script>``, a
``[link](javascript:…)`` or ``*emphasis*`` reached the Markdown as markup for whatever renders it; a table
with no rows was a bare header. Now every row is one line, a cell's words are escaped so that Markdown
shows them as typed, and an empty table says so (``report.table.empty``), as the HTML page does. The
grievances are parted by the reader's punctuation (``report.separator.sentences``: "；", not "; ", in
Chinese).
"""

from __future__ import annotations

import re

import pytest

from aftersales.i18n import load_catalog
from aftersales.reports import MonthlyFeedback, to_markdown, to_text

from .feedback_month import COMMENT_LINES, LOCALES, feedback_months

UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def months() -> dict[str, MonthlyFeedback]:
    return feedback_months()


def _section(text: str, title: str) -> list[str]:
    """The lines of the table titled ``title`` (to the next blank line after its rows)."""
    lines = text.splitlines()
    start = lines.index(title)
    rows = lines[start + 1 :]
    while rows and not rows[0].strip():
        rows = rows[1:]
    end = next((i for i, line in enumerate(rows) if not line.strip()), len(rows))
    return rows[:end]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_opinions_are_one_markdown_row_each_with_the_words_taken_literally(
    months: dict[str, MonthlyFeedback], locale: str
) -> None:
    catalog = load_catalog(locale)
    markdown = to_markdown(months["2026-03"], locale)
    header, rule, *rows = _section(markdown, f"### {catalog.text('report.feedback.opinions')}")
    assert len(rows) == 1  # the second line of the comment is in the row, not after the table
    (row,) = rows
    cells = len(UNESCAPED_BAR.findall(header))
    assert len(UNESCAPED_BAR.findall(row)) == cells == rule.count("|")
    # No HTML element, link or emphasis: what the customer typed, escaped.
    assert "<" not in row and not re.search(r"(?<!\\)\]\(", row)
    assert "*急*" not in row.replace("\\*", "") and "`x`" not in row.replace("\\`", "")
    assert "&lt;script&gt;window.\\_\\_owned = 1&lt;/script&gt;" in row
    assert "\\[点此\\](javascript:alert(1)) \\*急\\* \\| \\`x\\`" in row
    assert COMMENT_LINES[0] in row
    # The reader's punctuation between the grievances: "；" in Chinese, "; " in English.
    polite = catalog.text("grievances.polite")
    assert f"{polite}{'; ' if locale == 'en' else '；'}&lt;script&gt;" in row


@pytest.mark.parametrize("locale", LOCALES)
def test_the_opinions_are_one_text_line_each(months: dict[str, MonthlyFeedback], locale: str) -> None:
    catalog = load_catalog(locale)
    text = to_text(months["2026-03"], locale)
    _header, rule, *rows = _section(text, catalog.text("report.feedback.opinions"))
    assert len(rows) == 1
    assert COMMENT_LINES[0] in rows[0] and COMMENT_LINES[1] in rows[0]
    assert rule.startswith("-") and set(rule) <= {"-", " "}


@pytest.mark.parametrize("locale", LOCALES)
def test_an_empty_table_says_so_in_markdown_and_text(months: dict[str, MonthlyFeedback], locale: str) -> None:
    catalog = load_catalog(locale)
    empty = catalog.text("report.table.empty")
    title = catalog.text("report.feedback.sold")
    _, _, *md_rows = _section(to_markdown(months["2026-05"], locale), f"### {title}")
    assert md_rows == [f"| {empty} |  |"]
    _, _, *text_rows = _section(to_text(months["2026-05"], locale), title)
    assert [r.strip() for r in text_rows] == [empty]
    # A table with rows has no such line.
    _, _, *phases = _section(
        to_markdown(months["2026-05"], locale), f"### {catalog.text('report.feedback.phases')}"
    )
    assert phases and all(empty not in r for r in phases)
