"""Locale resolution: any locale identifier a host stores maps to one of the shipped catalogs.

Traditional Chinese (an explicit ``Hant`` script, or Taiwan, Hong Kong, Macao) → ``zh_Hant``; other
Chinese → ``zh_Hans``; Cantonese (``yue``, ``yue_HK``) → ``zh_Hant``, ``yue_CN`` → ``zh_Hans``; every
other locale Babel knows → ``en``. Something that is not a locale
identifier at all is refused with :class:`~aftersales.errors.ValidationError`. Resolved names and
``babel.Locale`` objects are cached: parsing an identifier costs more than rendering a sentence.
"""

from __future__ import annotations

import re
from typing import Final

from babel import Locale
from babel.core import UnknownLocaleError, get_global, parse_locale

from aftersales.errors import ValidationError

__all__ = ["DEFAULT_LOCALE", "SUPPORTED_LOCALES", "babel_locale", "resolve_locale"]

SUPPORTED_LOCALES: Final = ("zh_Hans", "zh_Hant", "en")
"""The locales with a catalog, in the order they are documented."""

DEFAULT_LOCALE: Final = "en"
"""Where every non-Chinese locale lands."""

_HANT_TERRITORIES = frozenset({"TW", "HK", "MO"})
# Languages written in Chinese characters that Babel knows: Chinese and Cantonese (yue, as Hong Kong
# and Macao phones report it); their readers get a Chinese catalog, not the English one.
_WRITTEN_CHINESE = frozenset({"zh", "yue"})
_SHAPE = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8}){0,3}")
_MAX_CACHED = 4096  # identifiers come from contact records: few distinct ones, but never unbounded

_resolved: dict[str, str] = {}
_locales: dict[str, Locale] = {}


def _refuse(identifier: object) -> ValidationError:
    return ValidationError(
        f"unknown locale {identifier!r}: use an identifier such as 'zh_Hans', 'zh_Hant', 'zh_CN' or 'en'",
        field="locale",
    )


def _resolve(identifier: str) -> str:
    sep = "-" if "-" in identifier else "_"
    try:
        language, territory, script, _variant = parse_locale(identifier, sep=sep)[:4]
        # Babel must know the identifier: "xx" or "en_XX" is a typo, not a request for English.
        Locale.parse(identifier, sep=sep)
    except (ValueError, UnknownLocaleError, TypeError):
        raise _refuse(identifier) from None
    if language not in _WRITTEN_CHINESE:
        return DEFAULT_LOCALE
    if script is not None:  # an explicit script wins over the territory (zh_Hans_HK is simplified)
        return "zh_Hant" if script == "Hant" else "zh_Hans"
    if territory in _HANT_TERRITORIES:
        return "zh_Hant"
    # Otherwise the script the language is most likely written in there: Cantonese (yue) in Traditional
    # characters, but yue_CN in Simplified; Chinese in Simplified.
    likely = get_global("likely_subtags")
    found = likely.get(f"{language}_{territory}" if territory else language) or likely.get(language)
    return "zh_Hant" if found is not None and "_Hant" in found else "zh_Hans"


def resolve_locale(identifier: str) -> str:
    """The supported locale (``zh_Hans``, ``zh_Hant`` or ``en``) to write to ``identifier`` in.

    Accepts ``_`` or ``-`` separators in any case (``zh-tw``, ``zh_Hant_HK``, ``en-US``).
    Raises :class:`ValidationError` for anything that is not a locale Babel knows.
    """
    found = _resolved.get(identifier) if isinstance(identifier, str) else None
    if found is not None:
        return found
    if not isinstance(identifier, str) or len(identifier) > 35 or not _SHAPE.fullmatch(identifier):
        raise _refuse(identifier)
    found = _resolve(identifier)
    if len(_resolved) < _MAX_CACHED:
        _resolved[identifier] = found
    return found


def babel_locale(identifier: str) -> Locale:
    """The cached ``babel.Locale`` of the supported locale ``identifier`` resolves to."""
    name = resolve_locale(identifier)
    found = _locales.get(name)
    if found is None:
        found = _locales[name] = Locale.parse(name)
    return found
