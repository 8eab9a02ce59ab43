"""Notifiers against real local servers: SMTP (aiosmtpd), a signed webhook and a WeCom robot (a local
HTTP server), SMS through a sender; each through the outbox, so failures meet backoff and dead letters."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from mail_server import Mailboxes, free_port, mail_server

from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.notifier_routing import ChannelNotifier
from aftersales.adapters.notifier_sms import SmsNotifier
from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.adapters.notifier_webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    sign,
    verify_signature,
)
from aftersales.adapters.notifier_wecom import WeComRobotNotifier
from aftersales.domain.contact import Contact
from aftersales.errors import ConfigurationError, DeliveryError
from aftersales.i18n.notifications import default_renderer
from aftersales.ports.notifier import RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.outbox_dispatch import dispatch_outbox
from aftersales.serialization import unstructure
from aftersales.service.notify import Notifications
from aftersales.testing.outbox_contract import T0, ManualClock

SECRET = "s3cret-for-tests-only-0123456789"


def _note(n: int, recipient: str, channel: str, *, subject: str = "工单已受理") -> OutboxMessage:
    rendered = RenderedMessage(
        recipient, channel, subject, f"您的工单 SR-{n} 已受理。", "zh_Hans", f"key-{n}"
    )
    return OutboxMessage(f"M{n:04d}", "notification", unstructure(rendered), f"key-{n}", T0)


def _outbox(messages: list[OutboxMessage]) -> MemoryStore:
    store = MemoryStore()
    with store() as uow:
        uow.outbox.put(messages)
        uow.commit()
    return store


# -- SMTP ------------------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[Mailboxes, int]]:
    with mail_server() as server:
        yield server


def test_smtp_delivers_utf8_mail_and_a_dead_mailbox_does_not_block_the_others(
    smtp: tuple[Mailboxes, int],
) -> None:
    handler, port = smtp
    notifier = SmtpNotifier("127.0.0.1", port, sender="service@venus.example", sender_name="售后服务中心")
    store = _outbox(
        [_note(n, "dead@example.cn", "email") for n in range(1, 6)]
        + [_note(n, f"user{n}@example.cn", "email") for n in range(6, 9)]
    )
    report = dispatch_outbox(store, notifier, ManualClock(T0), 100)
    assert len(report.sent) == 3
    assert len(report.dead) == 5  # 550: permanent, a dead letter at once (no five retries)
    assert sorted(rcpt[0] for rcpt, _ in handler.received) == [f"user{n}@example.cn" for n in (6, 7, 8)]
    _, mail = handler.received[0]
    assert mail["Subject"] == "工单已受理"
    assert "已受理" in mail.get_content()
    assert mail["Message-ID"].startswith("<") and "key-" not in mail["Message-ID"]
    with store() as uow:
        dead = uow.outbox.dead()
    assert {m.last_error for m in dead} == {"DeliveryError: recipient refused ([550])"}


def test_smtp_marks_a_retry_and_a_closed_port_is_retried(smtp: tuple[Mailboxes, int]) -> None:
    handler, port = smtp
    message = RenderedMessage("a@example.cn", "email", "s", "b", "en", "k", attempt=2)
    SmtpNotifier("127.0.0.1", port, sender="service@venus.example").send(message)
    assert handler.received[0][1]["X-Aftersales-Attempt"] == "2"
    with pytest.raises(DeliveryError) as down:
        SmtpNotifier("127.0.0.1", free_port(), sender="service@venus.example", timeout=2).send(message)
    assert down.value.permanent is False
    with pytest.raises(ConfigurationError):
        SmtpNotifier("127.0.0.1", port, sender="not-an-address")


# -- a signed webhook -------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """Checks the signature as a host's endpoint must; records what it accepted."""

    accepted: list[dict[str, Any]]
    rejected: list[str]
    answers: dict[str, list[int]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers[TIMESTAMP_HEADER]
        if not verify_signature(SECRET, timestamp, body, self.headers[SIGNATURE_HEADER]):
            self.rejected.append(self.headers.get("X-Aftersales-Idempotency-Key", ""))
            self._answer(401, b'{"error":"bad signature"}')
            return
        data = json.loads(body)
        planned = self.answers.get(data["recipient"])
        status = planned.pop(0) if planned else 200
        if status == 200:
            self.accepted.append(data)
        self._answer(status, b"{}")

    def do_GET(self) -> None:
        self._answer(405, b"")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"accepted": [], "rejected": [], "answers": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/aftersales", handler
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_signs_and_the_receiver_verifies(receiver: tuple[str, type[_Receiver]]) -> None:
    url, handler = receiver
    handler.answers = {"13800000002": [503], "13800000003": [404]}
    notifier = WebhookNotifier(url, SECRET)
    store = _outbox([_note(n, f"1380000000{n}", "sms") for n in range(1, 5)])
    clock = ManualClock(T0)
    first = dispatch_outbox(store, notifier, clock, 100)
    assert (len(first.sent), first.failed, first.dead) == (2, ("M0002",), ("M0003",))
    clock.at = T0 + timedelta(minutes=1)
    second = dispatch_outbox(store, notifier, clock, 100)
    assert (second.sent, second.retried) == (("M0002",), ("M0002",))
    assert handler.rejected == []
    keys = sorted((m["idempotency_key"], m["attempt"]) for m in handler.accepted)
    assert keys == [("key-1", 1), ("key-2", 2), ("key-4", 1)]
    notifier.close()


def test_a_wrong_secret_is_refused_by_the_receiver(receiver: tuple[str, type[_Receiver]]) -> None:
    url, handler = receiver
    forged = WebhookNotifier(url, "another-secret-0123456789")
    with pytest.raises(DeliveryError) as refused:
        forged.send(RenderedMessage("13800000001", "sms", "s", "b", "zh_Hans", "k1"))
    assert (refused.value.status, refused.value.permanent) == (401, True)
    assert handler.rejected == ["k1"] and handler.accepted == []
    forged.close()


class _KeepAliveReceiver(_Receiver):
    """The same endpoint over HTTP/1.1 keep-alive; counts the connections it was opened on."""

    protocol_version = "HTTP/1.1"
    connections: list[int]
    close_after: int = 0  # > 0: drop the connection after that many answers (an idle-timeout server)

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)
        self.answered = 0

    def _answer(self, status: int, body: bytes) -> None:
        super()._answer(status, body)
        self.answered += 1
        if self.close_after and self.answered >= self.close_after:
            self.close_connection = True


@pytest.fixture
def keepalive() -> Iterator[tuple[str, type[_KeepAliveReceiver]]]:
    handler = type(
        "KeepAlive", (_KeepAliveReceiver,), {"accepted": [], "rejected": [], "answers": {}, "connections": []}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/aftersales?source=desk", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_keeps_its_connections_open_across_messages(
    keepalive: tuple[str, type[_KeepAliveReceiver]],
) -> None:
    url, handler = keepalive
    notifier = WebhookNotifier(url, SECRET, max_connections=4)
    store = _outbox([_note(n, f"139{n:08d}", "sms") for n in range(1, 41)])
    report = dispatch_outbox(store, notifier, ManualClock(T0), 100, senders=4)
    notifier.close()
    assert len(report.sent) == 40 and handler.rejected == []
    assert sorted(m["idempotency_key"] for m in handler.accepted) == sorted(f"key-{n}" for n in range(1, 41))
    assert 1 <= len(handler.connections) <= 4  # 40 messages over at most one connection per sender


def test_a_connection_the_server_closed_while_idle_is_replaced(
    keepalive: tuple[str, type[_KeepAliveReceiver]],
) -> None:
    url, handler = keepalive
    handler.close_after = 1  # every connection is dropped after one answer, without saying so first
    notifier = WebhookNotifier(url, SECRET)
    for n in range(1, 4):
        notifier.send(RenderedMessage(f"1390000000{n}", "sms", "s", "b", "zh_Hans", f"key-{n}"))
    notifier.close()
    assert [m["idempotency_key"] for m in handler.accepted] == ["key-1", "key-2", "key-3"]
    assert len(handler.connections) == 3


def test_the_webhook_sends_through_a_given_httpx_client_and_a_closed_port_is_retried(
    receiver: tuple[str, type[_Receiver]],
) -> None:
    import httpx

    url, handler = receiver
    with httpx.Client(timeout=5) as client:
        WebhookNotifier(url, SECRET, client=client).send(
            RenderedMessage("13800000001", "sms", "s", "b", "zh_Hans", "via-httpx")
        )
    assert [m["idempotency_key"] for m in handler.accepted] == ["via-httpx"]
    dead = WebhookNotifier(f"http://127.0.0.1:{free_port()}/hook", SECRET, timeout=2)
    with pytest.raises(DeliveryError) as down:
        dead.send(RenderedMessage("13800000001", "sms", "s", "b", "zh_Hans", "k"))
    assert down.value.permanent is False and "ConnectionRefusedError" in str(down.value)
    with pytest.raises(ConfigurationError):
        WebhookNotifier("http://x", SECRET, max_connections=0)
    # No request splitting through a header: refused when configured, not at every message's send.
    with pytest.raises(ConfigurationError) as split:
        WebhookNotifier(url, SECRET, headers={"X-Api-Key": "k\r\nX-Evil: 1"})
    assert split.value.key == "headers"
    assert [m["idempotency_key"] for m in handler.accepted] == ["via-httpx"]


LOCAL = "127.0.0.1"


def _self_signed(tmp_path: Any) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files (the CA a private receiver would use)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aftersales test receiver")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "receiver.pem", tmp_path / "receiver.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


def test_the_webhook_speaks_tls_and_checks_the_receivers_certificate(tmp_path: Any) -> None:
    import ssl

    cert, key = _self_signed(tmp_path)
    handler = type(
        "Tls", (_KeepAliveReceiver,), {"accepted": [], "rejected": [], "answers": {}, "connections": []}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    server.socket = served.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}/hooks/aftersales"
    try:
        trusting = WebhookNotifier(url, SECRET, tls_context=ssl.create_default_context(cafile=cert))
        for n in (1, 2, 3):
            trusting.send(RenderedMessage(f"1390000000{n}", "sms", "s", "b", "zh_Hans", f"tls-{n}"))
        trusting.close()
        assert [m["idempotency_key"] for m in handler.accepted] == ["tls-1", "tls-2", "tls-3"]
        assert len(handler.connections) == 1  # one TLS handshake, then the connection is kept
        stranger = WebhookNotifier(url, SECRET)  # the system's roots do not know this certificate
        with pytest.raises(DeliveryError) as refused:
            stranger.send(RenderedMessage("13900000009", "sms", "s", "b", "zh_Hans", "tls-x"))
        assert "SSLCertVerificationError" in str(refused.value) and refused.value.permanent is False
        stranger.close()
        assert [m["idempotency_key"] for m in handler.accepted] == ["tls-1", "tls-2", "tls-3"]
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ConfigurationError):
        WebhookNotifier(url, SECRET, client=object(), tls_context=ssl.create_default_context())  # type: ignore[arg-type]


def test_signatures_expire_and_bind_the_body() -> None:
    body = b'{"a":1}'
    signature = sign(SECRET, 1_000_000, body)
    assert verify_signature(SECRET, "1000000", body, signature, now=1_000_100)
    assert not verify_signature(SECRET, "1000000", body, signature, now=1_000_400)  # a replay, later
    assert not verify_signature(SECRET, "1000000", b'{"a":2}', signature, now=1_000_000)
    assert not verify_signature(SECRET, "yesterday", body, signature, now=1_000_000)
    with pytest.raises(ConfigurationError):
        WebhookNotifier("ftp://x", SECRET)
    with pytest.raises(ConfigurationError):
        WebhookNotifier("http://x", "short")


# -- WeCom group robot -------------------------------------------------------------------------------


class _Robot(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    codes: list[int]

    def do_POST(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        code = 93000 if query.get("key") != ["robot-key"] else (self.codes.pop(0) if self.codes else 0)
        if code == 0:
            self.received.append(body)
        answer = json.dumps({"errcode": code, "errmsg": "ok" if code == 0 else "error"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_wecom_robot_posts_text_mentions_the_mobile_and_retries_when_throttled() -> None:
    handler = type("Robot", (_Robot,), {"received": [], "codes": [45009]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send"
    try:
        robot = WeComRobotNotifier("robot-key", url=url)
        message = RenderedMessage("13800000009", "wechat", "SLA 预警", "工单 SR-1 即将超时", "zh_Hans", "k")
        with pytest.raises(DeliveryError) as throttled:
            robot.send(message)
        assert (throttled.value.status, throttled.value.permanent) == (45009, False)
        robot.send(message)
        assert handler.received == [
            {
                "msgtype": "text",
                "text": {"content": "SLA 预警\n工单 SR-1 即将超时", "mentioned_mobile_list": ["13800000009"]},
            }
        ]
        with pytest.raises(DeliveryError) as bad_key:
            WeComRobotNotifier("wrong", url=url).send(message)
        assert bad_key.value.permanent is True
        robot.close()
    finally:
        server.shutdown()
        server.server_close()


# -- SMS and routing -----------------------------------------------------------------------------------


class _Provider:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send_sms(self, phone: str, text: str, *, key: str) -> None:
        self.sent.append((phone, text, key))


def test_sms_goes_to_mobiles_only_with_the_signature_and_routing_picks_the_channel(
    smtp: tuple[Mailboxes, int],
) -> None:
    handler, port = smtp
    provider = _Provider()
    notifier = ChannelNotifier(
        {
            "sms": SmsNotifier(provider, signature="【维娜斯】", max_length=30),
            "email": SmtpNotifier("127.0.0.1", port, sender="service@venus.example"),
        }
    )
    # Rendered as the desk renders: the customer prefers SMS, the engineer only has a landline.
    notifications = Notifications(default_renderer())
    customer = Contact("王先生", phone="13800138000", email="wang@example.cn", channels=("sms", "email"))
    messages = notifications.contact_messages(
        "resolved_please_confirm",
        "customer",
        customer,
        {"ticket_id": "SR-1", "resolved_at": T0},
        "SR-1:5",
        T0,
    )
    landline = RenderedMessage("021-5555 0001", "sms", "s", "b", "zh_Hans", "k-landline")
    email_note = _note(9, "li@example.cn", "email")
    fax = RenderedMessage("x", "fax", "s", "b", "zh_Hans", "k-fax")
    store = _outbox(
        [
            *messages,
            OutboxMessage("L1", "notification", unstructure(landline), "k-landline", T0),
            email_note,
            OutboxMessage("F1", "notification", unstructure(fax), "k-fax", T0),
        ]
    )
    report = dispatch_outbox(store, notifier, ManualClock(T0), 100)
    assert sorted(report.dead) == ["F1", "L1"]
    ((phone, text, key),) = provider.sent
    assert phone == "13800138000" and text.startswith("【维娜斯】") and len(text) <= 30
    assert "13800138000" not in key  # keys name no contact data
    assert [rcpt for rcpt, _ in handler.received] == [["li@example.cn"]]
