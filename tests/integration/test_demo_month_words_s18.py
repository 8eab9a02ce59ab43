"""The month demo speaks through the message catalogs (session 18).

Its headings, counts and sentences were a dict of strings inside ``cli/demo_month.py`` (formatted with
``str.format``), outside the catalogs every other word of the library is in; the database line said
"(temporary)" in English whatever the locale, and the roles a crisis complaint reached were joined with
", " in Chinese too. The words are now ``demo.month.*`` entries of the three catalogs, lists are joined
in the locale's words and numbers grouped in its format.
"""

from __future__ import annotations

import io
import re

import pytest

from aftersales.cli.demo_month import run_month_demo
from aftersales.i18n import load_catalog


@pytest.mark.parametrize("locale", ["zh_Hant", "en"])
def test_the_demo_says_what_its_catalog_says(locale: str) -> None:
    out = io.StringIO()
    assert run_month_demo(locale, out, None, tickets=120) == 0
    text = out.getvalue()
    catalog = load_catalog(locale)
    assert text.startswith("# " + catalog.text("demo.month.title").replace("{month}", "2026-03"))
    assert f"{catalog.text('demo.month.db')}: {catalog.text('demo.month.temporary')}\n" in text
    assert "(temporary)" not in text
    lines = [line for line in text.splitlines() if re.search(r"SR-2026-\d+[:：]", line)]
    assert lines, text[-500:]
    if locale == "zh_Hant":
        assert any(re.search(r"已升級至 \S+和\S+", line) for line in lines), lines
        assert not any(", " in line.split("已升級至")[-1] for line in lines if "已升級至" in line)
    else:
        assert any(re.search(r"escalated to [\w -]+ and \w", line) for line in lines), lines
