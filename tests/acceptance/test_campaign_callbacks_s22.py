# mypy: disable-error-code="arg-type"
"""A survey campaign's callback figures count what the KPI report counts, on memory, SQLite and PostgreSQL.

Seed 001 三(七): the satisfaction survey follows the handling of a problem (1: 在问题处理完毕后进行客户满意度
调查) and asks the satisfaction with the result and the evaluation of the attitude (2); the specialist
sorts its results (3: 整理客户满意度调查结果). The campaign results set the campaign's answers beside the
callbacks of the period, and counted those callbacks otherwise than the KPI report:

- a callback that asked the score without the full RATER survey (``satisfaction=4, attitude=3``) was no
  callback survey in the results (``callback_surveys`` 0, no ``callback_overall``) while its attitude was
  averaged in ``callback_attitude``; the KPI report rates the ticket 4;
- a ticket called back twice (the first callback found the problem back, the rework's callback scored
  it again) counted twice in the results, the KPI report once, with the latest score.

The results now take, per ticket, the satisfaction and the attitude its callbacks of the period last
gave (the survey after the problem's last handling), full survey or score alone, and give the attitude's
count beside its mean (``callback_attitudes``). The sampling's "surveyed within N days" counts a callback
that gave the two scores without the RATER form (what a callback owing the survey may give) as surveyed.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.reports import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _done(desk: ServiceDesk, world: World, customer_id: str) -> str:
    """A stand's network problem of ``customer_id`` fixed by the senior engineer and accepted by phone."""
    tid = desk.open_ticket(
        world.agent, customer_id=customer_id, description="展位网络断开", category=Category.TECHNICAL_SUPPORT
    ).ticket.id
    desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


def _campaign(desk: ServiceDesk, world: World) -> None:
    desk.surveys.start(
        world.manager, campaign_id="Q2", period="2026-Q2",
        rules=SamplingRules(sample_size=10, served_within_days=None, exclude_surveyed_days=0),
    )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_scored_without_the_full_survey_is_a_callback_survey(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        scored = _done(desk, world, world.cust_en.id)
        surveyed = _done(desk, world, world.cust_zh.id)
        desk.record_callback(world.agent, scored, problem_back=False, satisfaction=4, attitude=3)
        survey = SatisfactionSurvey(2, 2, 2, 2, 2, 2, attitude=5)
        checklist = CallbackChecklist(product_works=True, polite=True, on_time=True, cleaned_up=True)
        desk.callbacks.record(world.agent, surveyed, checklist=checklist, problem_back=False, survey=survey)
        clock.advance(timedelta(days=1))
        _campaign(desk, world)
        total = desk.surveys.results(world.manager, "Q2").total
        assert (total.callback_surveys, total.callback_overall) == (2, Decimal("3.00"))
        assert (total.callback_attitudes, total.callback_attitude) == (2, Decimal("4.00"))
        kpi = kpi_report(reporting_for(desk.store), month_period("2026-03"), desk.calendar).total
        assert (kpi.counts.rated, kpi.mean_satisfaction) == (total.callback_surveys, total.callback_overall)
        assert (kpi.counts.attitude_rated, kpi.mean_attitude) == (2, total.callback_attitude)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_called_back_twice_counts_once_with_its_latest_score(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        tid = _done(desk, world, world.cust_zh.id)
        back = CallbackChecklist(product_works=False, polite=True, on_time=True, cleaned_up=True)
        first = SatisfactionSurvey(2, 2, 2, 2, 2, 2, attitude=2)  # full surveys: counted twice before
        desk.callbacks.record(world.agent, tid, checklist=back, problem_back=True, survey=first)
        desk.start_work(world.senior, tid)  # the rework
        desk.resolve(world.senior, tid, summary="更换交换机")
        desk.confirm(world.agent, tid, channel="phone")
        clock.advance(timedelta(hours=1))
        fixed = attrs.evolve(back, product_works=True)
        second = SatisfactionSurvey(5, 5, 5, 5, 5, 5, attitude=4)
        desk.callbacks.record(world.agent, tid, checklist=fixed, problem_back=False, survey=second)
        clock.advance(timedelta(days=1))
        _campaign(desk, world)
        total = desk.surveys.results(world.manager, "Q2").total
        assert (total.callback_surveys, total.callback_overall) == (1, Decimal("5.00"))
        assert (total.callback_attitudes, total.callback_attitude) == (1, Decimal("4.00"))
        kpi = kpi_report(reporting_for(desk.store), month_period("2026-03"), desk.calendar).total
        assert (kpi.counts.rated, kpi.mean_satisfaction, kpi.mean_attitude) == (
            1,
            Decimal("5.00"),
            Decimal("4.00"),
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_surveyed_by_the_two_scores_at_a_callback_is_not_sampled_again(
    backend: str, tmp_path: Path
) -> None:
    # A callback owing the survey may give it as the satisfaction and the attitude without the RATER form
    # (check_survey_given); the sampling's exclusion of customers surveyed within N days counted only the
    # form, so that customer was asked again two days later. A score alone is half the survey: sampled.
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        both = _done(desk, world, world.cust_en.id)
        desk.record_callback(world.agent, both, problem_back=False, satisfaction=4, attitude=4)
        half = _done(desk, world, world.cust_zh.id)
        desk.record_callback(world.agent, half, problem_back=False, satisfaction=4)
        clock.advance(timedelta(days=2))
        desk.surveys.start(
            world.manager, campaign_id="Q2", period="2026-Q2",
            rules=SamplingRules(sample_size=10, served_within_days=None, exclude_surveyed_days=30),
        )  # fmt: skip
        assert {t.customer_id for t in desk.surveys.tasks(world.manager, "Q2")} == {world.cust_zh.id}
