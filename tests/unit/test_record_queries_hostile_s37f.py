"""A host asks the records it holds (an engineer, a shift, a contract) about a moment given as the wrong
thing: each query refuses it with a ``ValidationError`` naming the argument (session 37; each raised
Python's ``TypeError`` or ``AttributeError`` from the comparison inside, or answered as if it were an
instant: ``Engineer.available_at("x")`` of an engineer with no absence was ``True``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Absence,
    Actor,
    AgentShift,
    Dealer,
    Engineer,
    OnCallShift,
    ServiceContract,
)
from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.money import Money
from aftersales.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, tzinfo=SH)
AWAY = Absence(AT, AT + timedelta(days=1), "年假")
ENGINEER = Engineer(EngineerId("e1"), "赵工")  # no absence: nothing was compared, "x" was available
CONTRACT = ServiceContract(
    "SC-1", date(2026, 1, 1), date(2026, 12, 31), Money("100", "CNY"), customer_id="c1", assets=("A-1",)
)
WRONG = ("2026-03-02 09:00", None, 5, float("nan"), [AT], datetime(2026, 3, 2, 9))

QUERIES: list[tuple[str, Callable[[object], object], str, tuple[object, ...]]] = [
    ("Absence.covers", AWAY.covers, "at", WRONG),
    ("Absence.overlaps", lambda v: AWAY.overlaps(v, AT), "starts_at", WRONG),  # type: ignore[arg-type]
    ("Engineer.available_at", ENGINEER.available_at, "at", WRONG),
    ("Engineer.gone_at", ENGINEER.gone_at, "at", WRONG),
    ("Engineer.absence_at", ENGINEER.absence_at, "at", WRONG),
    ("AgentShift.covers", AgentShift("a1", AT, AT + timedelta(hours=8)).covers, "at", WRONG),
    ("OnCallShift.covers", OnCallShift("e1", AT, AT + timedelta(hours=8)).covers, "at", WRONG),
    ("ServiceContract.active_on", CONTRACT.active_on, "day", (*WRONG, AT)),
    ("ServiceContract.expiring", CONTRACT.expiring, "today", (*WRONG, AT)),
    ("ServiceContract.year_of", CONTRACT.year_of, "day", ("x", AT, date(9999, 12, 31))),
    ("ServiceContract.overlaps", CONTRACT.overlaps, "other", ("SC-2", None)),
    ("ContractCoverage.covers", CONTRACT.coverage.covers, "line_kind", ([AT],)),
    ("Dealer.serves", Dealer(DealerId("d1"), "上海", "SH", frozenset({"SH"})).serves, "region", ([AT], 5)),
    ("Actor.has_role", Actor.manager("m1").has_role, "roles", ([AT],)),
]


@pytest.mark.parametrize(("name", "query", "field", "values"), QUERIES, ids=[q[0] for q in QUERIES])
def test_a_query_given_no_moment_is_refused_naming_it(
    name: str, query: Callable[[object], object], field: str, values: tuple[object, ...]
) -> None:
    for value in values:
        with pytest.raises(ValidationError) as caught:
            query(value)
        assert caught.value.field == field and caught.value.rule, (name, value)
        if isinstance(value, datetime) and value.tzinfo is None and field not in ("day", "today"):
            assert caught.value.rule == "naive_datetime"  # session 37: a naive instant carried no rule
    assert ENGINEER.available_at(AT) and AWAY.covers(AT) and CONTRACT.active_on(date(2026, 3, 2))
