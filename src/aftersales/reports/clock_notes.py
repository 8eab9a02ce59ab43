"""What a KPI page says about its durations' clock: the unit of each duration column and the note.

The times to first response and to resolve are read on the clock their dues count on
(:func:`~aftersales.reports.kpi.resolution_clock`, :func:`~aftersales.reports.kpi_clock.response_clock`):
a column measured on the wall clock says （自然小时）/(clock hours) in its header, and the page's note says
which durations are clock hours and which working time. Shared by the desk's KPI page and the engineers'.
"""

from __future__ import annotations

from aftersales.reports.document import Column, ColumnKind
from aftersales.reports.kpi import KpiTargets
from aftersales.reports.labels import ReportLabels

__all__ = ["clock_column", "clock_note"]

_NOTES = {
    ("working", "wall"): "report.note.resolution_wall",
    ("wall", "working"): "report.note.response_wall",
    ("wall", "wall"): "report.note.durations_wall",
}


def clock_column(code: str, kind: ColumnKind, labels: ReportLabels, response: str, resolution: str) -> Column:
    """The column ``code``: a ``response_*`` or ``resolution_*`` duration whose clock is ``wall`` is in
    clock hours, every other duration in working hours."""
    wall = (code.startswith("response_") and response == "wall") or (
        code.startswith("resolution_") and resolution == "wall"
    )
    if wall and kind is ColumnKind.DURATION:
        return Column(code, labels.column(code), kind, "report.unit.wall_hours")
    return Column(code, labels.column(code), kind)


def clock_note(response: str, resolution: str, targets: KpiTargets, labels: ReportLabels) -> str | None:
    """The note naming the clock hours among the durations, with the fallback targets on their clocks;
    ``None`` when every duration is working time (the page's usual notes say so)."""
    key = _NOTES.get((response, resolution))
    if key is None:
        return None
    return labels.text(
        key,
        response=labels.working_hours(targets.response),
        resolution=labels.working_hours(targets.resolution),
    )
