# mypy: disable-error-code="arg-type"
"""An overrun approved in another currency than the budget's is refused naming ``amount`` (session 27, l).

Why: ``charges.approve_overrun`` (its approvers ``fees.overrun_approvers`` since session 27) checked the
amount's currency only inside the budget, whose ``CurrencyMismatch`` named no field — the rule is that a
refusal names the field and rule — while ``set_budget`` and ``draft_budget`` refuse a foreign amount
up front naming ``amount``. Now the overrun does the same, before anything runs, on every store;
the budget keeps no overrun.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import Money, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.domain.budgets import CostBudget, OverrunApproval, budget_id
from aftersales.errors import CurrencyMismatch
from aftersales.service.actors import Actor
from conftest import store_url

START = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GM = Actor.general_manager("gm-1")
MANAGER = Actor.manager("mgr-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "overrun-s27l.db") as url,
        ServiceDesk.open(url, pack="general_maintenance", clock=ManualClock(START)) as desk,
    ):
        yield desk


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_overrun_in_another_currency_is_refused_naming_amount(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        desk.charges.set_budget(GM, "2026", "materials", Money("80000", "CNY"))
        with pytest.raises(CurrencyMismatch) as refused:
            desk.charges.approve_overrun(MANAGER, "2026", "materials", Money("500", "USD"), reason="汇率")
        assert (refused.value.field, refused.value.left, refused.value.right) == ("amount", "CNY", "USD")
        # Before anything is read: a period with no budget says the same, not NotFound.
        with pytest.raises(CurrencyMismatch) as unbudgeted:
            desk.charges.approve_overrun(MANAGER, "2027", "materials", Money("500", "USD"), reason="汇率")
        assert unbudgeted.value.field == "amount"
        assert desk.charges.budgets(GM, "2026")[0].overruns == []


def test_the_budget_itself_names_the_amount_of_a_foreign_overrun() -> None:
    budget = CostBudget(
        budget_id("2026", "materials"), "2026", "materials", Money("100", "CNY"), GM.ref, START
    )
    approval = OverrunApproval(Money("5", "EUR"), "超支", MANAGER.ref, START)
    with pytest.raises(CurrencyMismatch) as refused:
        budget.approve_overrun(approval)
    assert refused.value.field == "amount"
    assert budget.overruns == []
