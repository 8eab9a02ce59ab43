"""Preferences that reach nobody, and the rule codes of years and scores (session 32, j).

Why: ``Contact(channels=("sms",))`` with only a landline was accepted and that customer then got no
message at all (``reach()`` empty: SMS needs a mobile). A host expects to learn it when the contact is
made, where the agent can ask for a mobile or another channel, so it is refused there (``channels``,
rule ``channels_unreachable``). A record stored before stays readable as stored.

Years outside 1900–2200 and survey scores outside 1–5 were refused without a rule code, so the English
sentence showed to Chinese readers; they now carry ``year_range`` and ``whole_number``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales import Actor, Asset, Contact, Customer, Product, ServiceDesk, WarrantyTerm
from aftersales.adapters import ManualClock
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT = Actor.manager("m-1"), Actor.agent("a-1")
LANDLINE = "021-5555 1234"


def _refused(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


@pytest.mark.parametrize(
    "kwargs",
    [
        {"phone": LANDLINE, "channels": ("sms",)},
        {"phone": LANDLINE, "channels": ("sms", "email")},
        {"phone": "13800138000", "channels": ("wechat",)},
        {"channels": ("email",)},
    ],
)
def test_a_preference_that_reaches_nobody_is_refused_by_name(kwargs: dict[str, object]) -> None:
    error = _refused(lambda: Contact("王先生", **kwargs))  # type: ignore[arg-type]
    assert (error.field, error.rule) == ("channels", "channels_unreachable")
    assert "短信需要手机号码" in render_error(error, "zh_Hans")
    assert "SMS needs" not in render_error(error, "zh_Hant")


def test_a_preference_reaching_someone_is_kept_in_its_order() -> None:
    both = Contact("王先生", phone=LANDLINE, email="w@example.cn", channels=("sms", "email"))
    assert [c.value for c, _ in both.reach()] == ["email"]
    assert [c.value for c, _ in Contact("王先生", phone="13800138000", channels=("sms",)).reach()] == ["sms"]
    assert Contact("王先生", phone=LANDLINE).reach() == ()  # no preference: nothing to refuse


def test_a_contact_stored_before_the_rule_is_still_read() -> None:
    stored = {"name": "王先生", "phone": LANDLINE, "channels": ["sms"]}
    contact = Contact.restore(stored)
    assert (contact.phone, [c.value for c in contact.channels], contact.reach()) == (LANDLINE, ["sms"], ())
    error = _refused(lambda: attrs.evolve(contact, note="回访"))  # changed: the rule applies
    assert error.field == "channels"


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as d,
    ):
        d.register_customer(MANAGER, Customer("c-1", "张伟", Contact("张伟", phone="13912345678")))
        d.register_product(MANAGER, Product("wc-100", "WC-100", "智能马桶", "toilet", (WarrantyTerm(36),)))
        yield d


def test_a_customer_with_an_unreachable_preference_is_not_registered(desk: ServiceDesk) -> None:
    error = _refused(
        lambda: desk.register_customer(
            MANAGER, Customer("c-2", "李娜", Contact("李娜", phone=LANDLINE, channels=("sms",)))
        )
    )
    assert error.field == "channels"


def test_an_out_of_range_year_and_score_state_their_rule_in_chinese(desk: ServiceDesk) -> None:
    bad_year = Asset("a-1", "wc-100", "SN-1", "c-1", purchase_date=date(1899, 12, 31))
    year = _refused(lambda: desk.register_asset(MANAGER, bad_year))
    assert (year.rule, dict(year.rule_params)) == ("year_range", {"least": "1900", "most": "2200"})
    assert "1900 至 2200 年" in render_error(year, "zh_Hans") and "must be within" not in render_error(
        year, "zh_Hant"
    )
    tid = desk.open_ticket(AGENT, customer_id="c-1", description="漏水").ticket.id
    for call in (
        lambda: desk.record_callback(AGENT, tid, problem_back=False, satisfaction=6),
        lambda: desk.record_callback(AGENT, tid, problem_back=False, satisfaction=4, attitude=0),
        lambda: SatisfactionSurvey(
            reliability=0, assurance=5, tangibles=5, empathy=5, responsiveness=5, overall=5
        ),
    ):
        score = _refused(call)
        assert (score.rule, dict(score.rule_params)) == ("whole_number", {"least": 1, "most": 5})
        assert "score from" not in render_error(score, "zh_Hans")
        assert "1 至 5" in render_error(score, "zh_Hans")
    assert desk.ticket(AGENT, tid).state == "new"
