"""Complete HTML pages from a Jinja2 template (autoescaped), with the charts inline as SVG.

The page is self-contained (no scripts, no external files): it can be mailed, archived or opened
from disk. Tables sit in scrolling wrappers and the charts scale to the page, so nothing overflows
a laptop screen; print styles put it on A4 landscape with repeated table headers.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from aftersales.errors import ConfigurationError
from aftersales.reports.document import ColumnKind, Judged, ReportDocument, cell_text

__all__ = ["TEMPLATE_DIR", "render_page"]

TEMPLATE_DIR = Path(__file__).parent / "templates"


@cache
def _environment() -> Any:
    try:
        import jinja2
    except ImportError:  # pragma: no cover - the reports extra is part of dev
        raise ConfigurationError(
            "HTML reports need Jinja2: pip install 'aftersales[reports]'", key="reports"
        ) from None
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


WIDE_COLUMNS = 12
"""A table of more columns than this is set tighter (``table.wide``): the English KPI table scrolled
sideways at 1366 px (session 29)."""

WIDEST_COLUMNS = 16
"""A table of more columns than this may break its headers inside a word (``table.widest``): 16 since
the KPI and trend tables gained their 17th column (故障不属实, session 33) and overflowed a laptop's page."""

_JOINED = re.compile(r"(?<=[\d%]) (?=\S)")
"""A space after a figure: "13 hours", "88.9% ✗" stay on one line; "13 hours 50 minutes" may break
between its parts."""


def _kept_together(text: str) -> str:
    """A number cell's text with each figure bound to the unit or mark after it by a no-break space.

    Why: number cells were ``white-space: nowrap`` as a whole, and the English durations ("13 hours 50
    minutes") and judged rates ("88.9% ✗") made the KPI, trend and engineer tables wider than a 1366 px
    laptop's page, scrolling sideways (session 29); the Chinese ones ("13小时50分钟") were short enough.
    Now a cell may wrap between a figure's parts, never inside one."""
    return _JOINED.sub("\u00a0", text)


def _cells(doc: ReportDocument) -> list[dict[str, Any]]:
    tables = []
    for table in doc.tables:

        def row(values: tuple[Any, ...], table: Any = table) -> list[dict[str, str]]:
            cells = []
            for value, column in zip(values, table.columns, strict=True):
                css = "text" if column.kind is ColumnKind.TEXT else "num"
                if isinstance(value, Judged) and value.passed is not None:
                    css += " pass" if value.passed else " fail"
                title = ""
                if isinstance(value, Judged):
                    title = doc.labels.text("report.target.goal", goal=doc.labels.percent(value.goal))
                text = cell_text(value, column.kind, doc.labels)
                if column.kind is not ColumnKind.TEXT:
                    text = _kept_together(text)
                cells.append({"text": text, "css": css, "title": title})
            return cells

        tables.append(
            {
                "code": table.code,
                "title": table.title if table.title != doc.title else "",
                "columns": [
                    {"label": c.label, "css": "text" if c.kind is ColumnKind.TEXT else "num"}
                    for c in table.columns
                ],
                "rows": [row(r) for r in table.rows],
                "total": row(table.total) if table.total is not None else None,
            }
        )
    return tables


def render_page(doc: ReportDocument) -> str:
    """``doc`` as a complete HTML5 page in its locale."""
    environment = _environment()  # first: without the reports extra, the ConfigurationError saying so
    from markupsafe import Markup  # Jinja2's own dependency

    labels = doc.labels
    lang = {"zh_Hans_CN": "zh-Hans", "zh_Hant_TW": "zh-Hant"}.get(
        labels.locale, labels.locale.replace("_", "-")
    )
    template = environment.get_template("report.html.j2")
    return str(
        template.render(
            lang=lang,
            title=doc.title,
            kind=doc.kind,
            meta=list(doc.meta),
            generated_label=labels.text("report.meta.generated_at"),
            # A table with no rows says so: its headers alone read as a page that failed to load.
            empty_label=labels.text("report.table.empty"),
            generated_at=labels.datetime(doc.generated_at),
            tables=_cells(doc),
            charts=[{"code": c.code, "title": c.title, "svg": Markup(c.svg)} for c in doc.charts],
            notes=list(doc.notes),
            WIDE=WIDE_COLUMNS,
            WIDEST=WIDEST_COLUMNS,
        )
    )
