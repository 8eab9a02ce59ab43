"""Session 18, seed 002: a free issue is the maker's cost at the part's cost price, on memory, SQLite
and PostgreSQL.

保修期内甲方免费向乙方提供维修材料 and 上海维娜斯仅按成本价向各特约承销商收取材料费: a part given free
costs the maker its price to dealers. ``desk.fees.record_free_issue`` ("priced at cost") took whatever
price the caller wrote: a dealer entering the valve at its retail 120.00 instead of its cost 75.00 (or at
0.01) moved the month's cost, the KPI's cost per ticket and the budget's actual, the pack's price list
ignored. A part on the list is now issued at its cost there, else ``ValidationError`` naming ``lines``
and nothing stored; a part the list does not price keeps the caller's price.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.money import month_money
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
VALVE = "WN-CB-01"
FEES = DefaultFeesPolicy(
    FeesParams(currency="CNY", parts={VALVE: PartPriceEntry(cost="75.00", retail="120.00")})
)


def _free(part: str, price: str) -> ChargeLine:
    return ChargeLine(ChargeKind.MATERIALS, part, Money(price, "CNY"), 1, chargeable=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_listed_part_is_issued_free_at_its_cost_price(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, overrides={"fees": FEES}) as (desk, _clock, world):
        ticket_id = desk.open_ticket(
            world.agent, customer_id="cust-zh", description="漏水", asset_id="asset-1"
        ).ticket.id
        for price in ("120.00", "0.01", "0.00"):
            with pytest.raises(ValidationError) as refused:
                desk.fees.record_free_issue(world.dealer_sh_staff, ticket_id, [_free(VALVE, price)])
            assert refused.value.field == "lines"
        with desk.store() as uow:
            assert month_money(uow.documents, "2026-03").cost == Money(0, "CNY")  # nothing stored
        desk.fees.record_free_issue(world.dealer_sh_staff, ticket_id, [_free(VALVE, "75.00")])
        desk.fees.record_free_issue(world.dealer_sh_staff, ticket_id, [_free("GASKET-9", "3.50")])  # unlisted
        with desk.store() as uow:
            assert month_money(uow.documents, "2026-03").cost == Money("78.50", "CNY")
