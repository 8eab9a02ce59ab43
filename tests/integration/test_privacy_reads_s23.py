"""What a data subject's export and the access log of personal data missed (PIPL art. 45; session 23).

- The access log named reads through archives, complaint logs and files, a customer's master-data
  history and exports only. The callbacks made on a ticket (the customer's answers and words), a
  campaign's survey tasks (the call list, the answers and comments), maintenance plans and visits (whose
  units, the visit notes), the month's feedback (the customers' comments at their callbacks) and a
  unit's master-data history (its owners, a transfer's reason naming the one who sold it on) were read
  without a trace. Each is logged now, through the one read path (``record_access``).
- The export (``export_customer``) held the customer record's changes but not those of their units
  (the erasure scrubs both: a transfer's reason names the old owner), nor the warranty extensions their
  complaints granted (a record of its own, by unit, which warranty decisions read). It holds both now —
  a unit's changes only while it named them, not the history of a unit before it was theirs or after
  it was sold on (another person's).

Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hostile import AGENT, AUDITOR, MANAGER, NAME, STORES, Opened, opened, seed
from test_privacy import OFFICER, history, maintained

from aftersales import Actor, Money, RemedyKind
from aftersales.domain.contact import Contact
from aftersales.domain.erasure import WITHHELD
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _reads(store: Opened) -> list[str]:
    return [r.what for r in store.desk.privacy.access_log(AUDITOR, customer_id="c-1")]


def test_callback_records_and_the_months_comments_are_logged_reads(store: Opened) -> None:
    tid = history(store)
    store.clock.advance(timedelta(minutes=1))
    [record] = store.desk.callbacks.records(MANAGER, tid)
    assert NAME in record.comment
    assert _reads(store)[-1] == "callback_records"
    store.clock.advance(timedelta(minutes=1))
    facts = store.desk.feedback.facts(MANAGER, "2026-03")
    assert any(NAME in line.comment for line in facts.opinions)
    assert _reads(store)[-1] == "monthly_feedback"
    log = store.desk.privacy.access_log(AUDITOR, customer_id="c-1")
    assert [(r.actor, r.what) for r in log[-2:]] == [
        ("manager:mgr-1", "callback_records"),
        ("manager:mgr-1", "monthly_feedback"),
    ]


def test_survey_tasks_and_maintenance_reads_are_logged(store: Opened) -> None:
    visit_id = maintained(store)  # it lists the campaign's tasks once, as the agent's call list
    assert "survey_tasks" in _reads(store)
    store.clock.advance(timedelta(minutes=1))
    store.desk.maintenance.visit(MANAGER, visit_id)
    assert _reads(store)[-1] == "maintenance_visit"
    store.clock.advance(timedelta(minutes=1))
    assert store.desk.maintenance.visits(MANAGER)
    assert _reads(store)[-1] == "maintenance_visits"
    store.clock.advance(timedelta(minutes=1))
    assert store.desk.maintenance.plans(MANAGER, customer_id="c-1")
    assert _reads(store)[-1] == "maintenance_plans"


def _sold_on(store: Opened) -> None:
    """c-1's unit a-1 sold to c-2, the transfer's reason naming c-1."""
    store.desk.register_customer(
        MANAGER,
        Customer(CustomerId("c-2"), "邻居", Contact("邻居", phone="13800001111"), CustomerTier.REGULAR,
                 region="SH"),
    )  # fmt: skip
    store.clock.advance(timedelta(minutes=1))
    store.desk.transfer_asset(MANAGER, "a-1", customer_id="c-2", reason=f"{NAME}卖给了邻居")
    store.clock.advance(timedelta(minutes=1))
    store.desk.transfer_asset(MANAGER, "a-1", customer_id="c-2", reason="再次确认")


def test_a_units_history_is_a_logged_read_of_its_owners(store: Opened) -> None:
    history(store)
    _sold_on(store)
    store.clock.advance(timedelta(minutes=1))
    assert store.desk.master_data_history(MANAGER, "asset", "a-1")
    assert _reads(store)[-1] == "master_data_history"
    second = store.desk.privacy.access_log(AUDITOR, customer_id="c-2")
    assert [r.what for r in second] == ["master_data_history"]


def test_the_export_holds_the_units_changes_while_they_were_theirs(store: Opened) -> None:
    history(store)
    _sold_on(store)
    exported = json.loads(store.desk.privacy.export_customer(OFFICER, "c-1"))["data"]
    changes = [(c["command"], c["reason"]) for c in exported["unit_changes"]]
    # Its registration to them and the transfer away; not the new owner's later change.
    # The buyer (named 邻居) reads [withheld] in the seller's copy (session 24).
    assert changes == [("register_asset", None), ("transfer_asset", f"{NAME}卖给了{WITHHELD}")]
    own = json.loads(store.desk.privacy.export_customer(Actor.customer("c-1"), "c-1"))["data"]
    assert [c["command"] for c in own["unit_changes"]] == ["register_asset", "transfer_asset"]
    theirs = json.loads(store.desk.privacy.export_customer(Actor.customer("c-2"), "c-2"))["data"]
    assert [c["reason"] for c in theirs["unit_changes"]] == [f"{WITHHELD}卖给了邻居", "再次确认"]


def test_the_export_holds_the_warranty_extensions_their_complaints_granted(store: Opened) -> None:
    seed(store.desk, store.clock)
    complaints = store.desk.complaints
    cid = complaints.open_complaint(AGENT, "c-1", "马桶漏水三天没人管", asset_id="a-1").ticket.id
    complaints.investigate(MANAGER, cid)
    complaints.propose_solution(MANAGER, cid, solution="更换进水阀")
    complaints.grant_remedy(
        MANAGER, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money(Decimal("20"), "CNY"), extend_by=6,
        note=f"{NAME} 家里老人行动不便",
    )  # fmt: skip
    for reader in (OFFICER, Actor.customer("c-1")):
        exported = json.loads(store.desk.privacy.export_customer(reader, "c-1"))["data"]
        [granted] = exported["granted_warranty_extension"]
        assert (granted["complaint_id"], granted["asset_id"]) == (cid, "a-1")
        assert granted["extension"]["amount"] == 6 and NAME in granted["extension"]["note"]
