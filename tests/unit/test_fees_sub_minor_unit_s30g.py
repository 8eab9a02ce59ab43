"""A pack's amount finer than its currency's minor unit is refused, naming the row (session 30, g).

Why: ``Money`` rounds half up to the currency's minor units, so a price-list row ``cost = "0.001"``
became a free part (0.00 CNY) and ``"1.005"`` 1.01 without a word, while the one place a person types
an amount (``aftersales budget draft --amount 1.005``) refuses it. The fees a pack sets — the price
list, dealers' labour, travel and service fees, the budget per ticket — are refused at load with the
field named, as every other bad amount there is.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.errors import InvalidMoney, ValidationError
from aftersales.i18n import render_error
from aftersales.policies.fees import DealerFeeSchedule, DistanceBand, FeesParams, PartPriceEntry, PriceList


@pytest.mark.parametrize("amount", ["0.001", "1.005", "12.499", Decimal("0.0001")])
def test_a_price_list_row_finer_than_a_fen_is_refused(amount: object) -> None:
    entry = PartPriceEntry(amount, "2.00")
    with pytest.raises(InvalidMoney) as refused:
        PriceList.from_entries("CNY", {"P-1": entry})
    assert refused.value.field == "parts.P-1.cost"
    assert "0.01" in str(refused.value)
    with pytest.raises(InvalidMoney) as refused:
        FeesParams(parts={"P-1": entry})
    assert refused.value.field == "parts.P-1.cost"
    assert "parts.P-1.cost" in render_error(refused.value, "zh_Hans")


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        (DealerFeeSchedule(labour={"install": "80.005"}), "default_schedule.labour.install"),
        (DealerFeeSchedule(travel_zones={"city": "0.5001"}), "default_schedule.travel_zones.city"),
        (DealerFeeSchedule(travel_bands=(DistanceBand(10, "5.555"),)), "default_schedule.travel_bands.10"),
        (DealerFeeSchedule(service_fee="1.001"), "default_schedule.service_fee"),
    ],
)
def test_a_fee_finer_than_a_fen_is_refused(schedule: DealerFeeSchedule, field: str) -> None:
    with pytest.raises(InvalidMoney) as refused:
        FeesParams(default_schedule=schedule)
    assert refused.value.field == field


def test_the_budget_per_ticket_finer_than_a_fen_is_refused() -> None:
    with pytest.raises(InvalidMoney) as refused:
        FeesParams(budget_per_ticket="99.999")
    assert refused.value.field == "budget_per_ticket"


def test_a_currency_without_minor_units_refuses_any_fraction() -> None:
    with pytest.raises(InvalidMoney) as refused:
        FeesParams(currency="JPY", parts={"P-1": PartPriceEntry("100.5", "200")})
    assert refused.value.field == "parts.P-1.cost"


def test_whole_minor_units_are_kept_as_written() -> None:
    params = FeesParams(parts={"P-1": PartPriceEntry("12.5", "20.10")}, budget_per_ticket="80")
    prices = PriceList.from_entries("CNY", params.parts).price("P-1")
    assert (prices.cost.amount, prices.retail.amount) == (Decimal("12.50"), Decimal("20.10"))
    # trailing zeros beyond the fen are no fraction of it
    assert PriceList.from_entries("CNY", {"P-1": PartPriceEntry("1.000", "2")}).price("P-1").cost.amount == 1


@pytest.mark.parametrize("written", ["１２.５", " 12 ", "1_000", "1E+3", "12.", ".5", "+3", "１２"])
def test_a_pack_amount_is_written_in_ascii_digits(written: str) -> None:
    # Decimal alone takes each of these; the budget command's --amount refuses them (session 26)
    with pytest.raises(ValidationError) as refused:
        PartPriceEntry(written, "1")
    assert refused.value.field == "cost"
    with pytest.raises(ValidationError) as refused:
        DealerFeeSchedule(labour={"install": written})
    assert refused.value.field == "install"
    with pytest.raises(ValidationError) as refused:
        FeesParams(budget_per_ticket=written)
    assert refused.value.field == "budget_per_ticket"


def test_plain_amounts_and_whole_numbers_are_read() -> None:
    entry = PartPriceEntry("12.50", 3)
    assert (entry.cost, entry.retail) == (Decimal("12.50"), Decimal(3))
