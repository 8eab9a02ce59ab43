"""A WeCom robot send is bounded as a whole by its timeout (session 34, l).

httpx's timeout bounds each read: a robot (or a proxy before it) writing its answer a byte at a time,
each byte inside the timeout, held the send as long as it liked and the message was called delivered at
the end of it; a delivery run never ended and its lease ran out under it (h bounded the webhook and SMTP
transports so). The client the notifier makes bounds connect, request and answer together now
(``adapters/httpx_deadline.py``); a host's own ``client=`` keeps its own timeouts, applied per read.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from aftersales.adapters.notifier_wecom import WeComRobotNotifier
from aftersales.errors import DeliveryError
from aftersales.ports.notifier import RenderedMessage

MESSAGE = RenderedMessage(
    "13912345678", "wecom", "SLA 预警", "工单 SR-2026-000001 将超时", "zh_Hans", "key-1"
)
BODY = b'{"errcode":0,"errmsg":"ok"}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    + b"X" * 60
    + b": y\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


def _serve_once(answer: bytes, drip: float) -> tuple[str, threading.Event]:
    """A one-connection robot: reads the request, then writes ``answer`` a byte every ``drip`` seconds."""
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
                        time.sleep(drip)
                except OSError:
                    return
                stop.wait(30)

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}/cgi-bin/webhook/send", stop


def test_an_answer_dripped_a_byte_at_a_time_fails_the_send_to_be_retried() -> None:
    url, stop = _serve_once(ANSWER, 0.03)  # ~4 s in all, each byte well inside the 0.5 s timeout
    robot = WeComRobotNotifier("robot-key", url=url, timeout=0.5)
    try:
        with pytest.raises(DeliveryError) as failed:
            robot.send(MESSAGE)  # before: waited out the drip and called it delivered
    finally:
        stop.set()
        robot.close()
    assert failed.value.permanent is False
    assert "Timeout" in str(failed.value)


def test_a_robot_answering_at_once_is_delivered_on_the_bounded_client() -> None:
    url, stop = _serve_once(ANSWER, 0)
    robot = WeComRobotNotifier("robot-key", url=url, timeout=5)
    try:
        robot.send(MESSAGE)  # no error: errcode 0
    finally:
        stop.set()
        robot.close()


def test_a_hosts_own_client_keeps_its_per_read_timeouts() -> None:
    url, stop = _serve_once(ANSWER, 0.01)  # ~1.3 s in all, each byte inside the host's 0.5 s
    client = httpx.Client(timeout=0.5)
    robot = WeComRobotNotifier("robot-key", url=url, client=client)
    try:
        robot.send(MESSAGE)  # the host's client, as httpx applies its timeouts: delivered
    finally:
        stop.set()
        robot.close()
        client.close()
