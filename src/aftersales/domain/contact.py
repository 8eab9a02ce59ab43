"""Contact details of a person or a party, with the locale and time zone to speak to them in."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from aftersales.domain.text import bounded, optional_bounded, required_text
from aftersales.errors import ValidationError

__all__ = ["Contact", "validate_locale", "validate_timezone", "zone"]

_LOCALE = re.compile(r"[a-z]{2,3}(?:[_-][A-Z][a-z]{3})?(?:[_-](?:[A-Z]{2}|[0-9]{3}))?")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,30}(?:(?:ext\.?|x|转)[0-9]{1,6})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; an unknown name is a :class:`ValidationError`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            f"unknown time zone {name!r}: use an IANA name such as 'Asia/Shanghai'"
        ) from None


def validate_timezone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: an IANA time-zone name."""
    if not isinstance(value, str):
        raise ValidationError(f"{attribute.name} must be an IANA time-zone name", field=attribute.name)
    zone(value)


def validate_locale(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a locale identifier such as ``zh_Hans``, ``zh_CN`` or ``en``."""
    if not isinstance(value, str) or not _LOCALE.fullmatch(value):
        raise ValidationError(
            f"unknown locale {value!r}: use an identifier such as 'zh_Hans', 'zh_Hant' or 'en'",
            field=attribute.name,
        )


def _phone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _PHONE.fullmatch(value)):
        raise ValidationError(f"not a phone number: {value!r}", field=attribute.name)


def _email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _EMAIL.fullmatch(value)):
        raise ValidationError(f"not an e-mail address: {value!r}", field=attribute.name)


@attrs.frozen
class Contact:
    """How to reach someone, and in which language and time zone to write to them."""

    name: str = attrs.field(validator=required_text(100))
    phone: str | None = attrs.field(default=None, validator=_phone)
    address: str | None = attrs.field(default=None, validator=optional_bounded(300))
    email: str | None = attrs.field(default=None, validator=_email)
    locale: str = attrs.field(default="zh_Hans", validator=validate_locale)
    timezone: str = attrs.field(default="Asia/Shanghai", validator=validate_timezone)
    wechat: str | None = attrs.field(default=None, validator=optional_bounded(64))
    note: str = attrs.field(default="", validator=bounded(500))
