"""Session 29 (g): bidi controls in a person's words on the rendered pages, on memory, SQLite and PostgreSQL.

A name or a comment may hold an override (U+202E) or an isolate (U+2066-2069): identifiers refuse them
(ids are ASCII; an actor's identifiers since this session), free text keeps them as written. On the text
and Markdown pages an engineer's name ``"小王\\u202e"`` reordered the rest of its row (the figures beside
it), and in its HTML cell the text after it, so the manager's appraisal page (seed 003 三 2 绩效考核) could
show figures in an order nobody wrote. Now the text, Markdown and HTML pages show each control as its
escape (as the CLI's error lines and ``render_error`` do); CSV and XLSX keep the text as stored (data, and
a spreadsheet cell is its own paragraph, with the formula guard as before).
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from test_engineer_kpis_s28e import MARCH, READ_AT, _late_response_passed_on, _rework_redone

from aftersales.reports import scoped_engineer_kpis
from aftersales.reports.render import render
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bidi_controls_in_names_are_shown_on_pages_and_kept_in_data(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _late_response_passed_on(desk, clock, w)
        _rework_redone(desk, clock, w)
        clock.set(READ_AT)
        report = scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT)
        names = {w.eng_junior.id: "小王\u202e" + "".join(CONTROLS), w.eng_senior.id: "=老李\u2067"}
        for fmt in ("text", "md", "html"):
            page = render(report, fmt, "zh_Hans", names=names)
            assert isinstance(page, str)
            assert not any(c in page for c in CONTROLS), fmt
            assert "小王\\u202e\\u202a" in page.replace("\\\\", "\\") and "\\u2067" in page.replace(
                "\\\\", "\\"
            )
        csv = render(report, "csv", "zh_Hans", names=names, bom=False)
        assert names[w.eng_junior.id] in csv and "'=老李\u2067" in csv  # as stored; no formula
        book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx", "zh_Hans", names=names)))
        cells = {c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
        assert names[w.eng_junior.id] in cells and names[w.eng_senior.id] in cells
