"""A ticket's walk on PostgreSQL, command shape by shape: round trips, client CPU and wall time (issue 21).

``pg_command_cost.py`` measures one command kind on live tickets; the commands that read documents
beside their ticket (a fault record's batch detector, a callback's tasks and records, a close's fault
statistics) need a ticket walked to their step. Here each client walks tickets from intake to close on
the ``sanitary_ware`` pack — triage, dispatch, start, a fault record, resolve, confirm, callback, close —
through one desk on one connection (``pool_max=1``, the garbage collector on, every result kept), and
measures each step: the client's thread CPU, the wall time and the round trips (libpq's trace of the
step's connection: each turn from the client's messages to the server's answer). Every walk's fault
record is on a unit of a batch, two walks on each unit: the first counts it (``fault new``), the second
finds it counted already (``fault counted``).

Each source tree (``--trees``, ``src`` directories) runs in a process of its own on the same store,
trees alternated run after run (the order reversed every other run), beside raw psycopg's read ``FOR
UPDATE``, version-checked write and commit of ticket rows in the same runs (``pg_command_cost``'s
baseline). Printed per tree and shape: the median over runs of the per-run medians, p50/p90/p99 of every
step measured, and round trips.

    AFTERSALES_PG_DSN=postgresql://user@127.0.0.1:5432/db \\
        python benchmarks/pg_walk_shapes.py --trees /old/src,src --runs 4 --walks 60
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SHAPES = (
    "triage",
    "dispatch",
    "start",
    "fault new",
    "fault counted",
    "resolve",
    "confirm",
    "callback",
    "close",
)
WARM = 4
"""Untimed walks first (statements get prepared, the memos fill)."""


def _register(desk: Any, tag: str, units: int) -> None:
    """A customer, an engineer, a product and ``units`` units of one batch, their ids tagged."""
    from aftersales.domain.contact import Contact
    from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
    from aftersales.domain.parties import Customer, Engineer, EngineerLevel
    from aftersales.domain.products import Asset, Product, WarrantyTerm
    from aftersales.service.actors import Actor

    manager = Actor.manager("mgr-1")
    desk.register_engineer(
        manager,
        Engineer(EngineerId(f"eng-{tag}"), "李工", EngineerLevel.JUNIOR, frozenset({"plumbing"}), "SH"),
    )
    desk.register_product(
        manager,
        Product(ProductId(f"wc-{tag}"), "WC-100", "智能马桶 WC-100", "toilet", (WarrantyTerm(36),),
                frozenset({"flush_valve", "seat"})),
    )  # fmt: skip
    contact = Contact("张伟", phone="13912345678", locale="zh_Hans")
    desk.register_customer(manager, Customer(CustomerId(f"cust-{tag}"), "张伟", contact, region="SH"))
    for n in range(units):
        desk.register_asset(
            manager,
            Asset(AssetId(f"unit-{tag}-{n}"), ProductId(f"wc-{tag}"), f"SN-{tag}-{n}",
                  CustomerId(f"cust-{tag}"), batch=f"B-{tag}", purchase_date=date(2025, 9, 1),
                  installation_accepted_on=date(2025, 9, 3)),
        )  # fmt: skip


def child(url: str, walks: int, tag: str) -> None:
    """Walk ``walks`` tickets (after :data:`WARM` untimed ones), two on each unit (the first counts it, the
    second finds it counted), and print each step's costs as JSON."""
    import gc

    from bench_postgres import Trips

    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.classification import Plan, Severity
    from aftersales.service.actors import Actor
    from aftersales.service.desk import ServiceDesk

    assert gc.isenabled()
    trips = Trips()
    trips.watch_store()  # each unit of work's connection traced while ``trips.on``
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware", clock=clock)
    _register(desk, tag, (WARM + walks) // 2 + 1)
    agent, engineer = Actor.agent("agent-1"), Actor.engineer(f"eng-{tag}", "李工")
    customer = Actor.customer(f"cust-{tag}")
    kept: list[object] = []
    found: dict[str, dict[str, list[float]]] = {
        shape: {"client": [], "wall": [], "trips": []} for shape in SHAPES
    }

    def step(shape: str | None, command: Any) -> None:
        trips.on = shape is not None
        trips.count()
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        kept.append(command())
        w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
        clock.advance(timedelta(minutes=7))
        if shape is not None:
            found[shape]["client"].append(c1 - c0)
            found[shape]["wall"].append(w1 - w0)
            found[shape]["trips"].append(trips.count()[0])

    fault = {"symptom": "leak", "cause": "inlet_valve_worn", "action": "replace_valve", "part": "flush_valve"}
    answers = {"problem_back": False, "satisfaction": 5, "answers": {"fixed": True}}
    triaged = {"nature": "repair", "severity": Severity.MEDIUM, "plan": Plan.ON_SITE, "skill": "toilet"}
    for n in range(WARM + walks):
        unit = f"unit-{tag}-{n // 2}"
        opened = desk.open_ticket(agent, customer_id=f"cust-{tag}", description="漏水", asset_id=unit)
        kept.append(opened)
        t = opened.ticket.id
        walk = (
            ("triage", lambda t=t: desk.triage(agent, t, **triaged)),
            ("dispatch", lambda t=t: desk.dispatch(agent, t, engineer_id=f"eng-{tag}")),
            ("start", lambda t=t: desk.start_work(engineer, t)),
            (
                "fault new" if n % 2 == 0 else "fault counted",
                lambda t=t: desk.add_fault_record(engineer, t, **fault),
            ),
            ("resolve", lambda t=t: desk.resolve(engineer, t, summary="更换进水阀")),
            ("confirm", lambda t=t: desk.confirm(customer, t, note="已签字确认")),
            ("callback", lambda t=t: desk.record_callback(agent, t, **answers)),
            ("close", lambda t=t: desk.close(agent, t)),
        )
        for shape, command in walk:
            step(shape if n >= WARM else None, command)
    desk.shutdown()
    print(json.dumps({shape: parts for shape, parts in found.items() if parts["client"]}))


def _pcts(values: list[float]) -> str:
    ordered = sorted(values)
    at = [ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.9, 0.99)]
    return "p50 {:,.0f} p90 {:,.0f} p99 {:,.0f} µs".format(*(v / 1000 for v in at))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trees", default="src", help="src directories, comma-separated (default src)")
    parser.add_argument("--runs", type=int, default=4, help="runs per tree (default 4)")
    parser.add_argument("--walks", type=int, default=60, help="timed walks per run (default 60)")
    args = parser.parse_args()
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        print("PostgreSQL: set AFTERSALES_PG_DSN to measure it")
        return
    import psycopg
    from bench_postgres import build, libpq_dsn

    schema = f"walk_{uuid.uuid4().hex[:10]}"
    url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    here = os.path.dirname(os.path.abspath(__file__))
    trees = [t for t in args.trees.split(",") if t]
    kinds = [*trees, "raw"]
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        build(url, 2000)  # the raw baseline's ticket rows (pg_command_cost's)
        print(f"{args.runs} runs of {args.walks} walks per tree, one connection; load average"
              f" {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        for run in range(args.runs):
            for kind in kinds if run % 2 == 0 else kinds[::-1]:
                tree = trees[-1] if kind == "raw" else kind
                env = dict(os.environ, PYTHONPATH=f"{os.path.abspath(tree)}:{here}", PG_COST_TICKETS="2000")
                if kind == "raw":
                    code = (
                        "import sys, pg_command_cost as m; m.child(sys.argv[1], 'raw', int(sys.argv[2]), 0)"
                    )
                    argv = [url, str(args.walks * 4)]
                else:
                    code = (
                        "import sys, pg_walk_shapes as m; m.child(sys.argv[1], int(sys.argv[2]), sys.argv[3])"
                    )
                    argv = [url, str(args.walks), f"r{run}t{trees.index(kind)}"]
                out = subprocess.run(
                    [sys.executable, "-c", code, *argv], env=env, check=True, capture_output=True, text=True
                ).stdout
                found.setdefault(kind, []).append(json.loads(out.strip().splitlines()[-1]))
        for kind in kinds:
            runs = found[kind]
            shapes = (
                [("raw read+write+commit", runs)]
                if kind == "raw"
                else [(s, [r[s] for r in runs]) for s in SHAPES]
            )
            print(f"{kind}:")
            for shape, parts in shapes:
                line = f"  {shape:<22}"
                for part in ("client", "wall"):
                    medians = [statistics.median(p[part]) for p in parts]
                    every = [v for p in parts for v in p[part]]
                    line += f"  {part} median {statistics.median(medians) / 1000:,.0f} µs ({_pcts(every)})"
                counted = [t for p in parts for t in p["trips"]] if kind != "raw" else [parts[0]["trips"]]
                line += f"  round trips {statistics.median(counted):.1f}"
                print(line, flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        with psycopg.connect(libpq_dsn(dsn), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
