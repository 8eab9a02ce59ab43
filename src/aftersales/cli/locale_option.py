"""``--locale``: the language a person asked the command line to write in, or a usage error.

Why: the library resolves a contact's stored locale to a catalog and writes English to every
language it has none for (a French customer still gets the message). On the command line the locale
is the operator's own choice: before session 27 ``--locale fr`` (or ``de``, ``ja``) printed English
as if it had been asked for, the option silently ignored. Now a language without a catalog is refused
naming the three there are; regional forms of those (``zh_CN``, ``zh-TW``, ``en_US``) still resolve.
"""

from __future__ import annotations

from babel.core import parse_locale

from aftersales.errors import ValidationError
from aftersales.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, resolve_locale

__all__ = ["CLI_DEFAULT_LOCALE", "cli_locale"]

CLI_DEFAULT_LOCALE = "zh_Hans"
"""The shipped packs are Chinese companies': their reports are read in Simplified Chinese."""


def cli_locale(value: str | None) -> str:
    """The catalog (``zh_Hans``, ``zh_Hant`` or ``en``) ``--locale value`` asks for.

    Raises :class:`ValidationError` (field ``locale``) for an identifier that is not a locale, or one
    in a language no catalog is written in.
    """
    if value is None:
        return CLI_DEFAULT_LOCALE
    found = resolve_locale(value)  # refuses what is not a locale at all
    if found == DEFAULT_LOCALE:
        language = parse_locale(value, sep="-" if "-" in value else "_")[0]
        if language.lower() != "en":
            raise ValidationError(
                f"no catalog in {value!r}: --locale is one of {', '.join(SUPPORTED_LOCALES)} "
                "(or a regional form such as zh_CN, zh_TW or en_US)",
                field="locale",
            )
    return found
