"""The ``Notifier`` port and the message it sends.

The service layer renders notifications (in the recipient's locale) into :class:`RenderedMessage`
values and puts them in the outbox; the dispatcher hands them to a ``Notifier``. Delivery is at
least once, so a notifier should drop a message whose ``idempotency_key`` it has already sent.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

from aftersales.domain.text import required_text

__all__ = ["NOTIFICATION_TOPIC", "Notifier", "RenderedMessage"]

NOTIFICATION_TOPIC = "notification"
"""The outbox topic of messages whose payload is an unstructured :class:`RenderedMessage`."""


@attrs.frozen
class RenderedMessage:
    """A notification ready to send: who to, by which channel, the text, its dedup key, which attempt."""

    recipient: str = attrs.field(validator=required_text(320))
    channel: str = attrs.field(validator=required_text(32))
    subject: str
    body: str
    locale: str = attrs.field(validator=required_text(35))
    idempotency_key: str = attrs.field(validator=required_text(200))
    attempt: int = 1
    """Which delivery attempt this is: above 1, the receiver may have seen it already (a retry)."""


@runtime_checkable
class Notifier(Protocol):
    """Delivers rendered messages (email, SMS, WeChat, a host's queue…)."""

    def send(self, message: RenderedMessage) -> None:
        """Deliver ``message``, or raise; returning means it was accepted."""
        ...
