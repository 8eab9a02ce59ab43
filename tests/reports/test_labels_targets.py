"""Labels through the catalogs and Babel; KPI goals per pack with pass/fail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.reporting import ALL, FaultDimension, GroupBy
from aftersales.reports import PACK_GOALS, KpiGoals, kpi_goals, report_labels


def test_headers_codes_and_groups_in_each_locale() -> None:
    zh, hant, en = report_labels("zh_Hans"), report_labels("zh_Hant"), report_labels("en")
    assert zh.column("resolution_on_time_rate") == "解决及时率"
    assert hant.column("resolution_on_time_rate") == "解決及時率"
    assert en.column("resolution_on_time_rate") == "Resolution on time"
    assert (zh.state("closed"), zh.category("repair"), zh.priority("critical")) == ("已关闭", "维修", "特急")
    assert zh.state("received") != "received"  # a complaint's state has words too
    assert zh.fault("symptom", "keeps_running") == "一直流水"
    assert en.fault("cause", "fill_valve_worn") == "fill valve worn"
    assert zh.fault("action", "replace_fill_valve") == "更换进水阀"
    assert zh.fault("symptom", "our_own_code") == "our_own_code"  # an integrator's code reads as itself
    with pytest.raises(ValidationError, match="fault field"):
        zh.fault("colour", "red")


def test_groups_are_named_and_no_dealer_is_the_makers_direct_customers() -> None:
    zh = report_labels("zh_Hans", {"dealer-sh": "上海浦东特约承销商"})
    assert zh.group(GroupBy.DEALER, "dealer-sh") == "上海浦东特约承销商"
    assert zh.group(GroupBy.DEALER, "") == "无经销商(厂家直营客户)"
    assert report_labels("en").group(GroupBy.DEALER, "") == "No dealer (the maker's direct customers)"
    assert zh.group(GroupBy.REGION, "") == "未指定"
    assert zh.group(GroupBy.ALL, ALL) == "合计"
    assert zh.group(GroupBy.CATEGORY, "installation") == "安装"
    assert zh.dimension_value(FaultDimension.SYMPTOM, "weak_flush") == "冲水无力"


def test_numbers_rates_and_durations_with_babel() -> None:
    zh, en = report_labels("zh_Hans"), report_labels("en")
    assert zh.percent(Decimal("0.8534")) == "85.3%" and en.percent(Decimal("1")) == "100.0%"
    assert en.number(1234567) == "1,234,567"
    assert zh.work_duration(timedelta(hours=26, minutes=5)) == "26 小时 5 分钟"
    assert en.work_duration(timedelta(minutes=40)) == "40 minutes"
    assert zh.working_hours(timedelta(hours=24)) == "24 小时"  # never "1 天": a working day is not 24 h
    with pytest.raises(ValidationError):
        zh.work_duration(timedelta(minutes=-1))


def test_an_unknown_locale_or_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="locale"):
        report_labels("xx_YY")
    with pytest.raises(ValidationError, match="time zone"):
        report_labels("en", timezone="Mars/Olympus")


def test_goals_per_pack_and_pass_fail_inclusive() -> None:
    goals = kpi_goals("exhibition_services")
    assert goals.goal("satisfaction_rate") == Decimal("0.90")
    assert goals.passed("satisfaction_rate", Decimal("0.90")) is True  # 不低于: at least
    assert goals.passed("satisfaction_rate", Decimal("0.8999")) is False
    assert goals.passed("first_time_fix_rate", Decimal("0.1")) is None  # no goal
    assert goals.passed("satisfaction_rate", None) is None
    assert set(PACK_GOALS) >= {"exhibition_services", "sanitary_ware", "service_centre"}
    assert kpi_goals("sanitary_ware").resolution_on_time_rate == Decimal("0.90")
    assert kpi_goals("sanitary_ware", {"satisfaction_rate": "0.95"}).satisfaction_rate == Decimal("0.95")


def test_bad_goals_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="spaceships"):
        kpi_goals("spaceships")
    with pytest.raises(ConfigurationError, match="happiness"):
        kpi_goals("sanitary_ware", {"happiness": Decimal("0.5")})
    with pytest.raises(ValidationError, match="satisfaction_rate"):
        KpiGoals(satisfaction_rate=Decimal("95"))
    with pytest.raises(ValidationError, match="no KPI rate"):
        KpiGoals().goal("speed")


def test_month_names() -> None:
    assert report_labels("zh_Hans").month("2026-03") == "2026年3月"
    assert report_labels("en").month("2026-12") == "Dec 2026"
    with pytest.raises(ValidationError, match="YYYY-MM"):
        report_labels("en").month("2026-13")


def test_a_pack_names_its_goals_on_a_page() -> None:
    from aftersales.adapters.reporting import reporting_for
    from aftersales.errors import ConfigurationError
    from aftersales.ports.reporting import GroupBy
    from aftersales.reports import kpi_report, to_markdown

    from .data import CALENDAR, MARCH, report_desk

    report = kpi_report(reporting_for(report_desk().store), MARCH, CALENDAR, group=GroupBy.DEALER)
    text = to_markdown(report, "zh_Hans", pack="exhibition_services")
    assert "| 客户满意度 | 90.0% |" in text and "✗" in text
    assert "考核目标" not in to_markdown(report, "zh_Hans")  # no goals asked for, none shown
    with pytest.raises(ConfigurationError, match="spaceships"):
        to_markdown(report, "zh_Hans", pack="spaceships")
    with pytest.raises(ValidationError, match="not both"):
        to_markdown(report, "zh_Hans", pack="sanitary_ware", goals=KpiGoals())
