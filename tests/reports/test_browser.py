"""Every HTML report rendered in a real Chromium (Debian's package, driven by Playwright).

Checked at a laptop's 1366 px: nothing overflows horizontally (the page, and every table inside its
wrapper), every chart is an inline SVG with its axis labels in Chinese, no raw codes or
``{placeholders}`` are left in the text, and the page prints to A4. Screenshots are saved (to
``$AFTERSALES_SCREENSHOTS`` when set, else the test's temporary directory) for a person to look at.

Playwright's own browser download is not reachable from CI, so Debian's ``chromium`` is launched by
its path; these tests skip, saying how to install it, only on a machine without it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import FaultDimension, GroupBy
from aftersales.reports import (
    dealer_monthly,
    fault_pareto,
    fault_trend,
    group_names,
    kpi_goals,
    kpi_report,
    kpi_trend,
    sla_breaches,
    to_html,
)
from aftersales.service.actors import Actor

from .data import CALENDAR, MARCH, NAMES, report_desk

CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"Chromium not found at {CHROMIUM}: install Debian's package (sudo apt-get install chromium "
        "fonts-wqy-microhei) or set AFTERSALES_CHROMIUM to a Chromium executable",
        allow_module_level=True,
    )

from playwright.sync_api import Browser  # noqa: E402

ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run", "--disable-sync",
    "--disable-component-update", "--disable-default-apps", "--mute-audio",
]  # fmt: skip
CHARTS = {
    "kpi": {"comparison", "kpi_trend"},
    "faults": {"pareto"},
    "trend": {"kpi_trend", "fault_trend"},
    "sla": {"sla_weeks"},
    "dealers": {"comparison"},
}
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a code that escaped its label
CJK = re.compile(r"[\u4e00-\u9fff]")


def _pages(locale: str, names_over: dict[str, str] | None = None) -> dict[str, str]:
    desk = report_desk()
    queries = reporting_for(desk.store)
    names = {**group_names(desk.store), **NAMES, **(names_over or {})}
    goals = kpi_goals("sanitary_ware")
    months = ["2026-01", "2026-02", "2026-03"]
    trend = kpi_trend(queries, months, CALENDAR)
    kpis = kpi_report(queries, MARCH, CALENDAR, group=GroupBy.DEALER)
    opts: dict[str, Any] = {"names": names}
    return {
        "kpi": to_html(kpis, locale, goals=goals, trend=trend, **opts),
        "faults": to_html(fault_pareto(queries, MARCH, FaultDimension.SYMPTOM), locale, **opts),
        "trend": to_html(
            trend, locale, goals=goals, faults=fault_trend(queries, months, FaultDimension.SYMPTOM), **opts
        ),
        "sla": to_html(sla_breaches(desk, Actor.manager("m"), MARCH, as_of=desk.clock.now()), locale, **opts),
        "dealers": to_html(
            dealer_monthly(queries, desk.store, "2026-03", clock=desk.clock),
            locale,
            goals=goals,
            kpis=kpis,
            **opts,
        ),
    }


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("AFTERSALES_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("pages")
    files = {}
    for locale in ("zh_Hans", "en"):
        for kind, html in _pages(locale).items():
            path = out / f"{kind}.{locale}.html"
            path.write_text(html, encoding="utf-8")
            files[(kind, locale)] = path
    return files


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_chinese_page_fits_a_laptop_with_its_charts_and_no_codes(
    browser: Browser, written: dict[tuple[str, str], Path], shots: Path, kind: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        page.goto(written[(kind, "zh_Hans")].as_uri())
        assert page.title() and CJK.search(page.title())
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the page overflows: {widths}"
        tables = page.evaluate(
            "[...document.querySelectorAll('.table-wrap')].map(w => [w.scrollWidth, w.clientWidth])"
        )
        assert tables and all(s <= c + 1 for s, c in tables), f"a table is cut off: {tables}"
        charts = page.evaluate(
            "[...document.querySelectorAll('svg.chart')].map(s => [s.dataset.chart,"
            " [...s.querySelectorAll('text.axis-label')].map(t => t.textContent),"
            " s.getBoundingClientRect().width])"
        )
        assert {c[0] for c in charts} == CHARTS[kind]
        for code, axes, width in charts:
            assert axes and all(CJK.search(a) for a in axes), (code, axes)
            assert 0 < width <= 1366
        text = page.inner_text("body")
        assert "{" not in text and "}" not in text
        assert not CODE.findall(text), CODE.findall(text)[:5]
        shot = shots / f"{kind}.zh_Hans.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_english_page_fits_and_prints_on_a4(
    browser: Browser, written: dict[tuple[str, str], Path], shots: Path, kind: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        page.goto(written[(kind, "en")].as_uri())
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
        text = page.inner_text("body")
        assert "{" not in text and not CODE.findall(text), CODE.findall(text)[:5]
        page.screenshot(path=str(shots / f"{kind}.en.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()
