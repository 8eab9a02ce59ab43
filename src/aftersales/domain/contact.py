"""Contact details of a person or a party, with the locale and time zone to speak to them in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import phonenumbers

from aftersales.domain.call_shape import host_factories
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import bounded, optional_bounded, required_text
from aftersales.errors import ValidationError, shown_repr

__all__ = [
    "Contact",
    "MessageChannel",
    "forget_phones",
    "is_mobile",
    "parse_phone",
    "phone_facts",
    "validate_locale",
    "validate_timezone",
    "zone",
]

_LOCALE = re.compile(r"[a-z]{2,3}(?:[_-][A-Z][a-z]{3})?(?:[_-](?:[A-Z]{2}|[0-9]{3}))?")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,30}(?:(?:ext\.?|x|转) ?[0-9]{1,6})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; an unknown name (or no text: a list is not hashable, so it
    is refused before the cache) is a :class:`ValidationError` naming ``field``."""
    if isinstance(name, str):
        found = _zone(name)
        if found is not None:
            return found
    shown = name[:80] if isinstance(name, str) else name
    raise ValidationError(
        f"unknown time zone {shown!r}: use an IANA name such as 'Asia/Shanghai'",
        field=field,
        rule="time_zone",
    )


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a name too long, a folder
        return None


def validate_timezone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: an IANA time-zone name."""
    if not isinstance(value, str):
        raise ValidationError(
            f"{attribute.name} must be an IANA time-zone name", field=attribute.name, rule="time_zone"
        )
    zone(value, attribute.name)


def validate_locale(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a locale identifier such as ``zh_Hans``, ``zh_CN`` or ``en``."""
    check_locale(value, attribute.name)


def check_locale(value: object, field: str = "locale") -> str:
    """``value`` if it is a locale identifier such as ``zh_Hans``, ``zh_CN`` or ``en``, else a
    ``ValidationError`` naming ``field`` (a well-formed one the catalogs lack reads in the nearest)."""
    if not isinstance(value, str) or not _LOCALE.fullmatch(value):
        raise ValidationError(
            f"unknown locale {shown_repr(value)}: use an identifier such as 'zh_Hans', 'zh_Hant' or 'en'",
            field=field,
        )
    return value


_EXTENSION = re.compile(r"\s*转\s*")

PHONE_REGION = "CN"
"""Numbers written without a country code are read as Chinese (``13800138000``, ``021-5555 0001``)."""


PHONES_KEPT = 65_536
"""Phone texts whose reading is remembered (least recently used forgotten first): a number is read on
every registration and every message, but the texts are the callers' (a bulk import, a hostile form),
so the memo has a bound like every cache."""


def parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """``text`` as a valid phone number (without ``+``: a Chinese one), or ``None`` if it is not one.

    Checked with Google's libphonenumber data (``phonenumbers``): the digits must make a number
    that exists in its plan (``123`` or ``13800`` do not); ``转123`` is read as an extension. The
    number is the caller's own (libphonenumber's numbers can be changed in place; the remembered
    reading is never handed out).
    """
    number = _reading(text)
    if number is None:
        return None
    mine = phonenumbers.PhoneNumber()
    mine.merge_from(number)
    return mine


@lru_cache(maxsize=PHONES_KEPT)
def _reading(text: str) -> phonenumbers.PhoneNumber | None:
    # Shared by the library's own readers, which never change it.
    if not _PHONE.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(_EXTENSION.sub(" ext. ", text), PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def is_mobile(text: str | None) -> bool:
    """Whether ``text`` is a valid mobile number (one that can receive SMS)."""
    return isinstance(text, str) and _mobile(text)


@lru_cache(maxsize=65536)
def _mobile(text: str) -> bool:
    # Asked for every message to a person (a visit's customer hears twice): the type lookup is kept.
    number = _reading(text)
    return number is not None and phonenumbers.number_type(number) in _MOBILE_TYPES


@lru_cache(maxsize=65536)
def phone_facts(text: str) -> tuple[str, bool] | None:
    """``text``'s number in E.164 form (``+8613800138000``) and whether it takes SMS; ``None`` if invalid.

    What a store keeps beside a contact's number (:meth:`Contact.restore`), so that reading it back
    does not ask libphonenumber again.
    """
    number = _reading(text)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), _mobile(text)


def _written_as(text: str, e164: object) -> bool:
    """Whether ``text`` is plainly the number ``e164``: the same digits, with ``+86`` or without.

    Only such plain writings are restored unchecked; one with spaces, a trunk ``0`` or an extension is
    parsed again (its E.164 form is not a plain rewrite of the text).
    """
    return isinstance(e164, str) and (text == e164 or (e164[:3] == "+86" and e164[3:] == text))


_STORED: dict[str, tuple[str, bool]] = {}
"""Facts of numbers read back from a store (:meth:`Contact.restore`), by the number as written."""
_STORED_LIMIT = 200_000


def forget_phones(numbers: Iterable[str]) -> None:
    """Forget the remembered readings of phone numbers (a person's data erased: their number must not
    stay in this process). The readings are memoised by text in bounded caches that cannot drop one
    entry, so those are emptied whole (they refill as numbers are read); the restored facts of
    ``numbers`` (any text that holds one of them) are dropped."""
    _reading.cache_clear()
    _mobile.cache_clear()
    phone_facts.cache_clear()
    wanted = [n for n in numbers if isinstance(n, str) and n]
    for text in [t for t in list(_STORED) if any(n in t for n in wanted)]:
        _STORED.pop(text, None)


def _phone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or _reading(value) is None):
        raise ValidationError(
            f"not a valid phone number: {value!r} (a Chinese number such as 13800138000 or "
            "021-5555 0001, or one with its country code such as +44 20 7946 0958)",
            field=attribute.name,
        )


def _email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _EMAIL.fullmatch(value)):
        raise ValidationError(f"not an e-mail address: {value!r}", field=attribute.name)


def _wechat(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A WeChat id is where messages go: a blank one would make every notification to this person fail.
    if value is not None:
        _WECHAT_TEXT(instance, attribute, value)


_WECHAT_TEXT = required_text(64)


class MessageChannel(CodedEnum):
    """How a notification reaches a person."""

    WECHAT = "wechat"
    SMS = "sms"
    EMAIL = "email"


_CHINESE_ORDER = (MessageChannel.WECHAT, MessageChannel.SMS, MessageChannel.EMAIL)
_OTHER_ORDER = (MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.WECHAT)


def _channels(value: Iterable[MessageChannel | str] | None) -> tuple[MessageChannel, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        found = tuple(MessageChannel(v) for v in value)
    except (ValueError, TypeError):
        raise ValidationError(
            f"channels are some of {', '.join(c.value for c in MessageChannel)}, got {value!r}",
            field="channels",
        ) from None
    if len(set(found)) != len(found):
        raise ValidationError(f"a channel is named twice in {value!r}", field="channels")
    return found


@host_factories
@attrs.frozen
class Contact:
    """How to reach someone, and in which language and time zone to write to them.

    ``channels`` is the person's order of preference (``("sms", "wechat")``); left empty, a reader
    of Chinese is reached by WeChat, then SMS, then e-mail, anyone else by e-mail first.
    """

    name: str = attrs.field(validator=required_text(100))
    phone: str | None = attrs.field(default=None, validator=_phone)
    address: str | None = attrs.field(default=None, validator=optional_bounded(300))
    email: str | None = attrs.field(default=None, validator=_email)
    locale: str = attrs.field(default="zh_Hans", validator=validate_locale)
    timezone: str = attrs.field(default="Asia/Shanghai", validator=validate_timezone)
    wechat: str | None = attrs.field(default=None, validator=_wechat)
    note: str = attrs.field(default="", validator=bounded(500))
    channels: tuple[MessageChannel, ...] = attrs.field(default=(), converter=_channels)

    def __attrs_post_init__(self) -> None:
        # A preference that reaches nobody (SMS with only a landline, e-mail without an address) sent
        # this person no message at all, silently; the host learns it here, where it can ask again.
        if self.channels and not self.reach():
            wanted = ", ".join(c.value for c in self.channels)
            raise ValidationError(
                f"channels ({wanted}) name no channel this contact has an address for: SMS needs a "
                "mobile phone, WeChat an id, e-mail an address",
                field="channels",
                rule="channels_unreachable",
                rule_params={"channels": wanted},
            )

    def phone_facts(self) -> tuple[str, bool] | None:
        """The phone in E.164 form and whether it takes SMS (``None`` without a phone); parsed once."""
        if self.phone is None:
            return None
        return _STORED.get(self.phone) or phone_facts(self.phone)

    @classmethod
    def restore(cls, fields: Mapping[str, Any], e164: object = None, sms: object = None) -> Contact:
        """A contact read back from a store, with the phone facts kept when it was written.

        The number was checked when the contact was made: when it is still written plainly as that
        E.164 number (``13800138000`` for ``+8613800138000``), it is not parsed again — a daily job
        reading thousands of customers spent some 5 % of its time in libphonenumber before.
        Anything else (no facts, another writing) is checked as on :class:`Contact` itself. The store
        is trusted for what it wrote: the facts are libphonenumber's answer when the record was saved.
        """
        channels = fields.get("channels")
        if channels:
            # Written before a preference reaching nobody was refused: readable as stored (it reaches
            # nobody, as it did), refused when the contact is next changed.
            contact = cls.restore({**fields, "channels": ()}, e164, sms)
            object.__setattr__(contact, "channels", _channels(channels))
            return contact
        wechat = fields.get("wechat")
        if isinstance(wechat, str) and not wechat.strip():
            fields = {**fields, "wechat": None}  # written before blank ids were refused: no address
        phone = fields.get("phone")
        if not isinstance(phone, str) or not _written_as(phone, e164) or not isinstance(sms, bool):
            return cls(**fields)
        # Every other field is checked as usual; the phone, checked when stored, is set as it was.
        contact = cls(**{**fields, "phone": None})
        object.__setattr__(contact, "phone", phone)
        if phone not in _STORED:
            if len(_STORED) >= _STORED_LIMIT:
                _STORED.clear()  # a bound, not a policy: the facts are read again with the records
            _STORED[phone] = (str(e164), sms)
        return contact

    def reach(self) -> tuple[tuple[MessageChannel, str], ...]:
        """Every ``(channel, address)`` this person can be reached at, most preferred first.

        SMS needs a mobile number; a channel the person prefers but has no address for is skipped.
        """
        order = self.channels or (_CHINESE_ORDER if self.locale.startswith("zh") else _OTHER_ORDER)
        found: list[tuple[MessageChannel, str]] = []
        for channel in order:
            if channel is MessageChannel.WECHAT and self.wechat:
                found.append((channel, self.wechat))
            elif channel is MessageChannel.SMS and self.phone and self._takes_sms():
                found.append((channel, self.phone))
            elif channel is MessageChannel.EMAIL and self.email:
                found.append((channel, self.email))
        return tuple(found)

    def _takes_sms(self) -> bool:
        facts = _STORED.get(self.phone) if self.phone is not None else None
        return facts[1] if facts is not None else is_mobile(self.phone)
