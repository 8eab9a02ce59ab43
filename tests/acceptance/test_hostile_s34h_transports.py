"""Hostile round, session 34 h: the webhook transport against receivers that misbehave.

Broken before: a receiver writing its answer a byte at a time, each byte inside the socket's timeout,
held the sender as long as it liked (the timeout bounded each read, not the answer): a delivery run never
ended and its lease ran out under it. A request is now bounded as a whole
(``adapters/deadline_socket.py``). The rest passed and is kept so it stays passing, through a desk on
memory, SQLite and PostgreSQL: a receiver answering 500 then 200 gets each message again, signed, as
attempt 2 under the same idempotency key; a deliverer stopped mid-batch (the process interrupted after
the receiver took a message) leaves the message to go out again once its lease has run out, as attempt 2;
a closed port and a receiver that never answers are failures to retry, not dead letters.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aftersales.adapters.notifier_webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    verify_signature,
)
from aftersales.errors import DeliveryError
from aftersales.ports.notifier import RenderedMessage
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SECRET = "hostile-s34h-secret-0123456789"
MESSAGE = RenderedMessage("13912345678", "sms", "工单已受理", "您的工单已受理。", "zh_Hans", "key-1")


class _Receiver(BaseHTTPRequestHandler):
    """Answers 500 the first time it sees a key and 200 after; records (key, attempt, signature ok)."""

    seen: list[tuple[str, str, bool]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers["X-Aftersales-Idempotency-Key"]
        signed = verify_signature(
            SECRET, self.headers[TIMESTAMP_HEADER], body, self.headers[SIGNATURE_HEADER]
        )
        first = all(k != key for k, _, _ in self.seen)
        self.seen.append((key, self.headers["X-Aftersales-Attempt"], signed))
        self.send_response(500 if first else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, str, bool]]]]:
    seen: list[tuple[str, str, bool]] = []
    handler = type("Receiver", (_Receiver,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_receiver_answering_500_then_200_gets_each_message_again_as_attempt_2(
    backend: str, tmp_path: Path, receiver: tuple[str, list[tuple[str, str, bool]]]
) -> None:
    url, seen = receiver
    webhook = WebhookNotifier(url, SECRET, timeout=5)
    try:
        with world_desk(backend, tmp_path, notifier=webhook) as (desk, clock, world):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
            desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="paper jam")

            first = desk.deliver()
            clock.advance(timedelta(minutes=2))  # past the first retry (1 minute)
            second = desk.deliver()
            clock.advance(timedelta(hours=7))
            third = desk.deliver()
    finally:
        webhook.close()
    assert len(first.failed) == 2 and not first.dead
    assert sorted(second.sent) == sorted(second.retried) == sorted(first.failed)
    assert not (third.sent or third.failed)
    keys = sorted({k for k, _, _ in seen})
    assert len(keys) == 2
    assert sorted((k, a) for k, a, _ in seen) == sorted([(k, "1") for k in keys] + [(k, "2") for k in keys])
    assert all(ok for _, _, ok in seen)


class _StopsAfterSending:
    """Hands the message to the webhook, then the process is interrupted before the outcome is recorded."""

    def __init__(self, webhook: WebhookNotifier) -> None:
        self.webhook, self.stopped = webhook, False

    def send(self, message: RenderedMessage) -> None:
        self.webhook.send(message)
        if not self.stopped:
            self.stopped = True
            raise KeyboardInterrupt


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deliverer_stopped_mid_batch_leaves_the_message_to_go_out_again_after_the_lease(
    backend: str, tmp_path: Path, receiver: tuple[str, list[tuple[str, str, bool]]]
) -> None:
    url, seen = receiver
    webhook = WebhookNotifier(url, SECRET, timeout=5)
    notifier = _StopsAfterSending(webhook)
    try:
        with world_desk(backend, tmp_path, notifier=notifier) as (desk, clock, world):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
            desk.deliver()  # the receiver answers 500 to its first sight: a plain failure, recorded
            clock.advance(timedelta(minutes=2))
            with pytest.raises(KeyboardInterrupt):
                desk.deliver()  # the receiver took it (200), the outcome was never recorded
            assert not desk.deliver().sent  # still leased to the stopped deliverer
            clock.advance(timedelta(minutes=6))  # the lease (5 minutes) has run out
            again = desk.deliver()
    finally:
        webhook.close()
    assert len(again.sent) == 1 and again.retried == again.sent
    assert len({k for k, _, _ in seen}) == 1
    assert [a for _, a, _ in seen] == ["1", "2", "3"]  # the repeat says it is one, same key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_once(answer: bytes, drip: float | None) -> tuple[int, threading.Event]:
    """A one-connection server: reads the request, then writes ``answer`` (a byte every ``drip`` seconds
    when given) or nothing at all (``answer`` empty: it holds the connection until told to stop)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def run() -> None:
        with server:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                try:
                    for i in range(len(answer)):
                        if stop.is_set():
                            return
                        conn.sendall(answer[i : i + 1])
                        if drip:
                            time.sleep(drip)
                except OSError:
                    return
                stop.wait(30)

    threading.Thread(target=run, daemon=True).start()
    return int(server.getsockname()[1]), stop


def test_an_answer_dripped_a_byte_at_a_time_fails_the_request_to_be_retried() -> None:
    port, stop = _serve_once(b"HTTP/1.1 200 OK\r\n" + b"X" * 40 + b": y\r\nContent-Length: 0\r\n\r\n", 0.25)
    webhook = WebhookNotifier(f"http://127.0.0.1:{port}/hook", SECRET, timeout=1)
    try:
        with pytest.raises(DeliveryError) as failed:
            webhook.send(MESSAGE)  # before: waited out the ~15 s drip and called it delivered
    finally:
        stop.set()
        webhook.close()
    assert failed.value.permanent is False
    assert "TimeoutError" in str(failed.value)


def test_a_receiver_that_never_answers_and_a_closed_port_are_failures_to_retry() -> None:
    port, stop = _serve_once(b"", None)
    for url in (f"http://127.0.0.1:{port}/hook", f"http://127.0.0.1:{_free_port()}/hook"):
        webhook = WebhookNotifier(url, SECRET, timeout=1)
        try:
            with pytest.raises(DeliveryError) as failed:
                webhook.send(MESSAGE)
        finally:
            webhook.close()
        assert failed.value.permanent is False
    stop.set()
