"""Hostile round, session 34 h: the SMTP transport against a server refusing the desk's own settings.

Broken before: a server refusing the desk's sender (553 at ``MAIL FROM``) or its login (535) made each
message a permanent failure — the whole queue a dead letter at once, every one to be retried by hand once
the settings were mended — though no message was at fault (the module said only a recipient refused for
good is permanent). Such a refusal is now retried with backoff (``notifier_smtp._settings_refused``); a
recipient refused for good (550) is still a dead letter at once, and a size refusal at ``MAIL FROM`` (552)
still the message's own. Through a desk on memory, SQLite and PostgreSQL, against a real local server.

Broken before too: the timeout bounded each socket read, so a server writing its replies a byte at a time
(a tarpit) held the sender as long as it liked; one message's session is now bounded as a whole
(``adapters/smtp_deadline.py``).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.errors import DeliveryError
from aftersales.ports.notifier import RenderedMessage
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SENDER = "service@venus.example"


class _Server:
    """Refuses the sender (553) until ``mended``; refuses ``dead@`` recipients (550); keeps the rest."""

    def __init__(self) -> None:
        self.mended = False
        self.refusal = "553 5.7.1 sender not allowed from this host"
        self.received: list[str] = []

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if not self.mended:
            return self.refusal
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("dead@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.extend(envelope.rcpt_tos)
        return "250 accepted"


@pytest.fixture
def server() -> Iterator[tuple[_Server, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = _Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_sender_is_retried_and_the_mail_goes_out_once_the_settings_are_mended(
    backend: str, tmp_path: Path, server: tuple[_Server, int]
) -> None:
    handler, port = server
    notifier = SmtpNotifier("127.0.0.1", port, sender=SENDER, timeout=5)
    with world_desk(backend, tmp_path, notifier=notifier) as (desk, clock, world):
        desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="paper jam")

        refused = desk.deliver()
        assert refused.failed and not refused.dead  # before: every e-mail a dead letter at once
        assert desk.outbox.dead_letters(world.manager) == []

        handler.mended = True
        clock.advance(timedelta(minutes=2))
        again = desk.deliver()
    assert sorted(again.sent) == sorted(refused.failed)
    assert "alice@example.co.uk" in handler.received


def test_a_refused_login_is_retried_and_a_refused_recipient_is_a_dead_letter(
    server: tuple[_Server, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = server
    handler.mended = True
    message = RenderedMessage("a@example.cn", "email", "工单已受理", "您的工单已受理。", "zh_Hans", "k-1")

    def refuse_login(self: smtplib.SMTP, user: str, password: str, **_: object) -> Any:
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 authentication credentials invalid")

    monkeypatch.setattr(smtplib.SMTP, "login", refuse_login)
    with pytest.raises(DeliveryError) as login:
        SmtpNotifier("127.0.0.1", port, sender=SENDER, username="u", password="wrong").send(message)
    assert (login.value.permanent, login.value.status) == (False, 535)

    with pytest.raises(DeliveryError) as dead:
        SmtpNotifier("127.0.0.1", port, sender=SENDER).send(
            RenderedMessage("dead@example.cn", "email", "s", "b", "en", "k-2")
        )
    assert dead.value.permanent is True


def test_a_sender_refused_for_the_message_size_stays_the_messages_own(server: tuple[_Server, int]) -> None:
    handler, port = server
    handler.refusal = "552 5.3.4 message size exceeds fixed maximum"
    with pytest.raises(DeliveryError) as refused:
        SmtpNotifier("127.0.0.1", port, sender=SENDER).send(
            RenderedMessage("a@example.cn", "email", "s", "b", "en", "k-3")
        )
    assert (refused.value.permanent, refused.value.status) == (True, 552)


def _slow_smtp_server(drip: float) -> tuple[int, threading.Event, list[str]]:
    """A one-connection SMTP server whose greeting comes a byte every ``drip`` seconds (a tarpit), then
    answers the dialogue at once; ``seen`` gets the commands it read."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop, seen = threading.Event(), []

    def run() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn, conn.makefile("rb") as lines:
                try:
                    for byte in b"220 " + b"x" * 40 + b" ESMTP\r\n":
                        if stop.is_set():
                            return
                        conn.sendall(bytes([byte]))
                        time.sleep(drip)
                    while (line := lines.readline()) and not stop.is_set():
                        command = line.decode("ascii", "replace").strip().upper()
                        seen.append(command.split(" ")[0])
                        if command == "DATA":
                            conn.sendall(b"354 go on\r\n")
                            while lines.readline() not in (b".\r\n", b""):
                                pass
                        elif command == "QUIT":
                            conn.sendall(b"221 bye\r\n")
                            return
                        conn.sendall(b"250 ok\r\n")
                except OSError:
                    return

    threading.Thread(target=run, daemon=True).start()
    return int(listener.getsockname()[1]), stop, seen


def test_a_server_answering_a_byte_at_a_time_fails_the_message_to_be_retried() -> None:
    port, stop, seen = _slow_smtp_server(0.25)
    try:
        with pytest.raises(DeliveryError) as failed:  # before: waited out the ~12 s greeting and sent it
            SmtpNotifier("127.0.0.1", port, sender=SENDER, timeout=1).send(
                RenderedMessage("a@example.cn", "email", "s", "b", "en", "k-4")
            )
    finally:
        stop.set()
    assert failed.value.permanent is False
    assert "DATA" not in seen


def _self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aftersales test relay")])
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
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls_sessions_still_deliver_within_their_time(
    security: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=cert)
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: trusting)  # the relay's private CA
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = _Server()
    handler.mended = True
    options: dict[str, Any] = (
        {"tls_context": server_context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": server_context}
    )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        SmtpNotifier("127.0.0.1", port, sender=SENDER, security=security, timeout=5).send(
            RenderedMessage("a@example.cn", "email", "工单已受理", "您的工单已受理。", "zh_Hans", "k-5")
        )
    finally:
        controller.stop()
    assert handler.received == ["a@example.cn"]
