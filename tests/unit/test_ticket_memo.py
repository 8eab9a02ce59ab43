from __future__ import annotations

from aftersales.adapters.ticket_memo import TicketMemo
from aftersales.serialization import dumps, unstructure

from .factories import AGENT, at, new_ticket


def test_a_kept_ticket_is_recalled_only_for_its_exact_text() -> None:
    memo = TicketMemo(limit=10)
    ticket = new_ticket("T-1")
    text = dumps(ticket)
    memo.remember("T-1", text, ticket)
    recalled = memo.recall("T-1", text)
    assert recalled is not None and recalled is not ticket
    assert unstructure(recalled) == unstructure(ticket)
    assert memo.recall("T-1", text.replace("T-1", "T-9")) is None  # another text: parse it instead
    assert memo.recall("T-2", text) is None


def test_recalled_copies_do_not_change_what_is_kept() -> None:
    memo = TicketMemo(limit=10)
    ticket = new_ticket("T-1")
    text = dumps(ticket)
    memo.remember("T-1", text, ticket)
    ticket.cancel(AGENT, at(2, 10), "changed after it was kept")
    first = memo.recall("T-1", text)
    assert first is not None and first.state == "new"
    first.cancel(AGENT, at(2, 10), "changed after it was recalled")
    second = memo.recall("T-1", text)
    assert second is not None and second.state == "new" and len(second.events) == 1


def test_a_full_memo_starts_again_and_zero_keeps_nothing() -> None:
    memo = TicketMemo(limit=2)
    for n in range(3):
        ticket = new_ticket(f"T-{n}")
        memo.remember(ticket.id, dumps(ticket), ticket)
    assert len(memo) == 1
    off = TicketMemo(limit=0)
    ticket = new_ticket("T-1")
    off.remember("T-1", dumps(ticket), ticket)
    assert len(off) == 0 and off.recall("T-1", dumps(ticket)) is None
