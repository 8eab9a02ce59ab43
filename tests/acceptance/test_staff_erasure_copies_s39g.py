# mypy: disable-error-code="arg-type"
"""A departed engineer's erasure reaches the desk's copies of their name and phone (session 39 g).

Issue 25 (PIPL art. 47) and session 30 h's staff erasure: the engineer record read ``[erased]``, yet
their phone stayed in the notices addressed to them and quoting them ("已派给 赵大勇 处理"), in an agent's
note on a ticket since given to someone else ("赵大勇（139…）下午两点上门"), in a reassignment's reason and
in the search index: a search by their phone still found the ticket. Decided: who did what stays (the
ids of the assignee and of each step's actor: the company's work record, its KPIs); every other
occurrence of their name and contact reads ``[erased]``, the rest of the text kept. Memory, SQLite and
PostgreSQL; on SQLite not a byte of either is left in the file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_peer_embedding_s38r import Story
from test_peer_embedding_s38r import (
    test_an_engineers_own_export_holds_the_kept_part_charge_they_paid_and_its_refund as kept_part_charge_flow,
)
from test_seed002_money import story
from test_staff_erasure_s30h import BACKENDS, DPO, MANAGER, PHONE, _desk, _kept

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.serialization import encode_json
from aftersales.service.actors import Actor

NAME = "赵大勇"

__all__ = ["story"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_erasure_reaches_tickets_search_and_messages_naming_the_engineer(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        tid = _kept(desk)
        agent = Actor.agent("a1")
        # A customer of the same name: another person, whose ticket keeps its words.
        desk.register_customer(MANAGER, Customer(CustomerId("c2"), NAME, Contact(NAME, phone="13800000001")))
        namesake = desk.open_ticket(agent, customer_id="c2", description=f"{NAME}的展位断电").ticket.id
        desk.note_to_customer(agent, tid, text=f"{NAME}（{PHONE}）下午两点上门")
        desk.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
        desk.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
        desk.dispatch(agent, tid, engineer_id="e2", reason=f"{NAME}离职")
        assert desk.search(MANAGER, PHONE).items  # the note is found by the engineer's phone

        desk.staff_records.erase_staff(DPO, "e1", "left the company")

        assert desk.search(MANAGER, PHONE).items == ()
        assert [t.id for t in desk.search(MANAGER, NAME).items] == [namesake]
        assert desk.ticket(MANAGER, namesake).description == f"{NAME}的展位断电"
        ticket = desk.ticket(MANAGER, tid)
        text = ticket.to_json()
        assert NAME not in text and PHONE not in text and "下午两点上门" in text  # the rest of the note kept
        assert [e.payload["assignee"]["id"] for e in ticket.events if e.action == "assign"] == ["e1"]
        with desk.store() as uow:
            messages = encode_json(list(uow.outbox.pending(1000)))
        assert "e1" in messages and NAME not in messages and PHONE not in messages
        if backend == "sqlite":  # nor a byte in the file (the search index's old segments merged)
            raw = b"".join(p.read_bytes() for p in tmp_path.glob("staff-erasure.db*") if p.is_file())
            assert PHONE.encode() not in raw


def test_the_erasure_reaches_the_kept_part_charge_and_the_ticket_taken_from_them(story: Story) -> None:
    """The story of session 38 r (seed 002 退料 1, 5): 李工 kept a lent part past its deadline, paid the
    charge, was paid back ("退还李工"); the ticket was given to another engineer when he left. Found through
    his loan ledger: the ticket (its assign step, the reason) and the slips he paid as payer."""
    desk, clock, world = story
    kept_part_charge_flow(story)
    eng = world.eng_junior
    (ticket,) = desk.ledger(world.manager).items
    desk.dispatch(world.manager, ticket.id, engineer_id=world.eng_senior.id, reason=f"{eng.name}离职")
    desk.master_data.deactivate_engineer(world.manager, eng.id, reason="离职")
    desk.staff_records.record_departure(world.manager, eng.id, clock.now().date())

    desk.staff_records.erase_staff(DPO, eng.id, "left the company")

    slips = desk.fees.slips_of(world.manager, ticket.id)
    texts = [desk.ticket(world.manager, ticket.id).to_json(), encode_json(slips)]
    with desk.store() as uow:
        texts.append(encode_json(list(uow.outbox.pending(1000))))
    assert [t for t in texts if eng.name in t] == []
    assert [s.payer_id for s in slips] == [eng.id, eng.id]  # who paid, and the money, stay
    assert "75.00" in texts[1]
