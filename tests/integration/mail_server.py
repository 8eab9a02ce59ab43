"""A real SMTP server for the notifier tests (aiosmtpd on 127.0.0.1), one copy for every test file."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on now: for a server to start on, or for a send that must fail to connect."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailboxes:
    """The server's handler: ``dead@`` addresses are refused for good (550), others are kept as parsed."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("dead@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def mail_server(*, smtputf8: bool = False) -> Iterator[tuple[Mailboxes, int]]:
    """A started server and its port; ``smtputf8`` says whether it offers the SMTPUTF8 extension."""
    handler, port = Mailboxes(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
