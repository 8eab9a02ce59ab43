"""Notices' words at a count of one, and one name for the emergency team (session 28, task h).

The English monthly feedback (seed 004 第五条 1(6), sent by the job session 27 made catch up missed months)
read "1 quality incidents, 1 problems found on units, 1 complaints (1 major), 1 callbacks (1 low scores),
1 units sold": the templates have no plural forms, so a count stands after its label, as the Chinese
notices put it after theirs. The two holiday-data notices said "(1 days left)" and "1 tickets had their due
times recomputed" alike.

zh_Hant named the emergency team two ways in one notice: "已升級至緊急小組" (the route target) beside
"應急小組" of the dispatch reasons; seed 003's 应急小组 is 應急小組.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from aftersales.domain.reasons import Reason
from aftersales.i18n import load_catalog, render
from aftersales.policies.routing import RouteTarget

ONE_PLURAL = re.compile(r"(?<![\d.,])1 (?:[a-z]+ ){0,2}?[a-z]+s\b")
"""A count of one before a plural noun ("1 complaints", "1 quality incidents", "1 days left")."""

COUNTS = (
    "incidents",
    "problems",
    "complaints",
    "major_complaints",
    "callbacks",
    "low_scores",
    "grievances",
    "units_sold",
)


def _feedback(n: int) -> dict[str, object]:
    return {"month": "2026-03", **dict.fromkeys(COUNTS, n)}


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("monthly_feedback", _feedback(1)),
        ("calendar_provisional", {"official_until": date(2026, 12, 31), "days_left": 1}),
        ("sla_recomputed", {"tickets": 1, "official_until": date(2027, 12, 31)}),
    ],
)
def test_a_count_of_one_reads_in_english(kind: str, values: dict[str, object]) -> None:
    body = render(kind, "en", "Asia/Shanghai", values).body
    assert ONE_PLURAL.findall(body) == [], body
    assert ONE_PLURAL.search("1 quality incidents") and ONE_PLURAL.search("(1 days left)")


def test_the_monthly_feedback_gives_every_figure_in_every_locale() -> None:
    values = {**_feedback(0), "problems": 12, "callbacks": 1234, "units_sold": 12345}
    english = render("monthly_feedback", "en", "Asia/Shanghai", values).body
    assert "Quality incidents: 0; problems found on units: 12;" in english
    assert "callbacks: 1,234 (low scores: 0; with a grievance: 0); units sold: 12,345." in english
    for locale in ("zh_Hans", "zh_Hant"):
        body = render("monthly_feedback", locale, "Asia/Shanghai", values).body
        assert "1,234" in body and "12,345" in body and "12 " in body


@pytest.mark.parametrize(("locale", "team"), [("zh_Hans", "应急小组"), ("zh_Hant", "應急小組")])
def test_the_emergency_team_has_one_name_in_each_chinese(locale: str, team: str) -> None:
    catalog = load_catalog(locale)
    values = {
        "ticket_id": "SR-1",
        "level": RouteTarget.EMERGENCY_TEAM,
        "reason": Reason("emergency_team", {"team": "东区"}),
    }
    notice = render("escalation", locale, "Asia/Shanghai", values)
    assert team in notice.subject and team in notice.body
    assert catalog.text("route_target.emergency_team") == team
    assert team in catalog.text("reason.dispatch_outside_emergency_team")
