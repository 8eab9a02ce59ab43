"""The loan ledger: exclusions, returns, idempotent chargebacks, overdue list, reconciliation, invariants."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.loan_ledger import EntryKind, LedgerEntry, LoanLedger, exclusion_reason
from aftersales.domain.materials import ItemKind, MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import DuplicateError, NotFound, PolicyError, ValidationError
from aftersales.serialization import dumps, loads

from .factories import at

CLERK = ActorRef("clerk", Role.AGENT)
JOB = ActorRef("job", Role.SYSTEM)
PARTY = PartyRef.dealer("D1")
PRICES = {
    "fill_valve": Money("35", "CNY"),
    "seat_hinge": Money("12.5", "CNY"),
    "flush_button": Money("8", "CNY"),
}


def price(part: str) -> Money:
    return PRICES[part]


def ledger_with(*lines: MaterialsLine, request: str = "MR-1", chargeable: bool = False) -> LoanLedger:
    ledger = LoanLedger.for_party(PARTY)
    ledger.issue(request, lines, chargeable=chargeable, at=at(1), by=CLERK, due_at=at(1) + timedelta(days=30))
    return ledger


def test_excluded_kinds_never_appear() -> None:
    lines = (
        MaterialsLine("fill_valve", 2),
        MaterialsLine("tea_cup", 1, ItemKind.GIFT),
        MaterialsLine("pen", 3, ItemKind.OFFICE_SUPPLY),
        MaterialsLine("catalogue", 5, ItemKind.BROCHURE),
        MaterialsLine("seat_hinge", 1, special_approval="SA-2026-7"),
    )
    ledger = LoanLedger.for_party(PARTY)
    entries, skipped = ledger.issue(
        "MR-1", lines, chargeable=False, at=at(1), by=CLERK, due_at=at(1) + timedelta(days=30)
    )
    assert [e.part for e in entries] == ["fill_valve"]
    assert [r.code for r in skipped] == [
        "excluded_gift", "excluded_office_supply", "excluded_brochure", "excluded_special_approval",
    ]  # fmt: skip
    assert ledger.balance() == {"fill_valve": 2}
    charged, why = ledger_with(MaterialsLine("fill_valve", 2), chargeable=True).balance(), None
    assert charged == {}
    why = exclusion_reason(MaterialsLine("fill_valve", 1), chargeable=True)
    assert why == "excluded_already_charged"


def test_return_books_once_and_never_beyond_what_is_out() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 2))
    ledger.record_return("RT-1", "MR-1", "fill_valve", 1, at(5), CLERK)
    assert ledger.balance_of("fill_valve") == 1
    with pytest.raises(DuplicateError):
        ledger.record_return("RT-1", "MR-1", "fill_valve", 1, at(6), CLERK)
    with pytest.raises(PolicyError) as too_many:
        ledger.record_return("RT-2", "MR-1", "fill_valve", 2, at(6), CLERK)
    assert too_many.value.code == "exceeds_outstanding"
    with pytest.raises(NotFound):
        ledger.record_return("RT-3", "MR-1", "seat_hinge", 1, at(6), CLERK)
    assert (ledger.issued, ledger.returned, ledger.charged) == (2, 1, 0)


def test_overdue_chargeback_once_even_when_run_twice() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 2), MaterialsLine("seat_hinge", 1))
    ledger.record_return("RT-1", "MR-1", "seat_hinge", 1, at(10), CLERK)
    assert ledger.overdue(at(30)) == []  # due 31 March 09:00
    overdue = ledger.overdue(at(31, 10))
    assert [(o.part, o.outstanding) for o in overdue] == [("fill_valve", 2)]
    first = ledger.chargeback_overdue(at(31, 10), JOB, price)
    assert len(first) == 1
    assert first[0].line.amount == Money("70", "CNY") and first[0].reasons[0].code == "part_not_returned"
    assert ledger.chargeback_overdue(at(31, 11), JOB, price) == ()
    assert ledger.charged == 2 and ledger.balance() == {} and ledger.overdue(at(31, 12)) == []
    assert len(ledger.chargebacks) == 1


def test_chargeback_with_unknown_price_changes_nothing() -> None:
    ledger = ledger_with(MaterialsLine("drain_plug", 1))
    before = dumps(ledger)
    with pytest.raises(KeyError):
        ledger.chargeback_overdue(at(31, 10), JOB, price)
    assert dumps(ledger) == before


def test_reconciliation_surplus_for_review_shortage_charged_after_the_deadline() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 3), MaterialsLine("seat_hinge", 1))  # due 31 March
    ledger.issue(
        "MR-2", [MaterialsLine("fill_valve", 2)], chargeable=False, at=at(2), by=CLERK, due_at=at(20)
    )
    counted = {"fill_valve": 1, "seat_hinge": 1, "flush_button": 2}
    early = ledger.reconcile(counted, reference="C-1", at=at(15), by=CLERK, price=price)
    assert dict(early.shortage) == {"fill_valve": 4}
    assert dict(early.pending) == {"fill_valve": 4} and early.chargebacks == ()  # nothing due yet
    assert dict(early.surplus) == {"flush_button": 2}
    assert ledger.balance_of("fill_valve") == 5  # nothing booked yet
    ledger.settle(early)
    # the surplus is for review: not lent, charged to no one
    assert ledger.balance() == {"fill_valve": 5, "seat_hinge": 1}
    assert [(s.part, s.quantity, s.source) for s in ledger.surplus] == [("flush_button", 2, "reconciliation")]
    with pytest.raises(DuplicateError):
        ledger.settle(early)
    late = ledger.reconcile(counted, reference="C-2", at=at(25), by=CLERK, price=price)
    assert not late.surplus  # already under review
    # MR-2 is past its deadline (20 March): its 2 are charged; MR-1's are not due until 31 March
    assert [(c.issue_key, c.quantity) for c in late.chargebacks] == [("issue:MR-2:fill_valve", 2)]
    assert dict(late.pending) == {"fill_valve": 2}
    ledger.settle(late)
    assert ledger.balance() == {"fill_valve": 3, "seat_hinge": 1}
    with pytest.raises(ValidationError):
        ledger.reconcile({"fill_valve": -1}, reference="C-3", at=at(16), by=CLERK, price=price)


def test_a_return_never_lent_is_surplus_for_review() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 1))
    entry, extra = ledger.receive_return("RT-1", "MR-1", "fill_valve", 3, at(5), CLERK)
    assert entry is not None and entry.quantity == 1
    assert extra is not None and extra.quantity == 2 and extra.reasons[0].code == "return_beyond_outstanding"
    entry, extra = ledger.receive_return("RT-2", "MR-9", "WN-CB-01", 1, at(6), CLERK)
    assert entry is None and extra is not None and extra.reasons[0].code == "return_never_lent"
    assert ledger.balance() == {} and ledger.charged == 0
    with pytest.raises(DuplicateError):
        ledger.receive_return("RT-2", "MR-9", "WN-CB-01", 1, at(6), CLERK)


def test_ledger_round_trips_with_its_running_figures() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 2))
    ledger.record_return("RT-1", "MR-1", "fill_valve", 1, at(5), CLERK)
    again = loads(dumps(ledger), LoanLedger)
    assert again.balance() == ledger.balance() and again.has("return:RT-1")
    assert "_balance" not in dumps(ledger)
    with pytest.raises(ValidationError):
        LedgerEntry("k", EntryKind.RETURNED, "fill_valve", 1, at(1), CLERK, "return")  # settles no issue


PARTS = ("fill_valve", "seat_hinge", "flush_button")
operation = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(PARTS), st.integers(1, 5), st.integers(1, 40)),
    st.tuples(st.just("return"), st.sampled_from(PARTS), st.integers(1, 5), st.integers(0, 30)),
    st.tuples(st.just("chargeback"), st.integers(1, 60)),
    st.tuples(st.just("count"), st.dictionaries(st.sampled_from(PARTS), st.integers(0, 8))),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(operation, max_size=30))
def test_balance_is_issued_minus_returned_minus_charged(ops: list[tuple[Any, ...]]) -> None:
    ledger = LoanLedger.for_party(PARTY)
    start = at(1)
    for n, op in enumerate(ops):
        now = start + timedelta(hours=n)
        try:
            if op[0] == "issue":
                _, part, qty, days = op
                ledger.issue(f"MR-{n}", [MaterialsLine(part, qty)], chargeable=False, at=now, by=CLERK,
                             due_at=now + timedelta(days=days))  # fmt: skip
            elif op[0] == "return":
                _, part, qty, which = op
                request = f"MR-{which}"
                ledger.record_return(f"RT-{n}", request, part, qty, now, CLERK)
            elif op[0] == "chargeback":
                ledger.chargeback_overdue(start + timedelta(days=op[1]), JOB, price)
            else:
                counted = op[1]
                result = ledger.reconcile(counted, reference=f"C-{n}", at=now, by=CLERK, price=price)
                ledger.settle(result)
                for part in PARTS:
                    held, balance = counted.get(part, 0), ledger.balance_of(part)
                    assert balance + ledger.in_review(part) >= held  # surplus is under review
                    assert balance <= held + result.pending.get(part, 0)  # shortage charged or pending
        except (NotFound, PolicyError):
            pass  # refused operations change nothing; the invariant below still holds
        totals = dict.fromkeys(PARTS, 0)
        for entry in ledger.entries:
            sign = 1 if entry.kind is EntryKind.ISSUED else -1
            totals[entry.part] += sign * entry.quantity
        assert {p: q for p, q in totals.items() if q} == ledger.balance()
        assert ledger.outstanding == ledger.issued - ledger.returned - ledger.charged
        assert all(q > 0 for q in ledger.balance().values())
    assert loads(dumps(ledger), LoanLedger).balance() == ledger.balance()


def test_due_soon_lists_parts_still_out_near_their_deadline_once_and_survives_a_round_trip() -> None:
    ledger = ledger_with(MaterialsLine("fill_valve", 2), MaterialsLine("seal", 1))
    deadline = at(1) + timedelta(days=30)
    window = timedelta(days=3)
    assert ledger.due_soon(deadline - timedelta(days=4), window) == []  # too early
    assert ledger.due_soon(deadline, window) == []  # due: the chargeback's, not a reminder's
    ledger.record_return("R-1", "MR-1", "seal", 1, at(5), CLERK)  # back: nothing to urge
    ledger.record_return("R-2", "MR-1", "fill_valve", 1, at(5), CLERK)  # one of two still out
    (item,) = ledger.due_soon(deadline - timedelta(days=2), window)
    assert (item.part, item.outstanding, item.due_at) == ("fill_valve", 1, deadline)
    ledger.mark_reminded([item.issue_key, item.issue_key, "issue:MR-9:nothing"])
    assert ledger.reminded == [item.issue_key]  # once, and only lines of this ledger
    back = loads(dumps(ledger), LoanLedger)
    assert back.reminded == [item.issue_key]
    assert back.due_soon(deadline - timedelta(days=1), window) == []


def test_redating_moves_only_lines_still_out_later_and_they_are_reminded_again() -> None:
    # Seed 002 分工 3: the old part is owed from the repair; a repair after the receipt moves the deadline.
    ledger = ledger_with(MaterialsLine("fill_valve", 1), MaterialsLine("seal", 1))
    ledger.issue(
        "MR-2", [MaterialsLine("fill_valve", 1)], chargeable=False, at=at(1), by=CLERK, due_at=at(31)
    )
    deadline = at(1) + timedelta(days=30)
    ledger.record_return("R-1", "MR-1", "seal", 1, at(5), CLERK)  # back already: nothing to move
    (item,) = [
        i for i in ledger.due_soon(deadline - timedelta(days=2), timedelta(days=3)) if i.request_id == "MR-1"
    ]
    ledger.mark_reminded([item.issue_key])
    assert ledger.redate("MR-1", deadline - timedelta(days=1)) == ()  # never earlier
    later = deadline + timedelta(days=17)
    assert ledger.redate("MR-1", later) == ("issue:MR-1:fill_valve",)
    assert ledger.reminded == []  # reminded of again before the new deadline
    assert [(o.request_id, o.part) for o in ledger.overdue(deadline + timedelta(days=1))] == [
        ("MR-2", "fill_valve")
    ]
    back = loads(dumps(ledger), LoanLedger)
    assert back.open_issue("MR-1", "fill_valve").due_at == later
    assert back.open_issue("MR-1", "seal").due_at == deadline
