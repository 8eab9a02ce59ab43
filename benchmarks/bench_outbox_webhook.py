"""Outbox delivery to a local webhook: 10,000 queued messages, 8 concurrent senders (target ≥ 2,000/s).

The messages are queued the way commands queue them: a few per transaction (three, as a dispatched
ticket writes), in a SQLite file. The receiver is a separate process on 127.0.0.1 (a small asyncio
HTTP/1.1 server with keep-alive that reads each request, checks one signature in 50 and answers
200). Delivery is ``dispatch_outbox`` with a signed :class:`WebhookNotifier`: claim a batch (one
statement), POST each message on 8 threads over keep-alive connections, mark the batch sent (one
statement). Two baselines, measured in the same run against the same receiver, POST the same signed
bodies on 8 threads with no outbox at all: over httpx (the transport of the previous round, 540/s
then) and over the notifier's own connection pool (the transport's ceiling). Figures: messages per
second, median and p50/p90/p99 over ``--runs`` runs, and the load average (the machine may be shared).
Run: ``python benchmarks/bench_outbox_webhook.py [--messages 10000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.http_pool import KeepAlivePool
from aftersales.adapters.notifier_webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookNotifier, sign
from aftersales.adapters.sqlite import open_sqlite
from aftersales.ports.notifier import RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.outbox_dispatch import DeliveryRules, dispatch_outbox
from aftersales.serialization import unstructure

SECRET = "benchmark-secret-0123456789abcdef"
TARGET_PER_S = 2000.0
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _serve(port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    from aftersales.adapters.notifier_webhook import verify_signature

    seen = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal seen
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if ":" in line:
                        key, _, value = line.partition(":")
                        headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen += 1
                if seen % 50 == 0:
                    ok = verify_signature(SECRET, headers["x-aftersales-timestamp"], body,
                                          headers["x-aftersales-signature"], tolerance=3600)  # fmt: skip
                    assert ok, "bad signature"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
    ready.set()
    async with server:
        await server.serve_forever()


def _receiver(port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    asyncio.run(_serve(port, ready))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill(path: Path, count: int, run: int) -> None:
    store = open_sqlite(f"sqlite:///{path}")
    try:
        for start in range(0, count, 3):
            batch = []
            for n in range(start, min(start + 3, count)):
                key = f"SR-2026-{n:06d}:{run}:assigned:customer:9c1e{n:08x}"
                note = RenderedMessage(
                    "13800138000", "sms", "工单已派工", f"您的工单 {n} 已派给工程师。", "zh_Hans", key
                )
                batch.append(OutboxMessage(f"{run}-{n:08d}", "notification", unstructure(note), key, T0))
            with store() as uow:  # one command's messages, one transaction
                uow.outbox.put(batch)
                uow.commit()
    finally:
        store.close()


def _outbox_run(path: Path, url: str, count: int) -> tuple[float, int]:
    store = open_sqlite(f"sqlite:///{path}")
    notifier = WebhookNotifier(url, SECRET, max_connections=8)
    try:
        start = time.perf_counter()
        report = dispatch_outbox(
            store,
            notifier,
            ManualClock(T0 + timedelta(hours=1)),
            count,
            senders=8,
            rules=DeliveryRules(batch=400),
        )
        elapsed = time.perf_counter() - start
    finally:
        notifier.close()
        store.close()
    return len(report.sent) / elapsed, len(report.sent)


def _baseline_run(url: str, count: int, transport: str) -> float:
    """Signed POSTs of the same bodies on 8 threads, no outbox: over httpx (last round's transport)
    or over the notifier's own keep-alive pool (the transport's ceiling)."""
    client = httpx.Client(limits=httpx.Limits(max_connections=8, max_keepalive_connections=8))
    keepalive = KeepAlivePool(url, size=8)
    bodies = [
        f'{{"idempotency_key":"k{n}","body":"您的工单 {n} 已派给工程师。"}}'.encode() for n in range(count)
    ]

    def post(body: bytes) -> None:
        ts = int(time.time())
        headers = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(SECRET, ts, body)}
        if transport == "httpx":
            assert client.post(url, content=body, headers=headers).status_code == 200
        else:
            assert keepalive.post(body, headers)[0] == 200

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, bodies))
    elapsed = time.perf_counter() - start
    client.close()
    keepalive.close()
    return count / elapsed


def _line(name: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return (f"{name:<40} median {statistics.median(values):8.0f}/s   p50 {q[49]:8.0f}   p90 {q[89]:8.0f}"
            f"   p99 {q[98]:8.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_receiver, args=(port, ready), daemon=True)
    server.start()
    ready.wait(10)
    url = f"http://127.0.0.1:{port}/hooks/aftersales"
    outbox: list[float] = []
    baseline: list[float] = []
    ceiling: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                path = Path(tmp) / f"outbox-{run}.db"
                _fill(path, args.messages, run)
                rate, sent = _outbox_run(path, url, args.messages)
                assert sent == args.messages, f"sent {sent} of {args.messages}"
                outbox.append(rate)
                baseline.append(_baseline_run(url, args.messages, "httpx"))
                ceiling.append(_baseline_run(url, args.messages, "pool"))
    finally:
        server.terminate()
    print(f"{args.messages} queued messages to a local webhook, 8 senders, {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(_line("dispatch_outbox → WebhookNotifier", outbox))
    print(_line("baseline: signed POSTs over httpx", baseline))
    print(_line("ceiling: signed POSTs over the pool", ceiling))
    median = statistics.median(outbox)
    print(f"ratio to the httpx baseline {median / statistics.median(baseline):.2f}, to the pool's ceiling "
          f"{median / statistics.median(ceiling):.2f}; target ≥ {TARGET_PER_S:.0f}/s: "
          f"{'met' if median >= TARGET_PER_S else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
