"""Bad input at the ServiceDesk's boundary: a clear typed error, and nothing written.

Each case runs against a desk on the in-memory store with one registered customer and one open
ticket; after the refusal the number of tickets, the ticket's version and events, and the pending
outbox are exactly what they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer
from aftersales.errors import (
    AftersalesError,
    InvalidMoney,
    InvalidTransition,
    NaiveDatetimeError,
    NotFound,
    UnknownCurrency,
    ValidationError,
)
from aftersales.i18n.notifications import default_renderer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
NAIVE = datetime(2026, 3, 2, 8, 0)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def setup() -> tuple[ServiceDesk, str]:
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(NOW))
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", email="zw@example.cn"))
    )
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    return desk, tid


def state(desk: ServiceDesk, tid: str) -> tuple[int, int, int, int]:
    auditor = Actor.auditor("a")
    view = desk.ticket(auditor, tid)
    with desk.store() as uow:
        pending = len(uow.outbox.pending(10_000))
    return desk.count(auditor), view.version, len(view.events), pending


Call = Callable[[ServiceDesk, str], Any]

BAD: dict[str, tuple[type[AftersalesError], Call]] = {
    "naive received_at": (
        NaiveDatetimeError,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description="x", received_at=NAIVE),
    ),
    "naive expected_by": (
        NaiveDatetimeError,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description="x", expected_by=NAIVE),
    ),
    "future received_at": (
        ValidationError,
        lambda d, t: d.open_ticket(
            AGENT, customer_id="c1", description="x", received_at=NOW + timedelta(days=1)
        ),
    ),
    "naive visit": (
        NaiveDatetimeError,
        lambda d, t: d.add_visit(AGENT, t, planned_at=NAIVE, engineer_id="e"),
    ),
    "naive parts date": (NaiveDatetimeError, lambda d, t: d.await_parts(MANAGER, t, expected_at=NAIVE)),
    "naive callback due": (NaiveDatetimeError, lambda d, t: d.schedule_callback(AGENT, t, due_at=NAIVE)),
    "an integer beyond 64 bits under an idempotency key": (
        # The key's fingerprint of the request must not fail before the fields are checked.
        ValidationError,
        lambda d, t: d.open_ticket(
            AGENT, customer_id="c1", description="x", custom_fields={"": -(2**63) - 1}, idempotency_key="k1"
        ),
    ),
    "empty description": (
        ValidationError,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description=""),
    ),
    "blank description": (
        ValidationError,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description="  "),
    ),
    "long description": (
        ValidationError,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description="漏" * 4001),
    ),
    "unknown customer": (NotFound, lambda d, t: d.open_ticket(AGENT, customer_id="nobody", description="x")),
    "unknown asset": (
        NotFound,
        lambda d, t: d.open_ticket(AGENT, customer_id="c1", description="x", asset_id="no-such-asset"),
    ),
    "unknown ticket": (NotFound, lambda d, t: d.note_to_customer(AGENT, "SR-2026-999999", text="hi")),
    "empty ticket id": (ValidationError, lambda d, t: d.note_to_customer(AGENT, "", text="hi")),
    "unknown engineer": (NotFound, lambda d, t: d.dispatch(AGENT, t, engineer_id="ghost")),
    "unknown dealer": (NotFound, lambda d, t: d.dispatch(AGENT, t, dealer_id="ghost")),
    "engineer and dealer": (
        ValidationError,
        lambda d, t: d.dispatch(AGENT, t, engineer_id="e", dealer_id="d"),
    ),
    "empty note": (ValidationError, lambda d, t: d.note_to_customer(AGENT, t, text="")),
    "long note": (ValidationError, lambda d, t: d.note_to_customer(AGENT, t, text="x" * 4001)),
    "long reason": (ValidationError, lambda d, t: d.cancel(AGENT, t, reason="x" * 2001)),
    "blank reason": (ValidationError, lambda d, t: d.cancel(AGENT, t, reason="   ")),
    "bad nature code": (ValidationError, lambda d, t: d.triage(AGENT, t, nature="", severity=Severity.LOW)),
    "long callback comment": (
        ValidationError,
        lambda d, t: d.record_callback(AGENT, t, problem_back=False, comment="x" * 2001),
    ),
    "score out of range": (
        ValidationError,
        lambda d, t: d.record_callback(AGENT, t, problem_back=False, satisfaction=6),
    ),
    "score as bool": (
        ValidationError,
        lambda d, t: d.record_callback(AGENT, t, problem_back=False, satisfaction=True),
    ),
    "answer not yes/no": (
        ValidationError,
        lambda d, t: d.record_callback(AGENT, t, problem_back=False, answers={"fixed": "yes"}),  # type: ignore[dict-item]
    ),
    "long idempotency key": (
        ValidationError,
        lambda d, t: d.note_to_customer(AGENT, t, text="hi", idempotency_key="k" * 121),
    ),
    "not an actor": (ValidationError, lambda d, t: d.note_to_customer("agent-1", t, text="hi")),  # type: ignore[arg-type]
    "step out of order": (InvalidTransition, lambda d, t: d.confirm(AGENT, t)),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_a_typed_error_and_nothing_is_written(
    setup: tuple[ServiceDesk, str], case: str
) -> None:
    desk, tid = setup
    error, call = BAD[case]
    before = state(desk, tid)
    with pytest.raises(error):
        call(desk, tid)
    assert state(desk, tid) == before


@pytest.mark.parametrize("locale", ["", "klingon", "zh-hans-cn-x", "en_us", "12", "中文"])
def test_a_contact_with_a_malformed_locale_is_refused(locale: str) -> None:
    with pytest.raises(ValidationError, match="locale"):
        Contact("张伟", email="zw@example.cn", locale=locale)
    with pytest.raises(ValidationError, match="locale"):
        Actor("x", "agent", locale=locale)


def test_an_unknown_but_well_formed_locale_falls_back_to_english() -> None:
    subject, _ = default_renderer().render(
        "escalation", "fr_FR", "Europe/Paris", {"ticket_id": "SR-1", "level": "manager", "reason": "x"}
    )
    assert subject.startswith("Ticket SR-1 escalated")


def test_a_customer_with_a_bad_time_zone_is_refused_before_registration(
    setup: tuple[ServiceDesk, str],
) -> None:
    desk, tid = setup
    before = state(desk, tid)
    with pytest.raises(ValidationError, match="time zone"):
        Contact("Alice", email="a@example.com", timezone="Mars/Olympus")
    assert state(desk, tid) == before


@pytest.mark.parametrize("amount", [0.1, 1.0, float("nan")])
def test_money_refuses_floats(amount: float) -> None:
    with pytest.raises(InvalidMoney):
        Money(amount, "CNY")  # type: ignore[arg-type]


def test_money_refuses_unknown_currencies_and_keeps_decimals() -> None:
    with pytest.raises(UnknownCurrency):
        Money(Decimal("1"), "XYZ")
    assert Money(Decimal("12.345"), "CNY").amount == Decimal("12.35")


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"every": [("deliver", timedelta(0))]}, "every"),  # a bare TypeError before
        ({"every": "sla_sweep"}, "every"),  # read as its letters before: "unknown job(s) _, a, e …"
        ({"disabled": "deliver"}, "disabled"),
        ({"disabled": 5}, "disabled"),
    ],
)
def test_job_settings_of_the_wrong_shape_are_refused_naming_the_field(
    settings: dict[str, object], field: str
) -> None:
    from aftersales.service.jobs import JobSettings

    with pytest.raises(ValidationError) as caught:
        JobSettings(**settings)  # type: ignore[arg-type]
    assert caught.value.field == field and "job(s)" not in str(caught.value)


@pytest.mark.parametrize(("settings", "field"), [({"senders": 1000}, "senders"), ({"limit": 10**7}, "limit")])
def test_job_settings_beyond_what_a_run_takes_are_refused_when_made(
    settings: dict[str, object], field: str
) -> None:
    # Before, JobSettings(senders=1000) was taken, and the deliver job then failed at every run.
    from aftersales.service.jobs import JobSettings

    with pytest.raises(ValidationError) as caught:
        JobSettings(**settings)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize("store", ["memory://", None, 42])
def test_the_desk_constructor_refuses_what_is_not_a_store_factory(store: object) -> None:
    # Before, ServiceDesk("memory://") was built and its first command raised a bare TypeError.
    from aftersales.errors import ConfigurationError
    from aftersales.service.desk import ServiceDesk

    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk(store)  # type: ignore[arg-type]
    assert caught.value.key == "store"
