"""Message catalogs: the words of every notification, reason and label, per locale.

The ``.po`` files under ``locale/<loc>/LC_MESSAGES/aftersales.po`` are the source of truth (in git);
a hatchling build hook (``hatch_build.py``) compiles them to ``.mo`` in wheels. At run time the
``.mo`` is read when present and not older than its ``.po``; otherwise the ``.po`` is parsed in
memory with Babel, so an editable install works without a build step.

A :class:`MessageCatalog` is a plain object handed to whoever renders; nothing is installed
globally (no ``gettext.install()``, no thread-local "active language").
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

import attrs
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, resolve_locale

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "MessageCatalog",
    "catalog_for",
    "catalog_path",
    "load_catalog",
    "load_catalogs",
]

DOMAIN: Final = "aftersales"
"""The gettext domain: the catalog files are named ``aftersales.po`` / ``aftersales.mo``."""

LOCALE_DIR: Final = Path(__file__).parent / "locale"
"""Where the shipped catalogs live."""


def catalog_path(locale: str, directory: Path = LOCALE_DIR, suffix: str = ".po") -> Path:
    """The path of ``locale``'s catalog file with ``suffix`` (``.po`` or ``.mo``) under ``directory``."""
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _always_zero(n: int) -> int:
    return 0


@host_factories
@attrs.frozen(eq=False)
class MessageCatalog:
    """One locale's messages, with an optional fallback catalog asked when a message is missing.

    ``messages`` maps a msgid to its text; ``plurals`` maps a singular msgid to its plural forms,
    chosen by ``plural_index(n)`` (the catalog's ``Plural-Forms`` rule). Untranslated (empty) and
    fuzzy entries are not loaded, so they count as missing.
    """

    locale: str
    messages: Mapping[str, str]
    plurals: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    plural_index: Callable[[int], int] = _always_zero
    fallback: MessageCatalog | None = None
    source: str = "memory"

    def get(self, msgid: str) -> str | None:
        """The text of ``msgid`` here or in the fallback, or None."""
        found = self.messages.get(msgid)
        if found is None and self.fallback is not None:
            return self.fallback.get(msgid)
        return found

    def text(self, msgid: str) -> str:
        """The text of ``msgid``; a missing message is a :class:`ConfigurationError` naming it."""
        found = self.get(msgid)
        if found is None:
            raise ConfigurationError(f"no message {msgid!r} in the {self.locale} catalog", key=msgid)
        return found

    def plural(self, msgid: str, n: int) -> str:
        """The plural form of ``msgid`` for the count ``n`` (in this locale's plural rule)."""
        forms = self.plurals.get(msgid)
        if forms is None:
            if self.fallback is not None:
                return self.fallback.plural(msgid, n)
            raise ConfigurationError(f"no plural message {msgid!r} in the {self.locale} catalog", key=msgid)
        index = self.plural_index(n)
        return forms[index] if 0 <= index < len(forms) else forms[-1]

    def __contains__(self, msgid: object) -> bool:
        return isinstance(msgid, str) and (msgid in self.messages or msgid in self.plurals)

    def __iter__(self) -> Iterator[str]:
        yield from self.messages
        yield from self.plurals

    @property
    def msgids(self) -> frozenset[str]:
        """Every msgid this catalog itself translates (the fallback's are not included)."""
        return frozenset(self)

    @classmethod
    def from_babel(
        cls, catalog: Catalog, locale: str, *, fallback: MessageCatalog | None = None, source: str = "memory"
    ) -> MessageCatalog:
        """Build from a ``babel.messages.catalog.Catalog`` (as ``read_po`` / ``read_mo`` return)."""
        messages: dict[str, str] = {}
        plurals: dict[str, tuple[str, ...]] = {}
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, list | tuple):
                forms = tuple(message.string or ())
                if forms and all(forms):
                    plurals[message.id[0]] = forms
            elif isinstance(message.string, str) and message.string:
                messages[message.id] = message.string
        expr = catalog.plural_expr
        return cls(
            locale=locale,
            messages=MappingProxyType(messages),
            plurals=MappingProxyType(plurals),
            plural_index=gettext.c2py(expr) if expr else _always_zero,
            fallback=fallback,
            source=source,
        )


_LOCALE_NAME = re.compile(r"[A-Za-z]{2,8}(?:_[A-Za-z0-9]{1,8}){0,3}")
"""A catalog's locale as a folder name: ``zh_Hans``, ``en``; never a path (``../../etc``)."""


def _where(locale: object, directory: object) -> Path:
    """The folder of ``locale``'s catalog under ``directory``, both checked: a locale is a name, not a
    path out of the folder, and a folder is a path (a ``str`` is taken as one)."""
    if not isinstance(locale, str) or not _LOCALE_NAME.fullmatch(locale):
        raise ValidationError(
            f"a catalog's locale is a name such as 'zh_Hans' or 'en', got {locale!r}", field="locale"
        )
    if isinstance(directory, str):
        directory = Path(directory)
    if not isinstance(directory, Path):
        raise ConfigurationError(
            f"the catalogs' folder is a path, got {type(directory).__name__}", key="directory"
        )
    return directory


def _read(locale: str, directory: Path) -> tuple[Catalog, str]:
    directory = _where(locale, directory)
    po = catalog_path(locale, directory, ".po")
    mo = catalog_path(locale, directory, ".mo")
    try:
        # A compiled catalog older than its source is stale (an edited .po in a dev tree): skip it.
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fp:
                return read_mo(fp), "mo"
        with po.open("rb") as fp:
            return read_po(fp, locale=locale, domain=DOMAIN), "po"
    except FileNotFoundError:
        raise ConfigurationError(f"no catalog for locale {locale!r}", file=str(po)) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"unreadable catalog: {exc}", file=str(po)) from None


def load_catalog(
    locale: str, directory: Path = LOCALE_DIR, *, fallback: MessageCatalog | None = None
) -> MessageCatalog:
    """Read ``locale``'s catalog from ``directory`` (``.mo`` if current, else the ``.po``), uncached."""
    catalog, source = _read(locale, directory)
    return MessageCatalog.from_babel(catalog, locale, fallback=fallback, source=source)


def load_catalogs(directory: Path = LOCALE_DIR) -> dict[str, MessageCatalog]:
    """All supported catalogs from ``directory``; the Chinese ones fall back to English."""
    directory = _where(DEFAULT_LOCALE, directory)
    english = load_catalog(DEFAULT_LOCALE, directory)
    result = {DEFAULT_LOCALE: english}
    for name in SUPPORTED_LOCALES:
        if name != DEFAULT_LOCALE:
            result[name] = load_catalog(name, directory, fallback=english)
    return result


@cache
def _shipped() -> dict[str, MessageCatalog]:
    return load_catalogs(LOCALE_DIR)


def catalog_for(locale: str) -> MessageCatalog:
    """The shipped catalog for any locale identifier (resolved with the fallback rules), cached."""
    return _shipped()[resolve_locale(locale)]
