"""E-mail through an SMTP server (stdlib ``smtplib`` and ``email``): ``SmtpNotifier``.

Each message is one e-mail, UTF-8, with a ``Message-ID`` made from its idempotency key (a mail
system, or a person, can spot a repeat) and an ``X-Aftersales-Attempt`` header when it is a retry.
A connection is opened per message: delivery runs in a few threads at most, and a connection that
a server dropped between two messages would otherwise fail the next one. A recipient the server
refuses for good (5xx), and a message it refuses for good (5xx after the data: too large, its content
refused), is a permanent :class:`DeliveryError` (a dead letter at once); anything else (4xx, a timeout, a
refused connection) is retried by the outbox with backoff. So is a refusal of the desk's own sender or login
(553 at ``MAIL FROM``, 535): it is no message's fault, and until session 34 it made every message of the
queue a dead letter at once, each to be retried by hand once the settings were mended.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
import time
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from aftersales.adapters.send_timeout import check_timeout
from aftersales.adapters.smtp_deadline import DeadlineSMTP, DeadlineSMTPSSL
from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError, DeliveryError
from aftersales.ports.notifier import RenderedMessage

_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
"""Control characters and line breaks: a header is one line, whatever a customer typed."""
_SPECIALS = re.compile(r"[\s,;:<>()\[\]\"\\]")
"""What separates, brackets, quotes or comments addresses in a header: never in one bare address."""

__all__ = ["SmtpNotifier"]


@host_factories
class SmtpNotifier:
    """Sends ``email`` messages through ``host:port``; thread-safe (a connection per message).

    ``security`` is ``"none"`` (a local relay), ``"starttls"`` (port 587) or ``"tls"`` (port 465).
    ``username``/``password`` log in when given (both or neither).
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str,
        sender_name: str = "",
        username: str | None = None,
        password: str | None = None,
        security: str = "none",
        timeout: float = 10.0,
        domain: str = "aftersales.local",
    ) -> None:
        if not isinstance(host, str) or not host or any(c.isspace() or not c.isprintable() for c in host):
            raise ConfigurationError(f"the SMTP host is a host name or address, got {host!r}", key="host")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ConfigurationError(f"the SMTP port must be 1-65535, got {port!r}", key="port")
        if security not in ("none", "starttls", "tls"):
            raise ConfigurationError(f"security is none, starttls or tls, got {security!r}", key="security")
        if (username is None) != (password is None):
            raise ConfigurationError("give both username and password, or neither", key="username")
        for name, given in (("username", username), ("password", password)):
            if given is not None and (not isinstance(given, str) or not given):  # else a bare error at login
                raise ConfigurationError(f"the {name} is non-empty text", key=name)
        if not isinstance(sender, str) or "@" not in sender:
            raise ConfigurationError(f"the sender must be an e-mail address, got {sender!r}", key="sender")
        check_timeout(timeout)
        if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
            raise ConfigurationError(
                f"domain is a host name (the Message-ID's), got {domain!r}", key="domain"
            )
        self.host, self.port = host, port
        # A line break or a second address would be a header injection: refused, naming the key.
        try:
            _one_address(sender)
        except DeliveryError:
            raise ConfigurationError(
                f"the sender is one e-mail address, got {sender!r}", key="sender"
            ) from None
        try:
            self.sender = Address(sender_name, addr_spec=sender)
        except (ValueError, TypeError, HeaderParseError) as exc:
            raise ConfigurationError(f"sender_name cannot be written: {exc}", key="sender_name") from None
        self.username, self.password = username, password
        self.security = security
        self.timeout = float(timeout)
        self.domain = domain

    def message(self, message: RenderedMessage) -> EmailMessage:
        """The e-mail ``message`` becomes (what :meth:`send` hands to the server).

        The recipient must be exactly one address, written as a bare ``local@domain``: ``a@x, b@y``
        or a line break would add recipients or headers, so it is a permanent
        :class:`DeliveryError`. Line breaks and control characters in the subject (a customer's
        name, a ticket's title) become spaces: the subject stays one header.
        """
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = _one_address(message.recipient)
        if [a.addr_spec for a in mail["To"].addresses] != [message.recipient]:  # what the server gets
            raise DeliveryError("the recipient is not one e-mail address", permanent=True)
        mail["Subject"] = _LINE_BREAKS.sub(" ", message.subject).strip()
        mail["Date"] = formatdate(localtime=False)
        digest = hashlib.blake2b(message.idempotency_key.encode(), digest_size=16).hexdigest()
        mail["Message-ID"] = f"<{digest}@{self.domain}>"
        mail["Content-Language"] = message.locale.replace("_", "-")
        if message.attempt > 1:
            mail["X-Aftersales-Attempt"] = str(message.attempt)
        mail.set_content(message.body, charset="utf-8")
        return mail

    def _connect(self) -> smtplib.SMTP:
        # The timeout bounds the whole session of one message, however slowly the server answers.
        deadline = time.monotonic() + self.timeout
        if self.security == "tls":
            return DeadlineSMTPSSL(
                self.host,
                self.port,
                timeout=self.timeout,
                deadline=deadline,
                context=ssl.create_default_context(),
            )
        smtp: smtplib.SMTP = DeadlineSMTP(self.host, self.port, timeout=self.timeout, deadline=deadline)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: RenderedMessage) -> None:
        """Hand ``message`` to the server; raises :class:`DeliveryError` if it is not accepted."""
        if message.channel != "email":
            raise DeliveryError(f"SmtpNotifier sends e-mail, not {message.channel}", permanent=True)
        try:  # a header that cannot be written (a line break in the locale) never will be
            mail = self.message(message)
        except (ValueError, TypeError, HeaderParseError) as exc:
            raise DeliveryError(
                f"the e-mail cannot be written: {type(exc).__name__}", permanent=True
            ) from None
        try:
            with self._connect() as smtp:
                if self.username is not None and self.password is not None:
                    smtp.login(self.username, self.password)
                try:
                    smtp.send_message(mail)
                except smtplib.SMTPNotSupportedError:
                    if message.recipient.isascii():
                        raise
                    # A non-ASCII address needs SMTPUTF8: a server without it never takes this message.
                    raise DeliveryError(
                        "the server does not take SMTPUTF8 addresses", permanent=True
                    ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(500 <= code < 600 for code in codes)
            raise DeliveryError(
                f"recipient refused ({codes})", permanent=permanent, status=codes[0]
            ) from None
        except smtplib.SMTPResponseException as exc:
            if _settings_refused(exc):
                raise DeliveryError(
                    f"SMTP server refused this desk's sender or login ({exc.smtp_code})", status=exc.smtp_code
                ) from None
            permanent = 500 <= exc.smtp_code < 600 and exc.smtp_code != 554
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code}", permanent=permanent, status=exc.smtp_code
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery failed: {type(exc).__name__}") from None


def _settings_refused(exc: smtplib.SMTPResponseException) -> bool:
    """Whether the server refused the desk's own login or sender, not this message: no message can go until
    the host mends the settings, and then every one should (retried with backoff, never a dead letter at
    once). A sender refused for the message's size (552, the ``SIZE`` of ``MAIL FROM``) is the message's."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return True
    return isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code != 552


def _one_address(recipient: str) -> str:
    """``recipient`` if it is one bare address, or a permanent :class:`DeliveryError` (it never could be
    sent). Separators, brackets, quotes and comments (``,;<>()"``) and line breaks are refused outright:
    the header parser would read more than one address, or another one, out of them. The local part
    may be non-ASCII (sent to servers that take SMTPUTF8)."""
    if _LINE_BREAKS.search(recipient) or recipient.count("@") != 1 or _SPECIALS.search(recipient):
        raise DeliveryError("the recipient is not one e-mail address", permanent=True)
    local, domain = recipient.split("@")
    if not local or not domain:
        raise DeliveryError("the recipient is not one e-mail address", permanent=True)
    return recipient
