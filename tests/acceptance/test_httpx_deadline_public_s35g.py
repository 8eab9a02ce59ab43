"""A WeCom send is bounded as a whole through httpx's public API (session 35, g).

Session 34 bounded it by swapping the network backend inside httpx's private ``_transport``/``_mounts``
and httpcore's ``_pool._network_backend``. Now the request's connection is reported by httpcore's
documented ``trace`` extension and shut down by a timer at the deadline (``adapters/httpx_deadline.py``):
a dripped answer fails the send, through a proxy taken from the environment too.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from aftersales.adapters.httpx_deadline import RequestDeadline
from aftersales.adapters.notifier_wecom import WeComRobotNotifier
from aftersales.errors import DeliveryError
from aftersales.ports.notifier import RenderedMessage

MESSAGE = RenderedMessage("13912345678", "wecom", "SLA 预警", "工单将超时", "zh_Hans", "key-1")
BODY = b'{"errcode":0,"errmsg":"ok"}'
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n" + b"X-Pad: y\r\n" * 20
ANSWER += b"\r\n" + BODY


def _dripping_proxy() -> tuple[str, threading.Event, list[bytes]]:
    """A one-connection HTTP proxy that reads the request and drips the robot's answer a byte at a time."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()
    asked: list[bytes] = []

    def run() -> None:
        with server:
            conn, _ = server.accept()
            with conn:
                asked.append(conn.recv(65536))
                try:
                    for i in range(len(ANSWER)):
                        if stop.is_set():
                            return
                        conn.sendall(ANSWER[i : i + 1])
                        time.sleep(0.03)
                except OSError:
                    return

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}", stop, asked


def test_a_dripped_answer_through_an_environment_proxy_fails_the_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy, stop, asked = _dripping_proxy()
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    robot = WeComRobotNotifier("robot-key", url="http://localhost/cgi-bin/webhook/send", timeout=0.5)
    try:
        with pytest.raises(DeliveryError) as failed:
            robot.send(MESSAGE)
    finally:
        stop.set()
        robot.close()
    assert asked and asked[0].startswith(b"POST http://localhost/")  # through the proxy, as httpx does
    assert "Timeout" in str(failed.value) and failed.value.permanent is False


def test_the_deadline_shuts_the_connections_it_was_told_of() -> None:
    class Stream:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, info: str) -> object:
            return self.sock if info == "socket" else None

    first, peer = socket.socketpair()
    late, late_peer = socket.socketpair()
    other, other_peer = socket.socketpair()
    with first, peer, late, late_peer, other, other_peer:
        with RequestDeadline(600) as deadline:
            trace = deadline.extensions["trace"]
            trace("connection.connect_tcp.started", {"return_value": Stream(other)})  # not an opening
            trace("connection.connect_tcp.complete", {"return_value": Stream(first)})
            assert not deadline.passed
            deadline._expire()  # what its timer does at the deadline
            assert deadline.passed and first.recv(1) == b""  # shut: a blocked read ends at once
            trace("http_proxy.connect_tcp.complete", {"return_value": Stream(late)})  # opened too late
            assert late.recv(1) == b""
        other.setblocking(False)
        with pytest.raises(BlockingIOError):
            other.recv(1)  # left alone: still open, nothing to read
