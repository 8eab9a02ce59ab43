"""Reads of personal data the access log still missed (PIPL art. 45; session 23, task h).

- ``callbacks.pending`` (and ``overdue``, which reads it) lists whom to call about which ticket and
  why (a VIP, a complaint): read without a record in the access log. Logged now (``callbacks_pending``).
- ``contracts.get`` and ``contracts.of_customer`` show a customer's contract: what they bought, for
  which of their units, at what price. Logged now (``service_contract``, ``service_contracts``).

Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hostile import AGENT, AUDITOR, MANAGER, STORES, Opened, opened, seed
from test_privacy import CUSTOMER, ENGINEER

from aftersales import Money
from aftersales.domain.service_contracts import ServiceContract


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _log(store: Opened) -> list[tuple[str, str]]:
    return [(r.actor, r.what) for r in store.desk.privacy.access_log(AUDITOR, customer_id="c-1")]


def test_the_pending_callbacks_are_a_logged_read(store: Opened) -> None:
    desk, clock = store.desk, store.clock
    tid = seed(desk, clock)
    desk.dispatch(MANAGER, tid, engineer_id="e-1")
    desk.start_work(ENGINEER, tid)
    desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="seal_worn", action="replace_seal")
    desk.resolve(ENGINEER, tid, summary="换了密封圈")
    desk.confirm(CUSTOMER, tid)  # schedules the callback (the pack's policy)
    before = _log(store)
    clock.advance(timedelta(minutes=1))
    [task] = desk.callbacks.pending(AGENT)
    assert task.customer_id == "c-1"
    assert _log(store) == [*before, ("agent:agent-1", "callbacks_pending")]
    clock.advance(timedelta(days=30))
    assert [t.id for t in desk.callbacks.overdue(MANAGER)] == [task.id]
    assert _log(store)[-1] == ("manager:mgr-1", "callbacks_pending")


def test_a_customers_contracts_are_a_logged_read(store: Opened) -> None:
    desk, clock = store.desk, store.clock
    seed(desk, clock)
    contract = ServiceContract(
        id="HT-1", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("1200.00", "CNY"),
        customer_id="c-1", assets=("a-1",),
    )  # fmt: skip
    desk.contracts.sign(MANAGER, contract)
    before = _log(store)
    clock.advance(timedelta(minutes=1))
    assert desk.contracts.get(MANAGER, "HT-1").price == Money("1200.00", "CNY")
    clock.advance(timedelta(minutes=1))
    assert [c.id for c in desk.contracts.of_customer(MANAGER, "c-1")] == ["HT-1"]
    assert _log(store) == [
        *before,
        ("manager:mgr-1", "service_contract"),
        ("manager:mgr-1", "service_contracts"),
    ]
