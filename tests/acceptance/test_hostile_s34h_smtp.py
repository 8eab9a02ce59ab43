"""Hostile round, session 34 h: the SMTP transport against a server refusing the desk's own settings.

Broken before: a server refusing the desk's sender (553 at ``MAIL FROM``) or its login (535) made each
message a permanent failure — the whole queue a dead letter at once, every one to be retried by hand once
the settings were mended — though no message was at fault (the module said only a recipient refused for
good is permanent). Such a refusal is now retried with backoff (``notifier_smtp._settings_refused``); a
recipient refused for good (550) is still a dead letter at once, and a size refusal at ``MAIL FROM`` (552)
still the message's own. Through a desk on memory, SQLite and PostgreSQL, against a real local server.
"""

from __future__ import annotations

import smtplib
import socket
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
