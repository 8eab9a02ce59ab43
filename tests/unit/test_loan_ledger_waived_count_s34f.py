"""Seed 002 退料 1/4 with 其他 3: a waived charge is excused in a count; only a chargeback is waived.

退料 1: 若在规定时间内未退料，则视用户对该材料为事实占有，需收取相关费用; 4: 每月…盘点 (the count charges
what is short past its deadline and reports as pending what is short on lines not yet due); 其他 3:
相关费用及时与用户协商解决 (the office may waive a chargeback). Before session 34 (f) a count listed a part
whose charge was waived as *pending* — as if a deadline were still to come and the overdue job would charge
it — and ``waive_chargeback`` took back a material charged on an accepted quote (a sale, no kept loan),
putting the part back out on loan.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.loan_ledger import EntryKind, LoanLedger
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import ValidationError

from .factories import at

CLERK = ActorRef("clerk", Role.AGENT)
JOB = ActorRef("job", Role.SYSTEM)
PARTY = PartyRef.dealer("D1")
PART = "fill_valve"
DUE = at(1) + timedelta(days=30)


def _price(part: str) -> Money:
    return Money("35", "CNY")


def _ledger() -> LoanLedger:
    """Two valves on loan on MR-1 (due ``DUE``) and one on MR-2, due a month later."""
    ledger = LoanLedger.for_party(PARTY)
    ledger.issue("MR-1", [MaterialsLine(PART, 2)], chargeable=False, at=at(1), by=CLERK, due_at=DUE)
    later = DUE + timedelta(days=30)
    ledger.issue("MR-2", [MaterialsLine(PART, 1)], chargeable=False, at=at(2), by=CLERK, due_at=later)
    return ledger


def test_a_waived_short_part_is_excused_in_a_count_not_pending() -> None:
    ledger = _ledger()
    (charge,) = ledger.chargeback_overdue(DUE + timedelta(hours=1), JOB, _price)
    assert charge.quantity == 2
    ledger.waive_chargeback(charge.key, DUE + timedelta(hours=2), CLERK)
    # Nothing in stock: the two waived valves and the one of MR-2 (not yet due) are short.
    result = ledger.reconcile({PART: 0}, reference="C-1", at=DUE + timedelta(days=1), by=CLERK, price=_price)
    (line,) = result.lines
    assert (line.on_loan, line.shortage, line.waived, line.pending) == (3, 3, 2, 1)
    assert dict(result.waived) == {PART: 2} and dict(result.pending) == {PART: 1}
    assert result.bookings == () and result.chargebacks == ()  # the waived ones are not charged again


def test_a_count_charges_the_overdue_first_then_excuses_the_waived() -> None:
    ledger = _ledger()
    (charge,) = ledger.chargeback_overdue(DUE + timedelta(hours=1), JOB, _price)
    ledger.waive_chargeback(charge.key, DUE + timedelta(hours=2), CLERK)
    # Past MR-2's deadline too: its valve is charged by the count, the waived two excused, none pending.
    when = DUE + timedelta(days=31)
    result = ledger.reconcile({PART: 0}, reference="C-2", at=when, by=CLERK, price=_price)
    (line,) = result.lines
    assert (line.shortage, line.waived, line.pending) == (3, 2, 0)
    assert [c.quantity for c in result.chargebacks] == [1]
    assert result.chargebacks[0].issue_key == f"issue:MR-2:{PART}"


def test_a_part_counted_is_not_excused_twice() -> None:
    ledger = _ledger()
    (charge,) = ledger.chargeback_overdue(DUE + timedelta(hours=1), JOB, _price)
    ledger.waive_chargeback(charge.key, DUE + timedelta(hours=2), CLERK)
    # Two valves on the shelf: one short, excused by the waiver (the count cannot tell which is missing).
    result = ledger.reconcile({PART: 2}, reference="C-3", at=DUE + timedelta(days=1), by=CLERK, price=_price)
    (line,) = result.lines
    assert (line.shortage, line.waived, line.pending) == (1, 1, 0)


def test_a_quote_charge_is_not_waived_as_a_chargeback() -> None:
    ledger = _ledger()
    (sold,) = ledger.charge_on_quote("MR-1", {PART: 1}, "Q-1", at=at(3), by=CLERK)
    entries, chargebacks = list(ledger.entries), list(ledger.chargebacks)
    with pytest.raises(ValidationError) as refused:
        ledger.waive_chargeback(sold.key, at(4), CLERK)
    assert refused.value.field == "charge_key"
    # Nothing changed: the valve sold stays charged, nothing is out again.
    assert ledger.entries == entries and ledger.chargebacks == chargebacks
    assert ledger.outstanding_on(f"issue:MR-1:{PART}") == 1
    assert not any(e.kind is EntryKind.WAIVED for e in ledger.entries)
