"""SMS through the host's SMS provider: the ``SmsSender`` port and ``SmsNotifier``.

Providers differ (Aliyun, Tencent Cloud, a carrier gateway) and each needs approved templates and
a signature (短信签名), so the library does not talk to one: a host implements ``SmsSender`` in a
few lines around its provider's SDK, and ``SmsNotifier`` does the rest — only mobile numbers,
the text fitted to the provider's length, the signature in front, the idempotency key passed on
(most providers take an "out id" to drop repeats).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import is_mobile
from aftersales.domain.validation import check_text
from aftersales.errors import ConfigurationError, DeliveryError, ValidationError, carried_rule
from aftersales.ports.notifier import RenderedMessage

__all__ = ["SmsNotifier", "SmsSender"]


@runtime_checkable
class SmsSender(Protocol):
    """Sends one text to one mobile number, through the host's provider."""

    def send_sms(self, phone: str, text: str, *, key: str) -> None:
        """Send ``text`` to ``phone``; ``key`` identifies the message (repeats carry the same key).

        Raise :class:`~aftersales.errors.DeliveryError` (``permanent=True`` when the provider
        refuses for good: an unknown number, a blocked template) or any exception to retry later.
        """
        ...


@host_factories
class SmsNotifier:
    """Sends ``sms`` messages through an :class:`SmsSender`; as thread-safe as the sender."""

    def __init__(self, sender: SmsSender, *, signature: str = "", max_length: int = 500) -> None:
        if not isinstance(sender, SmsSender):
            raise ConfigurationError("sender must have send_sms(phone, text, *, key)", key="sender")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 20 <= max_length <= 1000:
            raise ConfigurationError(
                "max_length is 20 to 1000 characters",
                key="max_length",
                rule="whole_number",
                rule_params={"least": 20, "most": 1000},
            )
        try:
            # Put before every message's text: one line of printable text (a NUL or a line break went
            # into every SMS sent), at most 20 characters.
            checked = check_text(signature, "signature", multiline=False, limit=20)
        except ValidationError as error:
            raise ConfigurationError(
                f"the signature (短信签名) is one line of at most 20 characters: {error}",
                key="signature",
                **carried_rule(error),
            ) from None
        self.sender = sender
        self.signature = checked
        self.max_length = max_length

    def text(self, message: RenderedMessage) -> str:
        """The SMS text: signature, subject, body, cut to ``max_length`` (with an ellipsis)."""
        text = f"{self.signature}{message.subject}：{message.body}" if message.subject else message.body
        if not message.subject:
            text = self.signature + text
        return text if len(text) <= self.max_length else text[: self.max_length - 1] + "…"

    def send(self, message: RenderedMessage) -> None:
        """Send ``message`` to its mobile number; a number that takes no SMS is a permanent failure."""
        if message.channel != "sms":
            raise DeliveryError(f"SmsNotifier sends SMS, not {message.channel}", permanent=True)
        if not is_mobile(message.recipient):
            raise DeliveryError("the recipient is not a mobile number", permanent=True)
        self.sender.send_sms(message.recipient, self.text(message), key=message.idempotency_key)
