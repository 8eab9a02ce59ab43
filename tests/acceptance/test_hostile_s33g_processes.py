"""Hostile round, session 33 g: an erasure in one process while another process's desk holds the person in
its memos, on one SQLite file and one PostgreSQL schema. This attack passed; it is kept so it stays passing.

The other process (``hostile_s33g_child.py``) has searched the person by name and phone, read their ticket,
its progress as the customer sees it, their archive, the ledger and the export — every memo it keeps warm.
After the erasure commits in this process, nothing it answers quotes the person, a new call for them is
refused (``CustomerErased``) and so is their id (``ErasedIdReused``). PIPL erasure means gone in every
process, not only in the one that erased (docs/concepts/personal-data.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

CHILD = Path(__file__).with_name("hostile_s33g_child.py")
PERSON = ("张伟", "13912345678", "明天在家")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_erasure_reaches_the_memos_of_another_process(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        tid = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="复印机卡纸，张伟 13912345678"
        ).ticket.id
        desk.note_to_customer(world.agent, tid, text="张伟说明天在家", visible=True)
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        child = subprocess.Popen(
            [sys.executable, str(CHILD), url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert child.stdin is not None and child.stdout is not None

        def ask(line: str) -> object:
            child.stdin.write(line + "\n")  # type: ignore[union-attr]
            child.stdin.flush()  # type: ignore[union-attr]
            return json.loads(child.stdout.readline())  # type: ignore[union-attr]

        searches = ["search 张伟", "search 13912345678"]
        reads = [f"ticket {tid}", f"customer_view {tid}", f"progress {tid}", "archive cust-zh", "ledger -"]
        reads.append("export -")
        try:
            assert [ask(line) for line in searches] == [[tid], [tid]]
            warm = [json.dumps(ask(line), ensure_ascii=False) for line in reads]
            assert all(any(p in answer for p in PERSON) for answer in warm), warm  # every memo holds them
            clock.advance(timedelta(minutes=5))
            desk.privacy.erase_customer(
                world.manager, world.cust_zh.id, "客户要求删除", cancel_open_tickets=True
            )
            assert [ask(line) for line in searches] == [[], []]
            after = {line: json.dumps(ask(line), ensure_ascii=False) for line in reads}
            assert not [line for line, answer in after.items() if any(p in answer for p in PERSON)], after
            assert ask("open cust-zh") == "ERR CustomerErased"
            assert ask("register cust-zh") == "ERR ErasedIdReused"
        finally:
            child.stdin.close()
            returned = child.wait(timeout=60)
            child.stdout.close()
        assert returned == 0
