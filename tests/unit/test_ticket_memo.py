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


def test_a_full_memo_forgets_the_least_recently_used_and_zero_keeps_nothing() -> None:
    memo = TicketMemo(limit=2)
    texts = {}
    for n in range(2):
        ticket = new_ticket(f"T-{n}")
        texts[ticket.id] = dumps(ticket)
        memo.remember(ticket.id, texts[ticket.id], ticket)
    assert memo.recall("T-0", texts["T-0"]) is not None  # T-0 is now the most recently used
    third = new_ticket("T-2")
    memo.remember("T-2", dumps(third), third)
    assert len(memo) == 2
    assert memo.recall("T-1", texts["T-1"]) is None  # the least recently used went
    assert memo.recall("T-0", texts["T-0"]) is not None
    assert memo.recall("T-2", dumps(third)) is not None
    off = TicketMemo(limit=0)
    ticket = new_ticket("T-1")
    off.remember("T-1", dumps(ticket), ticket)
    assert len(off) == 0 and off.recall("T-1", dumps(ticket)) is None


def test_a_memo_over_many_live_tickets_keeps_the_hot_ones() -> None:
    memo = TicketMemo(limit=100)
    hot = [new_ticket(f"H-{n}") for n in range(10)]
    for ticket in hot:
        memo.remember(ticket.id, dumps(ticket), ticket)
    for n in range(300):  # a stream of other tickets, with the hot ones read in between
        cold = new_ticket(f"C-{n}")
        memo.remember(cold.id, dumps(cold), cold)
        if n % 20 == 0:
            for ticket in hot:
                assert memo.recall(ticket.id, dumps(ticket)) is not None
    assert len(memo) == 100
