"""Hostile round, session 33 g: two desks on one store (two processes of a host, one SQLite file or one
PostgreSQL schema) working the same tickets. These attacks passed; they are kept so they stay passing.

- a desk's memo never serves a ticket another desk has moved on, and interleaved writes lose nothing
  (versions contiguous, every note kept);
- an idempotency key sent to both desks replays the first result (nothing written twice), and sent with
  other arguments is ``IdempotencyKeyReused`` on the other desk too;
- both desks opening calls at once, half of them under shared keys: one ticket per key, distinct numbers;
- both desks delivering and sweeping at once: every breach announced once, every message sent once;
- both desks computing the first provisional dues (past the official holiday data) at once: one warning;
- an erasure in one desk while the other holds the customer in its memos: the other finds nothing by the
  person's words, refuses a new call for them (``CustomerErased``) and their id (``ErasedIdReused``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.errors import CustomerErased, ErasedIdReused, IdempotencyKeyReused
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ["sqlite", "postgres"]


class Pair:
    """Two desks of office_equipment on one store, one manual clock, a notifier each."""

    def __init__(self, url: str, clock: ManualClock, world: World) -> None:
        self.clock, self.world = clock, world
        self.sent_a, self.sent_b = MemoryNotifier(), MemoryNotifier()
        self.a = self._open(url, self.sent_a)
        register(self.a, world)
        self.b = self._open(url, self.sent_b)

    def _open(self, url: str, notifier: MemoryNotifier) -> ServiceDesk:
        return ServiceDesk.open(
            url, pack="office_equipment", clock=self.clock, staff=STAFF, notifier=notifier
        )

    def close(self) -> None:
        self.a.shutdown()
        self.b.shutdown()

    def ticket(self, desk: ServiceDesk, text: str = "复印机卡纸，客户张伟 13912345678") -> str:
        w = self.world
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=text).ticket.id
        return str(tid)


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    with store_url(request.param, tmp_path) as url:
        desks = Pair(url, ManualClock(START), make_world())
        try:
            yield desks
        finally:
            desks.close()


def _both(*work: Callable[[], object]) -> list[object]:
    """Run ``work`` in threads started together; their results (or the exception each raised)."""
    results: list[object] = [None] * len(work)
    barrier = threading.Barrier(len(work))

    def run(at: int) -> None:
        barrier.wait()
        try:
            results[at] = work[at]()
        except Exception as exc:  # kept to be asserted on
            results[at] = exc

    threads = [threading.Thread(target=run, args=(at,)) for at in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_memo_never_serves_a_ticket_the_other_desk_moved(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b
    tid = pair.ticket(a)
    assert a.ticket(w.manager, tid).version == 0  # read, and kept by desk a
    b.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM)
    seen = a.ticket(w.manager, tid)
    assert (seen.state, seen.version) == ("triaged", 1)
    for n in range(3):  # interleaved, each on the other's last write
        a.note_to_customer(w.agent, tid, text=f"a{n}", visible=False)
        b.note_to_customer(w.agent, tid, text=f"b{n}", visible=False)
    final = b.ticket(w.manager, tid)
    assert final.version == 7 == a.ticket(w.manager, tid).version
    texts = [note.text for note in a.ticket(w.manager, tid).notes]
    assert texts == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_an_idempotency_key_is_one_command_on_both_desks(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b
    tid = pair.ticket(a)
    first = a.note_to_customer(w.agent, tid, text="已联系客户", visible=False, idempotency_key="call-7")
    again = b.note_to_customer(w.agent, tid, text="已联系客户", visible=False, idempotency_key="call-7")
    assert again.replayed and again.ticket.version == first.ticket.version
    with pytest.raises(IdempotencyKeyReused):
        b.note_to_customer(w.agent, tid, text="另一句话", visible=False, idempotency_key="call-7")
    assert a.ticket(w.manager, tid).version == first.ticket.version  # nothing written twice


def test_both_desks_take_calls_at_once_one_ticket_per_key(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b

    def calls(desk: ServiceDesk, tag: str) -> list[tuple[str, str]]:
        taken = []
        for n in range(6):
            shared = desk.open_ticket(
                w.agent, customer_id=w.cust_zh.id, description=f"卡纸 {n}", idempotency_key=f"k{n}"
            )
            own = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"卡纸 {tag} {n}")
            taken += [(f"k{n}", str(shared.ticket.id)), (f"{tag}{n}", str(own.ticket.id))]
        return taken

    results = _both(lambda: calls(a, "a"), lambda: calls(b, "b"))
    assert not [r for r in results if isinstance(r, Exception)], results
    by_key: dict[str, set[str]] = {}
    for taken in results:
        assert isinstance(taken, list)
        for key, tid in taken:
            by_key.setdefault(key, set()).add(tid)
    assert all(len(ids) == 1 for ids in by_key.values())  # a shared key is one ticket
    assert len({next(iter(ids)) for ids in by_key.values()}) == 18 == a.count(w.manager)


def test_both_desks_sweep_and_deliver_at_once_each_breach_told_once(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b
    tids = [pair.ticket(a) for _ in range(3)]
    for tid in tids:
        b.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM)
    pair.clock.advance(timedelta(days=10))  # every response, arrival and resolution passed
    reports = _both(a.run_due_jobs, b.run_due_jobs)
    assert not [r for r in reports if isinstance(r, Exception)]
    _both(lambda: a.deliver(limit=1000), lambda: b.deliver(limit=1000))
    a.deliver(limit=1000)
    b.deliver(limit=1000)
    keys = [m.idempotency_key for m in (*pair.sent_a.sent, *pair.sent_b.sent)]
    assert len(keys) == len(set(keys))  # no message went out from both desks
    breaches = Counter(k.split(":sla_breach:")[0] for k in keys if ":sla_breach:" in k)
    assert set(breaches) == {
        f"{tid}:sla:{target}" for tid in tids for target in ("response", "arrival", "resolution")
    }
    assert set(breaches.values()) == {1}  # one manager told once per breach


def test_an_erasure_in_one_desk_reaches_the_others_memos(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b
    tid = pair.ticket(b)
    assert [t.id for t in b.search(w.agent, "张伟").items] == [tid]  # b holds the person in its memos
    assert b.archives.customer_archive(w.manager, w.cust_zh.id).customer.name == "张伟"
    pair.clock.advance(timedelta(minutes=5))
    record = a.privacy.erase_customer(w.manager, w.cust_zh.id, "客户要求删除", cancel_open_tickets=True)
    assert record.tickets == 1
    for words in ("张伟", "13912345678"):
        assert b.search(w.agent, words).items == ()
    assert b.ticket(w.manager, tid).state == "cancelled"
    assert "张伟" not in b.ticket(w.manager, tid).description
    assert b.archives.customer_archive(w.manager, w.cust_zh.id).customer.name != "张伟"
    with pytest.raises(CustomerErased):
        b.open_ticket(w.agent, customer_id=w.cust_zh.id, description="再次报修")
    with pytest.raises(ErasedIdReused):
        b.register_customer(w.manager, w.cust_zh)


def test_both_desks_reaching_provisional_dues_at_once_warn_the_managers_once(pair: Pair) -> None:
    w, a, b = pair.world, pair.a, pair.b
    pair.clock.advance(datetime(2026, 12, 30, 17, tzinfo=START.tzinfo) - START)  # dues run into 2027

    def calls(desk: ServiceDesk) -> None:
        for _ in range(4):
            tid = pair.ticket(desk)
            desk.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM)

    assert _both(lambda: calls(a), lambda: calls(b)) == [None, None]
    pair.clock.advance(timedelta(minutes=1))
    a.deliver(limit=1000)
    b.deliver(limit=1000)
    keys = [m.idempotency_key for m in (*pair.sent_a.sent, *pair.sent_b.sent)]
    assert len([k for k in keys if k.startswith("calendar:provisional:2026-12-31:manager:")]) == 1
