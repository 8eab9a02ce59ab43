"""Every report page the CLI writes, at a 1366x768 laptop in zh_Hans, zh_Hant and English: no sideways
scroll, no text drawn over text, no chart of bare axes (session 29, e).

Why: the English KPI, trend, dealers', feedback and engineer tables were wider than their page (1517 px in a
1200 px column: durations "13 hours 50 minutes" and judged rates "88.9% ✗" kept on one line, long one-word
headers) and scrolled sideways; the Chinese ones fit, so only the Chinese were checked this way. And a
chart of a month with nothing in it (a Pareto of no faults, the SLA weeks of no breaches, a trend of empty
months) drew its axes, gridlines and "0, 0.2 … 1" faults around nothing. Now a figure stays whole but a
cell may wrap between figures, a table of many columns is set tighter, and an empty chart says so in the
reader's words.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from aftersales.adapters.sqlite import SqliteStore
from aftersales.cli.report import add_report_parser, run_report
from aftersales.i18n import load_catalog

from .test_browser import CJK  # skips without Chromium

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from reporting_data import fill

LOCALES = ("zh_Hans", "zh_Hant", "en")
MONTH = ["--from", "2026-03-01", "--to", "2026-03-31"]
EMPTY = ["--from", "2020-01-01", "--to", "2020-03-31"]
PAGES = {
    "kpi": ["kpi", *MONTH, "--trend-months", "3"],
    "faults": ["faults", *MONTH],
    "trend": ["trend", *MONTH],
    "sla": ["sla", *MONTH],
    "dealers": ["dealers", *MONTH],
    "engineers": ["engineers", *MONTH],
    "feedback": ["feedback", "--month", "2026-03"],
    "kpi_empty": ["kpi", *EMPTY],
    "faults_empty": ["faults", *EMPTY],
    "trend_empty": ["trend", *EMPTY],
}
MEASURE = """() => ({
  page: [document.documentElement.scrollWidth, window.innerWidth],
  tables: [...document.querySelectorAll('.table-wrap')]
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => [w.closest('section').id, w.scrollWidth, w.clientWidth]),
  charts: [...document.querySelectorAll('svg.chart')].map(s => [s.dataset.chart,
    s.querySelectorAll('rect.bar, circle, polyline').length,
    s.querySelectorAll('text.tick, text.axis-label').length,
    [...s.querySelectorAll('text.no-data')].map(t => t.textContent)]),
  overlapping: (() => {
    const boxes = [...document.querySelectorAll('svg text, th, td')]
      .map(e => [e.textContent, e.getBoundingClientRect()]);
    const found = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i][1], boxes[j][1]];
      if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1
          && a.top < b.bottom - 1 && b.top < a.bottom - 1) found.push([boxes[i][0], boxes[j][0]]);
    }
    return found.slice(0, 5);
  })(),
})"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("fit")
    db = folder / "desk.db"
    store = SqliteStore(f"sqlite:///{db}")
    fill(store)
    store.close()
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    files = {}
    for locale in LOCALES:
        for name, argv in PAGES.items():
            path = folder / f"{name}.{locale}.html"
            argv = [*argv, "--db", str(db), "--format", "html", "--locale", locale, "--out", str(path)]
            err = io.StringIO()
            assert run_report(parser.parse_args(["report", *argv]), io.StringIO(), err) == 0, err.getvalue()
            files[(name, locale)] = path
    return files


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_report_page_fits_a_laptop_without_overlaps_or_bare_axes(
    browser: Browser, written: dict[tuple[str, str], Path], name: str, locale: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(written[(name, locale)].as_uri())
        found = page.evaluate(MEASURE)
    finally:
        page.close()
    assert found["page"] == [1366, 1366], found["page"]
    assert found["tables"] == [], found["tables"]  # no table scrolls sideways in its wrapper
    assert found["overlapping"] == [], found["overlapping"]
    empty = load_catalog(locale).get("report.chart.empty")
    for code, marks, axis_texts, said in found["charts"]:
        if marks == 0:  # nothing to draw: said in words, and no axes around nothing
            assert said == [empty] and axis_texts == 0, (code, said, axis_texts)
            assert (CJK.search(said[0]) is not None) is (locale != "en")
        else:
            assert said == [], code
    if name.endswith("_empty") and name != "kpi_empty":
        assert found["charts"] and all(c[1] == 0 for c in found["charts"])
