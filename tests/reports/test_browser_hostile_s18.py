"""Report pages in Traditional Chinese, with names that try to be HTML, in a real Chromium (session 18).

The browser tests read the zh_Hans and English pages; this reads the zh_Hant ones (a CJK title, the
charts, no codes, our Traditional words) with the dealers' names replaced by markup a
hostile name could carry (a ``<script>``, an ``<img onerror>``, an SVG end tag). The names are data: the
page shows them as typed, runs nothing and gains no element from them, in the tables and the charts.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .test_browser import CHARTS, CJK, CODE, _pages  # skips without Chromium

HOSTILE = {
    "dealer-a": "<script>window.__owned = 1</script>浦東特約承銷商",
    "dealer-b": '<img src=x onerror="window.__owned = 2">朝陽',
    "dealer-c": "</svg></text><b id=owned>天河</b>",
}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return _pages("zh_Hant", HOSTILE)


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_traditional_page_shows_hostile_names_as_text(
    browser: Browser, pages: dict[str, str], kind: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        page.set_content(pages[kind], wait_until="load")
        assert CJK.search(page.title())
        assert page.evaluate("window.__owned === undefined")
        injected = page.evaluate(
            "[document.querySelectorAll('body script, body img, #owned').length,"
            " document.querySelectorAll('svg.chart').length]"
        )
        assert injected[0] == 0 and injected[1] == len(CHARTS[kind])
        text = page.inner_text("body")
        assert "{" not in text and not CODE.findall(text), CODE.findall(text)[:5]
        assert "處理" in text or "工單" in text or "故障" in text  # Traditional words of ours
        if kind in ("kpi", "dealers"):  # tables grouped by dealer show each name as typed
            for name in HOSTILE.values():
                assert name in text
            titles = page.evaluate(
                "[...document.querySelectorAll('svg.chart title')].map(t => t.textContent).join('\\n')"
            )
            assert HOSTILE["dealer-b"] in titles
    finally:
        page.close()
