"""The monthly feedback's batch incidents name their problem and state in the reader's words (session 30, g).

Why: ``report feedback --locale zh_Hant`` listed each batch quality incident (seed 004 第七条 5(2)
批量质量事故) with its problem as the pack's code and its state as the workflow's code —
"fill_valve_worn … detected" in a Traditional Chinese page, while the faults report and the page's own
"problems by phase" table label the same codes ("進水閥磨損"). The incident line now carries the
dimension the batch is grouped by, so its problem reads as that dimension's label.
"""

from __future__ import annotations

import attrs
import pytest

from aftersales.reports.feedback_page import feedback_tables
from aftersales.reports.labels import report_labels
from aftersales.service.monthly_feedback import IncidentLine

from .feedback_month import feedback_months

WORDS = {
    "zh_Hans": ("进水阀磨损", "已发现", "一直流水", "已确认"),
    "zh_Hant": ("進水閥磨損", "已發現", "一直流水", "已確認"),
    "en": ("fill valve worn", "detected", "keeps running", "confirmed"),
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_an_incidents_problem_and_state_are_worded(locale: str) -> None:
    report = feedback_months()["2026-03"]
    lines = (
        IncidentLine("QI-1", "B-7", None, "fill_valve_worn", 6, "detected", dimension="cause"),
        IncidentLine("QI-2", "B-8", None, "keeps_running", 9, "detected", dimension="symptom"),
        IncidentLine("QI-3", "B-9", None, "pack_own_code", 5, "confirmed"),  # no dimension: as written
    )
    report = attrs.evolve(report, facts=attrs.evolve(report.facts, incidents=lines))
    incidents = next(t for t in feedback_tables(report, report_labels(locale)) if t.code == "incidents")
    cause, detected, symptom, confirmed = WORDS[locale]
    problems = [row[3] for row in incidents.rows]
    states = [row[5] for row in incidents.rows]
    assert problems == [cause, symptom, "pack_own_code"]
    assert states == [detected, detected, confirmed]
