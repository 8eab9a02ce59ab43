"""Session 18: the pack's currency (``[fees] currency``) is the fee desk's, on memory, SQLite and PostgreSQL.

Seed 002 (材料收费 · 工作程序 d: 按月统计售后服务销售收入): the slips and the month's revenue are the desk's
books, in the currency the pack prices in. Before, ``desk.fees.issue_slip`` wrote a CNY slip unless told
otherwise (a USD desk's slip of USD lines was ``CurrencyMismatch``), and ``monthly_revenue`` and
``scoped_month_money`` read CNY: a USD desk's month came back empty, the configuration silently ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.money import Money
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams
from aftersales.reports import scoped_month_money
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_slips_and_the_month_s_revenue_are_in_the_pack_s_currency(backend: str, tmp_path: Path) -> None:
    overrides = {"fees": DefaultFeesPolicy(FeesParams(currency="USD"))}
    with world_desk(backend, tmp_path, overrides=overrides) as (desk, _clock, world):
        opened = desk.open_ticket(
            world.agent, customer_id="cust-zh", description="jammed", asset_id="asset-1"
        )
        labour = ChargeLine(ChargeKind.LABOUR, "repair", Money("40.00", "USD"))
        slip = desk.fees.issue_slip(world.agent, opened.ticket.id, lines=[labour])
        assert slip.currency == "USD" and slip.total == Money("40.00", "USD")
        revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
        assert revenue.currency == "USD" and revenue.revenue_total == Money("40.00", "USD")
        money = scoped_month_money(desk, world.manager, "2026-03")
        assert money.currency == "USD" and money.income == Money("40.00", "USD")
        # Another currency is still read when named: nothing was charged in CNY.
        assert desk.fees.monthly_revenue(world.manager, "2026-03", currency="CNY").revenue == ()
        assert scoped_month_money(desk, world.manager, "2026-03", currency="CNY").slips == 0
