# mypy: disable-error-code="arg-type"
"""Issue 19 re-read by a peer tester (session 32, k): money end to end through the public desk, on memory,
SQLite and PostgreSQL.

Checked: the charge sheet, its quote and the dealer's purchase add up line by line (120 + 80 + 30 + 20 for
the customer, 75.00 at the maker's price to dealers), a part payment leaves the right balance and the
slip agrees; another dealer's staff and another customer meet not-found (or a refusal) on the sheet, the
quotes, the slips and the payment, and nothing changes; hostile amounts (negative, NaN, Infinity, 1e30,
another currency) are typed errors naming the field and store nothing; hostile prices in the pack's
parameters are refused when the policy is built; "within 30 days" of a repair is late from the local
midnight after the 30th day, in the zone the desk is given. All passed on the code as found.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.errors import AftersalesError, NotFound, PermissionDenied, ValidationError
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PART = "WN-CB-01"
FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        parts={PART: PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(
                labour={"flush_valve_leak": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
            )
        },
    )
)
OLD_UNIT = Asset(
    AssetId("unit-out"), "wc-100", "SN-OUT", customer_id="cust-zh", purchase_date=date(2021, 1, 10),
    installation_accepted_on=date(2021, 1, 11), dealer_id="dealer-sh",
)  # fmt: skip


def _repaired(desk: ServiceDesk, w: World) -> str:
    desk.register_asset(w.manager, OLD_UNIT)
    tid = desk.open_ticket(
        w.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
    ).ticket.id
    desk.triage(w.agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(w.agent, tid, dealer_id="dealer-sh")
    desk.start_work(w.dealer_sh_staff, tid)
    desk.add_fault_record(
        w.dealer_sh_staff, tid, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=PART, component="flush_valve",
    )  # fmt: skip
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sheet_the_quotes_and_the_payments_add_up(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (desk, clock, w):
        tid = _repaired(desk, w)
        sheet = desk.charges.assess(w.dealer_sh_staff, tid, travel_zone="pudong")
        charged = sum((ln.line.amount for ln in sheet.lines), Money(0, "CNY"))
        assert charged == sheet.customer_total == Money("250.00", "CNY")
        assert [ln.line.value for ln in sheet.lines] == [Money(v, "CNY") for v in ("120", "80", "30", "20")]
        quote = desk.charges.quote(w.agent, tid)
        assert quote.total == sheet.customer_total
        purchase = desk.charges.dealer_purchase(w.agent, tid)
        assert purchase.total == Money("75.00", "CNY") == sheet.dealer_cost_total
        clock.advance(timedelta(minutes=5))
        accepted = desk.charges.accept(w.customer_zh, tid, quote.id)
        slip = accepted.fee_slip
        assert slip is not None and slip.total == Money("250.00", "CNY")
        paid = desk.charges.record_payment(w.customer_zh, tid, quote.id, amount=Money("100.00", "CNY"))
        assert paid.balance == Money("150.00", "CNY")
        paid = desk.charges.record_payment(w.customer_zh, tid, quote.id, amount=Money("150.00", "CNY"))
        assert paid.balance == Money(0, "CNY")
        stored = desk.fees.slip(w.manager, slip.id)
        assert sum((p.amount for p in stored.payments), Money(0, "CNY")) == stored.total


@pytest.mark.parametrize("backend", BACKENDS)
def test_another_dealer_and_another_customer_see_no_money(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (desk, _clock, w):
        tid = _repaired(desk, w)
        desk.charges.assess(w.dealer_sh_staff, tid, travel_zone="pudong")
        quote = desk.charges.quote(w.agent, tid)
        slip = desk.charges.accept(w.customer_zh, tid, quote.id).fee_slip
        assert slip is not None
        events = len(desk.ticket(w.manager, tid).events)
        for outsider in (w.dealer_bj_staff, w.customer_en):
            with pytest.raises(NotFound):
                desk.charges.sheet(outsider, tid)
            with pytest.raises(NotFound):
                desk.fees.slip(outsider, slip.id)
            with pytest.raises((NotFound, PermissionDenied)):
                desk.fees.slips_of(outsider, tid)
            with pytest.raises((NotFound, PermissionDenied)):
                desk.charges.assess(outsider, tid)
            with pytest.raises((NotFound, PermissionDenied)):
                desk.charges.record_payment(outsider, tid, quote.id, amount=Money("250.00", "CNY"))
        assert len(desk.ticket(w.manager, tid).events) == events
        assert desk.fees.slip(w.manager, slip.id).payments == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity", "1e30"])
def test_hostile_payments_are_typed_and_store_nothing(backend: str, tmp_path: Path, amount: str) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (desk, _clock, w):
        tid = _repaired(desk, w)
        desk.charges.assess(w.dealer_sh_staff, tid, travel_zone="pudong")
        quote = desk.charges.quote(w.agent, tid)
        slip = desk.charges.accept(w.customer_zh, tid, quote.id).fee_slip
        assert slip is not None
        events = len(desk.ticket(w.manager, tid).events)
        with pytest.raises(ValidationError):
            desk.charges.record_payment(w.customer_zh, tid, quote.id, amount=Money(Decimal(amount), "CNY"))
        with pytest.raises(ValidationError):
            desk.charges.record_payment(w.customer_zh, tid, quote.id, amount=Money("250.00", "USD"))
        assert len(desk.ticket(w.manager, tid).events) == events
        assert desk.fees.slip(w.manager, slip.id).payments == []


@pytest.mark.parametrize("retail", ["-120.00", "NaN", "Infinity", "1e30", 120.0])
def test_hostile_prices_are_refused_when_the_price_list_is_built(retail: object) -> None:
    with pytest.raises(ValidationError):
        DefaultFeesPolicy(
            FeesParams(currency="CNY", parts={PART: PartPriceEntry(cost="75.00", retail=retail)})
        )
    with pytest.raises(AftersalesError):
        FeesParams(currency="XYZ", parts={PART: PartPriceEntry(cost="75.00", retail="120.00")})


@pytest.mark.parametrize(
    ("zone", "deadline"),
    [
        ("Asia/Shanghai", datetime(2026, 4, 3, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))),
        ("Asia/Urumqi", datetime(2026, 4, 2, 0, 0, tzinfo=ZoneInfo("Asia/Urumqi"))),
    ],
)
def test_within_30_days_counts_whole_local_days_of_the_desks_zone(zone: str, deadline: datetime) -> None:
    # 17:00 UTC on 2 March is 01:00 on 3 March in Shanghai and 23:00 on 2 March in Urumqi.
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", settings={"timezone": zone})
    late_from = desk.materials.return_deadline(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert late_from == deadline and late_from.utcoffset() == deadline.utcoffset()
    desk.shutdown()
