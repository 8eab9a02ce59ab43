"""Ticket search benchmark (issue 23), SQLite, against a LIKE scan of the same text in the same run.

Targets: over 1,000,000 tickets, ``desk.search`` p50 ≤ 20 ms for a serial or a phone number, ≤ 50 ms
for a two-character Chinese term (漏水); keeping the index up to date adds ≤ 20 % to a command.

The ledger is written as users write it: descriptions built from the fault phrases of seed 002
(转换开关漏水, 下水堵, 跳闸, 无显示 …) with places and remarks, one unit (serial) per ticket, customers
with phone numbers typed in several formats, dealers and regions. Searches go through
``ServiceDesk.search`` (parse, scope, index, load the page's tickets), as a host calls it; the
baseline is ``instr()`` over the same normalised text, newest first (what a LIKE search does).

``python benchmarks/bench_search.py`` uses 200,000 tickets (a few minutes); ``--full`` uses 1,000,000.
GC stays on; the built tickets of each batch are dropped after writing (a million parsed tickets do
not fit a desk's memory either), the desk and its store stay open during the measurements.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId, TicketId
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset
from aftersales.domain.ticket import Ticket
from aftersales.ports.ticket_search import search_document
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2023, 1, 1, 8, 0, tzinfo=TZ)
AGENT_REF = ActorRef("agent-1", Role.AGENT)
AGENT = Actor.agent("agent-1")

FAULTS = (
    "转换开关漏水", "下水堵", "铝合金变形了", "跳闸", "无显示", "收音效果不好", "冲洗不出水", "水箱漏水",
    "马桶盖松动", "龙头滴水", "花洒出水小", "面板无反应", "有异响", "加热不工作", "排水慢", "密封圈老化",
    "管子里有石头", "门滑轮掉了", "控制面板坏", "角阀漏水",
)  # fmt: skip
PLACES = ("卫生间", "厨房", "主卧", "客卫", "阳台", "二楼", "地下室")
REMARKS = ("客户很着急", "已电话指导", "需上门", "周末在家", "请带配件", "老客户", "", "", "")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def phone_of(n: int) -> str:
    digits = f"1{(3, 8)[n % 2]}{(n * 7919) % 10**9:09d}"  # 130–139 and 180–189: all allocated
    style = n % 3
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"


def serial_of(n: int) -> str:
    return f"SN-{2020 + n % 5}{'ABCD'[n % 4]}-{n:07d}"


def customer_of(c: int) -> Customer:
    name = SURNAMES[c % len(SURNAMES)] + GIVEN[(c // 20) % len(GIVEN)] + GIVEN[(c // 7) % len(GIVEN)]
    return Customer(
        CustomerId(f"C{c:06d}"),
        name,
        Contact(name, phone=phone_of(c)),
        region=f"r{c % 31}",
        dealer_id=DealerId(f"D{c % 120:03d}"),
    )


def make(n: int, rng: random.Random, customers: int) -> tuple[Ticket, Customer, Asset]:
    customer = customer_of(n % customers)
    asset = Asset(
        AssetId(f"A{n:07d}"), ProductId(f"P{n % 40}"), serial_of(n), customer.id, batch=f"B{n % 300}"
    )
    second = rng.choice(FAULTS) if rng.random() < 0.3 else ""
    text = f"{rng.choice(PLACES)}{rng.choice(FAULTS)}，{second}{rng.choice(REMARKS)}"
    ticket = Ticket.open(
        id=TicketId(f"SR-{2023 + n // 400_000}-{n:07d}"),
        customer_id=customer.id,
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description=text,
        received_at=T0 + timedelta(seconds=40 * n + rng.randrange(30)),
        taken_by=AGENT_REF,
        asset_id=asset.id,
        product_id=asset.product_id,
        batch=asset.batch,
        region=customer.region,
        dealer_id=customer.dealer_id,
    )
    return ticket, customer, asset


def build(url: str, count: int, batch: int = 20_000) -> float:
    store = SqliteStore(url)
    rng = random.Random(7)
    customers = max(count // 4, 1)
    start = time.perf_counter()
    try:
        for first in range(0, count, batch):
            made = [make(n, rng, customers) for n in range(first, min(first + batch, count))]
            with store() as uow:
                uow.tickets.add_many(t for t, _, _ in made)
                uow.search.put_many(search_document(t, c, a) for t, c, a in made)
                uow.commit()
            print(f"\r  built {min(first + batch, count):,} tickets", end="", flush=True)
    finally:
        store.close()
    print()
    return time.perf_counter() - start


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3

    return f"p50 {at(0.5):8.2f} ms  p90 {at(0.9):8.2f} ms  p99 {at(0.99):8.2f} ms"


def measure(fn: Callable[[str], object], queries: list[str], runs: int = 3) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        for q in queries:
            start = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - start)
    return samples


def bench_queries(url: str, count: int) -> None:
    desk = ServiceDesk.open(url, clock=ManualClock(T0 + timedelta(days=3650)))
    rng = random.Random(11)
    picks = [rng.randrange(count) for _ in range(60)]
    cases = {
        "serial": [serial_of(n) for n in picks],
        "phone (any format)": [phone_of(n % max(count // 4, 1)).replace("-", " ") for n in picks],
        "ticket number digits": [f"{n:07d}" for n in picks],
        "two-character term": ["漏水", "跳闸", "堵", "异响", "滴水", "面板", "排水", "松动"] * 4,
        "three+ characters": ["冲洗不出水", "加热不工作", "门滑轮", "控制面板坏"] * 8,
        "customer name": [customer_of(n % max(count // 4, 1)).name for n in picks[:30]],
    }
    store = desk.store

    def baseline(query: str) -> object:
        # The same normalised text scanned newest first, as a LIKE search does (no index).
        terms = query.split()
        where = " AND ".join("(s.text || s.idents) LIKE ?" for _ in terms)
        terms = [f"%{t}%" for t in terms]
        with store() as uow:
            return uow.run(  # type: ignore[attr-defined]
                f"SELECT s.ticket_id FROM ticket_search s WHERE {where} ORDER BY s.pos DESC LIMIT 20", terms
            ).fetchall()

    for name, queries in cases.items():
        found = [len(desk.search(AGENT, q).items) for q in queries[:5]]
        assert all(found), (name, found)
        gc.collect()
        ours = measure(lambda q: desk.search(AGENT, q), queries)
        like_queries = queries[:10] if name != "two-character term" else queries
        phone = name.startswith("phone")
        like = measure(
            lambda q: baseline(q.lower()), [q.replace(" ", "") if phone else q for q in like_queries], runs=1
        )
        print(f"  {name:<22} search {percentiles(ours)}")
        ratio = statistics.median(like) / statistics.median(ours)
        print(f"  {'':<22} LIKE   {percentiles(like)}   (search is {ratio:,.1f}x faster at p50)")
    dealer = Actor.dealer_staff("d-staff", "D007", {"r7"})
    ours = measure(lambda q: desk.search(dealer, q), ["漏水", "跳闸", "堵", "面板"] * 5)
    print(f"  {'2-char, one dealer':<22} search {percentiles(ours)}")
    customer = Actor.customer(customer_of(7).id)
    ours = measure(lambda q: desk.search(customer, q), ["漏水", "跳闸", "堵", "面板"] * 5)
    print(f"  {'2-char, one customer':<22} search {percentiles(ours)}")
    desk.shutdown()


class _NoSearch:
    """The baseline: a search index that keeps nothing (everything else is the real store)."""

    def put(self, doc: object) -> None:
        return None

    def put_many(self, docs: object) -> None:
        return None

    def remove(self, ticket_id: str) -> None:
        return None


class _WithoutSearch:
    """A store factory whose units of work skip the search index."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self.url = store.url

    def __call__(self) -> object:
        uow = self._store()
        uow.search = _NoSearch()  # type: ignore[assignment]
        return uow

    def close(self) -> None:
        self._store.close()

    def default_attachments(self) -> object:
        return self._store.default_attachments()


def bench_commands(folder: Path, rounds: int = 5, per_round: int = 60) -> None:
    """Median cost of a command with and without index upkeep: a ticket's whole life (open, triage,
    dispatch, start, note, fault record, resolve, confirm), and the notes alone (every one re-indexes)."""

    engineer = Engineer(EngineerId("eng-1"), "李工", region="r1")
    hands = Actor.engineer("eng-1", "李工")

    def desk_at(name: str, index: bool) -> ServiceDesk:
        store = SqliteStore(f"sqlite:///{folder / name}")
        factory = store if index else _WithoutSearch(store)
        desk = ServiceDesk(factory, clock=ManualClock(T0))  # type: ignore[arg-type]
        for d in {customer_of(c).dealer_id for c in range(50)}:
            assert d is not None
            desk.register_dealer(Actor.manager("m"), Dealer(d, f"经销商 {d}", region="r1"))
        for c in range(50):
            desk.register_customer(Actor.manager("m"), customer_of(c))
        desk.register_engineer(Actor.manager("m"), engineer)
        return desk

    with_index, without = desk_at("with.db", True), desk_at("without.db", False)
    timings: dict[tuple[bool, str], list[float]] = {}
    counter = iter(range(10**9))

    def life(desk: ServiceDesk, index: bool) -> None:
        rng = random.Random(3)
        clock = desk.clock
        assert isinstance(clock, ManualClock)
        n = next(counter)
        tid = ""

        def timed(kind: str, command: Callable[[], object]) -> object:
            clock.advance(timedelta(minutes=5))
            start = time.perf_counter()
            result = command()
            timings.setdefault((index, kind), []).append(time.perf_counter() - start)
            timings.setdefault((index, "all"), []).append(time.perf_counter() - start)
            return result

        opened = timed(
            "open",
            lambda: desk.open_ticket(
                AGENT, customer_id=f"C{n % 50:06d}", description=f"{rng.choice(PLACES)}{rng.choice(FAULTS)}"
            ),
        )
        tid = opened.ticket.id  # type: ignore[attr-defined]
        timed("triage", lambda: desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM))
        timed("dispatch", lambda: desk.dispatch(AGENT, tid, engineer_id="eng-1"))
        timed("start", lambda: desk.start_work(hands, tid))
        timed("note", lambda: desk.note_to_customer(hands, tid, text=f"已上门，{rng.choice(FAULTS)}"))
        timed(
            "fault",
            lambda: desk.add_fault_record(
                hands, tid, symptom="leak", cause="seal_worn", action="replace_seal"
            ),
        )
        timed("resolve", lambda: desk.resolve(hands, tid, summary="更换密封圈"))
        timed("confirm", lambda: desk.confirm(AGENT, tid, channel="phone"))

    for r in range(rounds):  # alternate (and swap who goes first), so both see the same machine load
        order = ((with_index, True), (without, False)) if r % 2 else ((without, False), (with_index, True))
        for desk, index in order:
            for _ in range(per_round):
                life(desk, index)
    for kind in ("all", "open", "note", "triage"):
        ours, base = statistics.median(timings[(True, kind)]), statistics.median(timings[(False, kind)])
        print(
            f"  command median ({kind:<6}): with index {ours * 1e3:.3f} ms, without {base * 1e3:.3f} ms: "
            f"{(ours / base - 1) * 100:+.1f} % (target ≤ 20 %)"
        )
    with_index.shutdown()
    without.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 tickets (the target's scale)")
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args()
    count = args.count or (1_000_000 if args.full else 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'ledger.db'}"
        print(f"ticket search over {count:,} tickets (SQLite)")
        elapsed = build(url, count)
        print(f"  build: {count / elapsed:,.0f} tickets/s with their search index")
        bench_queries(url, count)
        bench_commands(folder)


if __name__ == "__main__":
    main()
