"""The fault reports refuse what they cannot use with a typed error naming the argument (session 18).

Before: an unknown dimension was a bare ``ValueError``, no period an ``AttributeError``, no complaint
parameters an ``AttributeError``; a ``vital_share`` of 2 or a float was used as given (every item
"vital"); one string of months was read letter by letter and a trend had no bound.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, Period, ReportingQueries
from aftersales.reports.faults import detect_batch_incidents, fault_pareto, fault_trend
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
UNTIL = datetime(2026, 4, 1, tzinfo=SH)
S = FaultDimension.SYMPTOM

CASES: list[tuple[str, Callable[[ReportingQueries], object], str]] = [
    ("unknown dimension", lambda q: fault_pareto(q, MARCH, "colour"), "dimension"),  # type: ignore[arg-type]
    ("no period", lambda q: fault_pareto(q, None, S), "period"),  # type: ignore[arg-type]
    ("share above 1", lambda q: fault_pareto(q, MARCH, S, vital_share=Decimal(2)), "vital_share"),
    ("share of 0", lambda q: fault_pareto(q, MARCH, S, vital_share=Decimal(0)), "vital_share"),
    ("float share", lambda q: fault_pareto(q, MARCH, S, vital_share=0.8), "vital_share"),  # type: ignore[arg-type]
    ("one string", lambda q: fault_trend(q, "2026-03", S), "months"),
    ("no months", lambda q: fault_trend(q, [], S), "months"),
    ("37 months", lambda q: fault_trend(q, ["2026-03"] * 37, S), "months"),
    ("trend dimension", lambda q: fault_trend(q, ["2026-03"], "colour"), "dimension"),  # type: ignore[arg-type]
    ("no params", lambda q: detect_batch_incidents(q, UNTIL, params=None), "params"),  # type: ignore[arg-type]
    (
        "size of text",
        lambda q: detect_batch_incidents(q, UNTIL, batch_sizes={("P", "B"): "x"}),
        "batch_sizes",
    ),  # type: ignore[dict-item]
    ("size of 0", lambda q: detect_batch_incidents(q, UNTIL, batch_sizes={("P", "B"): 0}), "batch_sizes"),
    ("key not a pair", lambda q: detect_batch_incidents(q, UNTIL, batch_sizes={"B": 10}), "batch_sizes"),  # type: ignore[dict-item]
]


@pytest.mark.parametrize(("case", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_the_fault_reports_refuse_what_they_cannot_use(
    case: str, call: Callable[[ReportingQueries], object], field: str
) -> None:
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(UNTIL)) as desk:
        with pytest.raises(ValidationError) as refused:
            call(reporting_for(desk.store))
        assert refused.value.field == field


def test_good_arguments_still_answer() -> None:
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(UNTIL)) as desk:
        q = reporting_for(desk.store)
        assert fault_pareto(q, MARCH, "symptom", vital_share=Decimal(1)).total == 0  # type: ignore[arg-type]
        assert fault_trend(q, ("2026-02", "2026-03"), S).months == ("2026-02", "2026-03")
        assert detect_batch_incidents(q, UNTIL, batch_sizes={("P", "B"): 10}) == []
