from __future__ import annotations

import gc
from datetime import date, datetime

import attrs
import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Priority
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.instants import require_aware
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.reasons import Param, Reason
from aftersales.errors import NaiveDatetimeError, ValidationError


def test_naive_datetimes_are_refused_with_a_message_that_says_so() -> None:
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        require_aware(datetime(2026, 1, 1), "received_at")
    with pytest.raises(ValidationError):
        require_aware("2026-01-01", "received_at")


def test_contact_validates_phone_email_locale_and_zone() -> None:
    c = Contact("王先生", phone="+86 138 0013 8000", email="wang@example.cn", locale="zh_Hans")
    assert c.timezone == "Asia/Shanghai"
    for kwargs in (
        {"phone": "call me"},
        {"email": "no-at-sign"},
        {"locale": "klingon!"},
        {"timezone": "Mars/Olympus"},
    ):
        with pytest.raises(ValidationError):
            Contact("王先生", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="must not be empty"):
        Contact("   ")
    with pytest.raises(ValidationError, match="at most 100"):
        Contact("x" * 101)


def test_parties() -> None:
    customer = Customer(
        CustomerId("c1"), "李女士", Contact("李女士"), tier=CustomerTier.VIP, region="sh-pudong"
    )
    assert customer.tier is CustomerTier.VIP
    dealer = Dealer(DealerId("d1"), "浦东特约网点", "sh-pudong", service_area={"sh-minhang"})
    assert dealer.serves("sh-minhang") and dealer.serves("sh-pudong") and not dealer.serves("bj-haidian")
    assert not dealer.serves(None)
    engineer = Engineer(EngineerId("e1"), "张工", EngineerLevel.SENIOR, skills={"toilet"}, active_load=8)
    assert not engineer.has_capacity
    with pytest.raises(ValidationError):
        Engineer(EngineerId("e2"), "赵工", active_load=-1)


def test_products_and_assets() -> None:
    term = WarrantyTerm(60, component="ceramic_body")
    product = Product(
        ProductId("p1"), "CT-1188", "连体坐便器", "toilet", warranty_terms=[term, WarrantyTerm(12)]
    )
    assert product.warranty_terms[0].starts_from is WarrantyStart.PURCHASE
    asset = Asset(
        AssetId("a1"),
        product.id,
        "SN0001",
        purchase_date=date(2025, 5, 1),
        shipment_date=date(2025, 4, 28),
        installation_accepted_on=date(2025, 5, 3),
    )
    assert asset.start_date(WarrantyStart.SHIPMENT) == date(2025, 4, 28)
    assert asset.start_date(WarrantyStart.INSTALLATION) == date(2025, 5, 3)
    with pytest.raises(ValidationError):
        WarrantyTerm(0)
    with pytest.raises(ValidationError):
        Asset(
            AssetId("a2"),
            product.id,
            "SN2",
            shipment_date=date(2025, 5, 2),
            installation_accepted_on=date(2025, 5, 1),
        )
    with pytest.raises(ValidationError):
        Asset(AssetId("a3"), product.id, "SN3", market_timezone="Nowhere/City")


def test_categories_are_open_codes() -> None:
    assert Category("repair") == Category.REPAIR
    assert Category("descaling").code == "descaling"
    assert Category.COMPLAINT in Category.builtin()
    with pytest.raises(ValidationError):
        Category("Not A Code")


def test_priority_order_and_raise() -> None:
    assert Priority.NORMAL.raised() is Priority.EXPEDITED
    assert Priority.EXPEDITED.raised(5) is Priority.CRITICAL
    assert Priority.CRITICAL.rank > Priority.NORMAL.rank


def test_reasons_are_hashable_codes_with_frozen_params() -> None:
    r = Reason("vip_raised", {"tier": "vip"})
    assert r == Reason("vip_raised", {"tier": "vip"})
    assert len({r, Reason("vip_raised", {"tier": "vip"})}) == 1
    with pytest.raises(TypeError):
        r.params["tier"] = "x"  # type: ignore[index]
    with pytest.raises(ValidationError):
        Reason("Not a code")
    with pytest.raises(ValidationError):  # typed, naming params (it was a bare TypeError)
        Reason("ok", {"when": datetime(2026, 1, 1)})  # type: ignore[dict-item]


def test_a_reason_owns_its_params_and_the_collector_does_not_track_them() -> None:
    given: dict[str, Param] = {"tier": "vip", "months": 36, "extended": True, "until": None}
    r = Reason("vip_raised", given)
    given["tier"] = "changed"  # the caller's dict is not the reason's
    assert r.params == {"tier": "vip", "months": 36, "extended": True, "until": None}
    assert not gc.is_tracked(r._params)  # atoms only: one tracked object per kept reason, not two
    checked = Reason.checked("vip_raised", {"tier": "vip", "months": 36, "extended": True, "until": None})
    assert checked == Reason("vip_raised", {"tier": "vip", "months": 36, "extended": True, "until": None})
    assert hash(checked) == hash(
        Reason("vip_raised", {"until": None, "extended": True, "months": 36, "tier": "vip"})
    )
    assert repr(Reason("a_b", {"x": 1})) == "Reason(code='a_b', params={'x': 1})"
    assert Reason("a_b").params == {} and attrs.evolve(r, params={"x": 2}).params == {"x": 2}
    with pytest.raises(TypeError):
        checked.params["tier"] = "x"  # type: ignore[index]


def test_actor_ref_role_is_checked() -> None:
    assert str(ActorRef("a1", Role.AGENT)) == "agent:a1"
    with pytest.raises(ValueError, match="wizard"):
        ActorRef("a1", "wizard")  # type: ignore[arg-type]
