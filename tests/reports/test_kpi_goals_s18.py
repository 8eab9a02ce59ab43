"""Session 18: a KPI goal or a rate that is not a finite number is a typed error naming it (seed 001 考核指标:
目标值不低于[X]%, X a fraction from 0 to 1).

Before, ``KpiGoals(satisfaction_rate="NaN")`` and ``kpi_goals(pack, {"…": "NaN"})`` raised
``decimal.InvalidOperation`` (comparing a NaN), and ``passed(rate, Decimal("NaN"))`` a ``ValueError``: no
``aftersales`` error, nothing naming the goal.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.errors import ValidationError
from aftersales.reports import KpiGoals, kpi_goals


# Session 38: text is read as money's (number_text); "٠.٩", " 0.9 ", "9e-1" and "0.9_5" were goals.
@pytest.mark.parametrize(
    "bad", ["NaN", "sNaN", "-NaN", Decimal("NaN"), "Infinity", "-Infinity", "٠.٩", " 0.9 ", "9e-1", "0.9_5"]
)
def test_a_goal_that_is_no_finite_fraction_is_refused_naming_it(bad: object) -> None:
    with pytest.raises(ValidationError) as refused:
        KpiGoals(satisfaction_rate=bad)  # type: ignore[arg-type]
    assert refused.value.field == "satisfaction_rate"
    with pytest.raises(ValidationError) as refused:
        kpi_goals("sanitary_ware", {"response_on_time_rate": bad})
    assert refused.value.field == "response_on_time_rate"


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_rate_that_is_no_finite_number_is_refused_naming_it(bad: Decimal) -> None:
    goals = KpiGoals(satisfaction_rate=Decimal("0.9"))
    with pytest.raises(ValidationError) as refused:
        goals.passed("satisfaction_rate", bad)
    assert refused.value.field == "value"
    assert goals.passed("satisfaction_rate", Decimal("0.9")) is True
