"""Notifications delivered in the order they were made, though made at one instant (session 37 m).

An outbox id began with the instant, then a digest of the key: the messages of one instant (a host's
tests on a frozen clock, a command that opens and dispatches at once) went out in the digests' order,
so a customer could hear "已派工" before "已受理".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.instants import micros
from aftersales.ports.notifier import NOTIFICATION_TOPIC
from conftest import START, noticed_desk

BACKENDS = ("memory", "sqlite", "postgres")


@pytest.mark.parametrize("backend", BACKENDS)
def test_notices_of_one_instant_go_out_in_the_order_they_were_made(backend: str, tmp_path: Path) -> None:
    # An earlier test's desk made ids for keys of this one (the same ticket numbers, the same frozen
    # instant): each desk remembers its own since session 39, so nothing is reset here (see below).
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world, notifier):
        tickets: list[str] = []
        for n in range(3):  # the clock never moves: every step at one instant
            tid = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description=f"马桶漏水{n}"
            ).ticket.id
            tickets.append(tid)
            desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
        with desk.store() as uow:  # a message stored before, with an id of the old form (33 characters)
            made_before = next(m for m in uow.outbox.pending(1000) if m.topic == NOTIFICATION_TOPIC)
            key = "made-before:1"
            old_id = f"{micros(START):013x}" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()[:20]
            payload = {**made_before.payload, "idempotency_key": key}
            uow.outbox.put([attrs.evolve(made_before, id=old_id, idempotency_key=key, payload=payload)])
            uow.commit()
        desk.deliver()
        made = [
            (tickets.index(tid), int(seq))
            for tid, seq, *_ in (m.idempotency_key.split(":") for m in notifier.sent)
            if tid != "made-before"
        ]
        assert key in {m.idempotency_key for m in notifier.sent}  # the old id read and went out
        assert made == sorted(made) and len(made) >= 6
        # The customer of the first ticket: received, then told who handles it.
        first = [
            m.idempotency_key.split(":")[2]
            for m in notifier.sent
            if m.idempotency_key.startswith(f"{tickets[0]}:")
        ]
        assert first.index("ticket_received") < first.index("ticket_assigned")


def test_two_desks_of_one_process_on_two_stores_keep_each_their_own_order(tmp_path: Path) -> None:
    """Session 39: the ids made lately were remembered per process by (instant, key), so a desk on
    another store making a key the first had made at that instant took the first desk's (earlier) place:
    the second store sent its ticket's "assigned" notice before its "received" one. Each desk remembers
    its own (a frozen clock is a host's test; two stores in one process, a host's tenants)."""
    for pack_customer, tmp in (("cust_zh", tmp_path / "a"), ("cust_en", tmp_path / "b")):
        tmp.mkdir()
        with noticed_desk("memory", tmp, "sanitary_ware") as (desk, _clock, world, notifier):
            customer = getattr(world, pack_customer)  # the second desk's customer differs, its dealer not
            tid = desk.open_ticket(world.agent, customer_id=customer.id, description="马桶漏水").ticket.id
            desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
            desk.deliver()
            made = [int(m.idempotency_key.split(":")[1]) for m in notifier.sent]
            assert made == sorted(made) and len(made) >= 3, pack_customer
