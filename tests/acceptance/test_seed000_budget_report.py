# mypy: disable-error-code="arg-type"
"""Seed 000: the budget report read through the desk (``scoped_budget_report(desk, actor, period)``),
scoped by the one permission table, on memory, SQLite and PostgreSQL.

费用预算: 编制售后维护费用预算, 报公司管理层审批. 费用控制: 严格按照费用预算控制…支出,
对超出预算的费用进行分析和审批. 内部监督: 内部审计部门定期…检查…售后维护费用的使用情况.
Before, the report was a function over a store
(``reports.budgets.budget_report(uow.documents, …)``): a host had to open the store itself, with no
role judged; the auditor could not read it through the desk at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import PermissionDenied, UnknownCurrency, ValidationError
from aftersales.reports import scoped_budget_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
GM = Actor.general_manager("gm-1")
HEAD = Actor.department_head("head-1")
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
AUDITOR = Actor.auditor("audit-1")
SYSTEM = Actor.system()
ENGINEER = Actor.engineer("eng-1")
CUSTOMER = Actor.customer("c1")
DEALER = Actor.dealer_staff("d-staff", DealerId("d-sh"), {"SH"})
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "budget-report.db") as url,
        ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START)) as desk,
    ):
        desk.register_dealer(MANAGER, Dealer(DealerId("d-sh"), "浦东经销商", "SH", frozenset({"SH"})))
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        contact = Contact("张三", phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(
            MANAGER,
            Customer(CustomerId("c1"), "张三", contact, CustomerTier.REGULAR, region="SH", dealer_id="d-sh"),
        )
        desk.register_asset(
            MANAGER,
            Asset(AssetId("A-1"), ProductId("P-1"), "SN-1", CustomerId("c1"), purchase_date=date(2025, 9, 1)),
        )
        yield desk


def _spend(desk: ServiceDesk, amount: str) -> None:
    """A repair of c1's unit with one valve given free (in warranty), priced at cost."""
    tid = desk.open_ticket(AGENT, customer_id="c1", description="冲洗不出水", asset_id="A-1").ticket.id
    line = ChargeLine(ChargeKind.MATERIALS, "VALVE-01", Money(amount, "CNY"), 1, chargeable=False)
    desk.fees.record_free_issue(AGENT, tid, [line])


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_budget_report_is_read_through_the_desk_by_the_office_and_the_audit(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        desk.charges.set_budget(GM, "2026", "materials", Money("50.00", "CNY"))
        _spend(desk, "75.00")
        for reader in (GM, HEAD, MANAGER, AGENT, AUDITOR, SYSTEM):
            report = scoped_budget_report(desk, reader, "2026")
            (row,) = report.rows
            assert (row.category, row.budget, row.actual) == (
                "materials", Money("50.00", "CNY"), Money("75.00", "CNY"),
            )  # fmt: skip
            assert report.unapproved == ("materials",)
        march = scoped_budget_report(desk, AUDITOR, "2026-03")
        assert march.rows[0].budget is None and march.rows[0].actual == Money("75.00", "CNY")
        desk.charges.approve_overrun(GM, "2026", "materials", Money("25.00", "CNY"), reason="批次更换")
        assert scoped_budget_report(desk, AUDITOR, "2026").unapproved == ()
        # Nothing spent in another currency: the report in USD has the budgets' categories of USD only.
        assert scoped_budget_report(desk, AUDITOR, "2026", currency="USD").rows == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_dealers_engineers_and_customers_do_not_read_the_company_s_budget(
    backend: str, tmp_path: Path
) -> None:
    # The report sums every dealer's and customer's free work: it is the company's, like the budgets.
    with _desk(backend, tmp_path) as desk:
        desk.charges.set_budget(GM, "2026", "materials", Money("50.00", "CNY"))
        _spend(desk, "75.00")
        # A dealer's staff member who is also a customer reads it in neither role.
        both = DEALER.with_roles(Role.CUSTOMER)
        for outsider in (DEALER, ENGINEER, CUSTOMER, both, Actor.privacy_officer("dpo-1")):
            with pytest.raises(PermissionDenied):
                scoped_budget_report(desk, outsider, "2026")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("period", "currency", "error", "field"),
    [
        ("2026-13", "CNY", ValidationError, "period"),
        ("26", "CNY", ValidationError, "period"),
        ("2026/03", "CNY", ValidationError, "period"),
        ("", "CNY", ValidationError, "period"),
        (" 2026", "CNY", ValidationError, "period"),
        (2026, "CNY", ValidationError, "period"),
        (None, "CNY", ValidationError, "period"),
        ("2026", "RMB", UnknownCurrency, "currency"),
        ("2026", "", UnknownCurrency, "currency"),
        ("2026", 156, ValidationError, "currency"),
        ("2026", "cny", UnknownCurrency, "currency"),
    ],
)
def test_a_malformed_period_or_currency_is_refused_naming_it(
    backend: str, tmp_path: Path, period: object, currency: object, error: type[Exception], field: str
) -> None:
    # Before: a report of "2026-13" or in "RMB" came back empty, as if nothing had been spent.
    with _desk(backend, tmp_path) as desk:
        _spend(desk, "75.00")
        with pytest.raises(error) as refused:
            scoped_budget_report(desk, AUDITOR, period, currency=currency)
        assert refused.value.field == field


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("category", ["transport", "Materials", "materials ", "维修材料", "", "parts"])
def test_a_budget_is_set_for_a_charge_kind_the_spending_is_counted_in(
    backend: str, tmp_path: Path, category: str
) -> None:
    # 费用核算: 维修材料费用、人工费用、运输费用 — the spending is counted per charge kind (materials, labour,
    # travel, service_fee). Before, a budget for "transport" was approved and the report showed it
    # unspent beside an unbudgeted "travel": the overrun could not be seen.
    with _desk(backend, tmp_path) as desk:
        with pytest.raises(ValidationError) as refused:
            desk.charges.set_budget(GM, "2026", category, Money("50.00", "CNY"))
        assert refused.value.field == "category"
        assert desk.charges.budgets(AUDITOR, "2026") == ()
        travel = desk.charges.set_budget(GM, "2026", "travel", Money("50.00", "CNY"))
        assert travel.category == "travel"
