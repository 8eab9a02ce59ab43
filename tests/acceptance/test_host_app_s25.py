"""A host application embedding the desk, built from README.md and docs/embedding.md alone (session 25).

A small web service on the standard library (``ThreadingHTTPServer``: a thread per request) over a real
SQLite file and the real PostgreSQL DSN: one desk per process shared by the request threads, the actor
from the host's authentication (headers here), the errors mapped to statuses, a host clock and notifier.
What tests/acceptance/two_desk_races.py does not cover: requests through a real server, the
connections, threads and file handles a desk leaves after ``shutdown`` (counted in /proc/self/fd), a
desk reopened on the same store, a pre-forking server that opened the desk before forking, and a host
component failing in the middle of a command.

The defect found: a desk opened before a fork (gunicorn ``preload_app``, a ``multiprocessing`` pool)
left its forked workers on the parent's connections — on PostgreSQL the workers hung on the shared
socket and the pool's threads, which do not survive a fork. Now a store opens connections of its own
in a new process (:mod:`aftersales.adapters.fork_guard`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.unit.embedding_world import START, small_desk

from aftersales import Actor, ServiceDesk, to_dict
from aftersales.adapters import ManualClock, MemoryNotifier
from aftersales.errors import AftersalesError, NotFound, PermissionDenied, StorageError, ValidationError
from conftest import store_url

STATUS: tuple[tuple[type[AftersalesError], int], ...] = (
    (ValidationError, 400),
    (PermissionDenied, 403),
    (NotFound, 404),
)


def _actor(headers: Any) -> Actor:
    """The host's actor resolution: from its (here: trivial) authentication, never from the body."""
    role, who = headers.get("X-Actor-Role", ""), headers.get("X-Actor-Id", "")
    if role == "agent":
        return Actor.agent(who)
    if role == "manager":
        return Actor.manager(who)
    return Actor.customer(who)


def _handler(desk: ServiceDesk) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _run(self, work: Any) -> None:
            try:
                self._answer(200, work(_actor(self.headers)))
            except AftersalesError as error:
                status = next((code for kind, code in STATUS if isinstance(error, kind)), 409)
                self._answer(status, {"error": type(error).__name__, "message": str(error)})

        def do_GET(self) -> None:
            ticket_id = self.path.removeprefix("/tickets/")
            self._run(lambda actor: to_dict(desk.ticket(actor, ticket_id), locale="en"))

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            if self.path == "/tickets":
                self._run(
                    lambda actor: {
                        "id": desk.open_ticket(actor, customer_id="wang", description=body["text"]).ticket.id
                    }
                )
            else:
                ticket_id = self.path.removeprefix("/tickets/").removesuffix("/tags")
                self._run(lambda actor: {"id": desk.tag(actor, ticket_id, add=[body["tag"]]).ticket.id})

    return Handler


def _call(port: int, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"X-Actor-Role": "agent", "X-Actor-Id": "agent-li", "Content-Type": "application/json"},
    )
    for _ in range(8):  # a host retries what it maps to 409 (another request changed the ticket first)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            status, answer = error.code, json.loads(error.read())
            if status != 409:
                return status, answer
    return status, answer


def _open_files() -> set[tuple[str, str]]:
    """The process's open file descriptors, each with what it is open on (a path, ``socket:[inode]``).

    Compared as sets, not counted: a file or socket a test before this one left to the garbage collector
    can be closed during this test (its count fell: session 36), and a number closed so is not the
    desk's; a descriptor the desk left open is one not open before, whatever number it reuses."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the listing's own descriptor, gone by now)
            found.add((fd, os.readlink(f"/proc/self/fd/{fd}")))
    return found


def _before() -> tuple[set[tuple[str, str]], set[threading.Thread]]:
    """The open files and live threads before the test's desk opens, what an earlier test left to the
    collector closed first."""
    gc.collect()
    return _open_files(), set(threading.enumerate())


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path, "host.db") as opened:
        yield opened


def test_threaded_server_writes_same_and_other_tickets_and_leaves_nothing_open(url: str) -> None:
    files, threads = _before()
    desk = small_desk(url, clock=ManualClock(START))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(desk))
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    port = server.server_address[1]
    try:
        status, shared = _call(port, "POST", "/tickets", {"text": "连体坐便器冲洗不出水"})
        assert status == 200
        answers: list[tuple[int, Any]] = []

        def client(n: int) -> None:
            for i in range(3):
                answers.append(_call(port, "POST", "/tickets", {"text": f"水箱漏水 {n}-{i}"}))
                answers.append(_call(port, "POST", f"/tickets/{shared['id']}/tags", {"tag": f"t{n}-{i}"}))

        clients = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for each in clients:
            each.start()
        for each in clients:
            each.join()
        assert [status for status, _ in answers] == [200] * 36, [a for a in answers if a[0] != 200]
        opened = {answer["id"] for _, answer in answers} - {shared["id"]}
        assert len(opened) == 18  # distinct numbers
        status, view = _call(port, "GET", f"/tickets/{shared['id']}")
        assert status == 200 and set(view["tags"]) == {f"t{n}-{i}" for n in range(6) for i in range(3)}
        assert _call(port, "GET", "/tickets/SR-2026-999999")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
        serving.join()
        desk.shutdown()
    assert _open_files() - files == set()  # every connection and file the desk opened is closed
    assert set(threading.enumerate()) - threads == set()


def test_a_closed_desk_refuses_typed_and_a_reopened_one_sees_everything(url: str) -> None:
    files, _ = _before()
    desk = small_desk(url, clock=ManualClock(START))
    agent = Actor.agent("agent-li")
    ticket = desk.open_ticket(agent, customer_id="wang", description="连体坐便器冲洗不出水").ticket
    desk.shutdown()
    assert _open_files() - files == set()
    with pytest.raises(StorageError):
        desk.open_ticket(agent, customer_id="wang", description="又一单")
    with pytest.raises(StorageError):
        desk.ticket(agent, ticket.id)
    with ServiceDesk.open(
        url, pack="sanitary_ware", clock=ManualClock(START), notifier=MemoryNotifier()
    ) as again:
        assert again.ticket(agent, ticket.id).description == "连体坐便器冲洗不出水"
        assert again.open_ticket(agent, customer_id="wang", description="又一单").ticket.id != ticket.id
    assert _open_files() - files == set()


class _FailingIds:
    """A host's id generator (``ServiceDesk.open(ids=...)``) whose service goes away."""

    def __init__(self) -> None:
        self.fail = False
        self.count = 0

    def next_id(self, kind: str) -> str:
        if self.fail and kind == "ticket":
            raise ConnectionError("the numbering service is down")
        self.count += 1
        return f"{kind}-{self.count}"


def test_a_host_component_failing_mid_command_leaves_nothing_written(url: str) -> None:
    ids = _FailingIds()
    notifier = MemoryNotifier()
    with small_desk(url, clock=ManualClock(START), ids=ids, notifier=notifier) as desk:
        agent = Actor.agent("agent-li")
        desk.open_ticket(agent, customer_id="wang", description="连体坐便器冲洗不出水")
        manager = Actor.manager("mgr-zhou")
        desk.deliver()
        before, outbox = [t.id for t in desk.ledger(manager).items], len(notifier.sent)
        ids.fail = True
        # The host's own exception reaches the host unchanged (errors.PluginError's contract)…
        with pytest.raises(ConnectionError):
            desk.open_ticket(agent, customer_id="wang", description="水箱漏水", idempotency_key="k-1")
        # …and nothing of the command was written: no ticket, no notification, no idempotency record.
        assert [t.id for t in desk.ledger(manager).items] == before
        desk.deliver()
        assert len(notifier.sent) == outbox
        ids.fail = False
        again = desk.open_ticket(agent, customer_id="wang", description="水箱漏水", idempotency_key="k-1")
        assert again.ticket.description == "水箱漏水"
        assert {t.id for t in desk.ledger(manager).items} == {*before, again.ticket.id}


def _worker(desk: ServiceDesk, answers: multiprocessing.Queue[list[str]]) -> None:
    agent, made = Actor.agent("agent-li"), []
    try:
        for i in range(5):
            ticket = desk.open_ticket(agent, customer_id="wang", description=f"{os.getpid()} 漏水 {i}").ticket
            made.append(desk.ticket(agent, ticket.id).id)
        desk.shutdown()  # a worker's exit: the parent's connections stay the parent's
    except BaseException as error:  # reported to the parent, which fails the test
        made.append(f"{type(error).__name__}: {error}")
    answers.put(made)


def test_a_desk_opened_before_the_fork_serves_the_forked_workers(url: str) -> None:
    desk = small_desk(url, clock=ManualClock(START))  # preload_app: opened once, in the master
    agent = Actor.agent("agent-li")
    first = desk.open_ticket(agent, customer_id="wang", description="连体坐便器冲洗不出水").ticket
    context = multiprocessing.get_context("fork")
    answers: multiprocessing.Queue[list[str]] = context.Queue()
    workers = [context.Process(target=_worker, args=(desk, answers)) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        made = [answers.get(timeout=90) for _ in workers]
    except queue.Empty:
        made = [["a forked worker hung on the parent's connections"]]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join()
    try:
        numbers = [number for each in made for number in each]
        assert all(number.startswith("SR-") for number in numbers), numbers
        assert len(set(numbers)) == 10
        # The master still works on its own connections after its workers came and went.
        assert desk.ticket(agent, first.id).id == first.id
        later = desk.open_ticket(agent, customer_id="wang", description="水箱漏水").ticket
        assert later.id not in numbers
    finally:
        desk.shutdown()


def _stop_mid_requests(url: str, answers: multiprocessing.Queue[list[str]]) -> None:
    """Request threads writing and reading while the host stops the desk (the lifespan's end)."""
    desk = small_desk(url, clock=ManualClock(START))
    agent, seen, running = Actor.agent("agent-li"), set[str](), threading.Event()

    def requests() -> None:
        while not running.is_set():
            try:
                ticket = desk.open_ticket(agent, customer_id="wang", description="水箱漏水").ticket
                desk.ticket(agent, ticket.id)
                seen.add("ok")
            except Exception as error:  # every one is reported: only StorageError is expected
                seen.add(type(error).__name__)

    threads = [threading.Thread(target=requests) for _ in range(4)]
    for thread in threads:
        thread.start()
    while "ok" not in seen:
        running.wait(0.01)
    desk.shutdown()
    running.wait(0.3)
    running.set()
    for thread in threads:
        thread.join()
    answers.put(sorted(seen))


def test_stopping_the_desk_while_requests_run_refuses_them_typed(url: str) -> None:
    # In a process of its own: on SQLite, closing the connections under the request threads' statements
    # used to crash the whole process (SIGSEGV), not refuse the requests.
    context = multiprocessing.get_context("fork")
    answers: multiprocessing.Queue[list[str]] = context.Queue()
    host = context.Process(target=_stop_mid_requests, args=(url, answers))
    host.start()
    host.join(timeout=120)
    if host.is_alive():
        host.kill()
        host.join()
    assert host.exitcode == 0
    assert answers.get(timeout=5) == ["StorageError", "ok"]
