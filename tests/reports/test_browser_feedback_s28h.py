"""The monthly feedback page (seed 004 第五条 1(6)) in a real Chromium, in zh_Hans, zh_Hant and English.

Session 27 put the customers' own words on it (the grievances said at a callback, 是否有其它不满意的地方)
and the complaints registered late. What a customer says is data: a grievance written as markup is shown
as typed and runs nothing; a long word with no break in it (a URL, a run of digits) wraps in its cell
instead of pushing the columns after it off the page; a long Chinese comment wraps. The headline's
figures are counted under a "number" header, not the fault Pareto's "faults". A month with nothing in it
says so in each table instead of showing bare headers.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from aftersales.i18n import load_catalog
from aftersales.reports import to_html

from .feedback_month import COMMENT_LINES, LOCALES, MARKUP, MONTHS, URL, feedback_months
from .test_browser import CJK, CODE  # skips without Chromium

Pages = dict[tuple[str, str], str]
OWN_TABLES = ("headline", "incidents", "phases", "complaints", "opinions", "sold")
"""The feedback's own tables (the KPI and cause tables after them are the KPI pages')."""


@pytest.fixture(scope="module")
def pages() -> Pages:
    """March and May (:mod:`feedback_month`) as HTML pages in each locale."""
    months = feedback_months()
    return {(month, locale): to_html(months[month], locale) for month in MONTHS for locale in LOCALES}


def _opened(browser: Browser, html: str) -> Page:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_content(html, wait_until="load")
    return page


def _column_labels(page: Page, table: str) -> list[str]:
    return list(page.eval_on_selector_all(f"#table-{table} thead th", "ths => ths.map(t => t.textContent)"))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_customers_words_are_shown_as_typed_and_fit_the_page(
    browser: Browser, pages: Pages, locale: str
) -> None:
    page = _opened(browser, pages[("2026-03", locale)])
    try:
        assert page.evaluate("window.__owned === undefined")
        assert page.evaluate("document.querySelectorAll('body script, body img').length") == 0
        opinions = page.inner_text("#table-opinions tbody")
        assert MARKUP in opinions and URL in opinions and all(line in opinions for line in COMMENT_LINES)
        # No table of the feedback's own is wider than its wrapper: the URL wraps in its cell.
        widths = page.evaluate(
            "ids => ids.map(id => { const w = document.querySelector('#table-' + id + ' .table-wrap');"
            " return [id, w.scrollWidth, w.clientWidth]; })",
            list(OWN_TABLES),
        )
        assert [w for w in widths if w[1] > w[2] + 1] == []
        assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [1366, 1366]
        # The long comment wraps onto many lines in its cell, which stays on the page.
        box = page.evaluate(
            "() => { const cells = [...document.querySelectorAll('#table-opinions tbody td')];"
            " const r = cells[cells.length - 1].getBoundingClientRect(); return [r.right, r.height]; }"
        )
        assert box[0] <= 1366 and box[1] > 100
        text = page.inner_text("body")
        assert "{" not in text and not CODE.findall(text), CODE.findall(text)[:5]
        assert (CJK.search(page.title()) is not None) is (locale != "en")
    finally:
        page.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_headline_counts_its_figures_under_a_number_not_faults(
    browser: Browser, pages: Pages, locale: str
) -> None:
    catalog = load_catalog(locale)
    page = _opened(browser, pages[("2026-03", locale)])
    try:
        assert _column_labels(page, "headline") == [
            catalog.text("report.column.figure"),
            catalog.text("report.column.number"),
        ]
        assert catalog.text("report.column.count") not in _column_labels(page, "headline")
        late = page.inner_text("#table-complaints tbody")
        assert catalog.text("value.yes") in late
    finally:
        page.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_an_empty_month_says_so_in_each_table(browser: Browser, pages: Pages, locale: str) -> None:
    empty = load_catalog(locale).text("report.table.empty")
    page = _opened(browser, pages[("2026-05", locale)])
    try:
        said = page.evaluate(
            "ids => ids.map(id => { const b = document.querySelector('#table-' + id + ' tbody');"
            " return [id, b.rows.length, b.innerText.trim()]; })",
            ["incidents", "complaints", "opinions", "sold"],
        )
        assert said == [[t, 1, empty] for t in ("incidents", "complaints", "opinions", "sold")]
        colspan = page.evaluate("document.querySelector('#table-opinions tbody td').colSpan")
        assert colspan == len(_column_labels(page, "opinions"))
        # A table with rows has no such line.
        assert empty not in page.inner_text("#table-phases tbody")
    finally:
        page.close()
