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

    recipient: str
    channel: str
    subject: str
    body: str
    locale: str
    idempotency_key: str
    attempt: int = 1
    """Which delivery attempt this is: above 1, the receiver may have seen it already (a retry)."""

    def __attrs_post_init__(self) -> None:
        # One pass instead of a validator call per field: every notification a command renders makes
        # one. Anything but four short texts goes through the field checks, in field order, for the
        # precise error (the same checks the fields had as validators).
        recipient, channel, locale, key = self.recipient, self.channel, self.locale, self.idempotency_key
        if plain_texts(recipient, channel, locale, key):
            return
        fields = attrs.fields(RenderedMessage)
        _RECIPIENT(self, fields.recipient, recipient)
        _CHANNEL(self, fields.channel, channel)
        _LOCALE(self, fields.locale, locale)
        _KEY(self, fields.idempotency_key, key)


def plain_texts(recipient: object, channel: object, locale: object, key: object) -> bool:
    """Whether a :class:`RenderedMessage`'s four checked fields are texts it takes as they are: not empty,
    within their lengths, starting with no blank (its one-pass check; anything else is checked field by
    field, for the precise error)."""
    return (
        type(recipient) is str
        and 0 < len(recipient) <= 320
        and not recipient[0].isspace()
        and type(channel) is str
        and 0 < len(channel) <= 32
        and not channel[0].isspace()
        and type(locale) is str
        and 0 < len(locale) <= 35
        and not locale[0].isspace()
        and type(key) is str
        and 0 < len(key) <= 200
        and not key[0].isspace()
    )


_RECIPIENT, _CHANNEL, _LOCALE, _KEY = (
    required_text(320),
    required_text(32),
    required_text(35),
    required_text(200),
)


@runtime_checkable
class Notifier(Protocol):
    """Delivers rendered messages (email, SMS, WeChat, a host's queue…)."""

    def send(self, message: RenderedMessage) -> None:
        """Deliver ``message``, or raise; returning means it was accepted."""
        ...
