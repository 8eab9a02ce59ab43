"""Session 35 (issue 21): the memory store keeps an outbox message as its JSON and a tuple of the instants
a selection reads, not as the message: the objects a kept message left for the garbage collector to walk
(the message, its payload's dicts and lists) were a third of what a dispatch left behind."""

from __future__ import annotations

import gc
import weakref
from datetime import timedelta

from aftersales.adapters.memory import MemoryStore
from aftersales.ports.outbox import OutboxMessage
from aftersales.testing.outbox_contract import LEASE, T0


def _message(n: int) -> OutboxMessage:
    payload = {
        "action": "assign",
        "data": {"reasons": [{"code": "dispatch_manual", "params": {"by": "agent"}}]},
    }
    return OutboxMessage(f"M{n}", "ticket.event", payload, f"key-{n}", T0 + timedelta(seconds=n))


def test_a_stored_message_leaves_no_message_object_behind() -> None:
    store = MemoryStore()
    messages = [_message(n) for n in range(20)]
    put = [weakref.ref(m) for m in messages]
    with store() as uow:
        uow.outbox.put(messages)
        uow.commit()
    del messages
    gc.collect()
    assert [ref() for ref in put] == [None] * 20  # the store keeps none of the messages it was given
    with store() as uow:  # and everything a deliverer asks for is still there, in order
        assert [m.id for m in uow.outbox.pending()] == [f"M{n}" for n in range(20)]
        assert uow.outbox.pending()[3] == _message(3)
        taken = uow.outbox.claim("d", T0 + timedelta(seconds=5), LEASE, limit=10)
        uow.outbox.mark_sent([m.id for m in taken], T0 + timedelta(minutes=1))
        uow.commit()
    assert [m.id for m in taken] == [f"M{n}" for n in range(6)]  # due by then, in due order
    with store() as uow:
        assert uow.outbox.purge_sent(T0 + timedelta(minutes=2)) == 6
        uow.commit()
    with store() as uow:
        assert [m.id for m in uow.outbox.pending()][:2] == ["M6", "M7"]
