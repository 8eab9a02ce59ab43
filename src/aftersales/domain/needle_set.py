"""Many needles, prepared once, asked of many texts: which occur, and the text with them replaced.

Why: erasing a customer replaces every piece of their free text (a description, a note per ticket) in
every outbox message and idempotency row about them. Trying each needle on each string was needles x
strings, quadratic in the person's tickets (session 34 g: 3.7 s of scans at 800 tickets). Here each
needle is filed under its rarest two-character piece; a text is cut into its pieces once, and only the
needles filed under one of them are tried. The answers are those of trying every needle in turn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

__all__ = ["NeedleSet", "replace_each"]

_GRAM = 4
"""Needles this long or longer are filed under one piece of this length (longer pieces are rarer: two
characters are shared by every description quoting a date or a number)."""

_DIRECT = 64
"""Up to this many shorter needles (a name, "不满意") are tried on every text as they are."""


def replace_each(text: str, needles: Iterable[str], mark: str) -> str:
    """``text`` with each needle in turn replaced by ``mark`` (the rule :class:`NeedleSet` keeps)."""
    for needle in needles:
        if needle in text:
            text = text.replace(needle, mark)
    return text


def _pieces(text: str, size: int) -> set[str]:
    """The distinct pieces of ``text`` of ``size`` characters."""
    return {text[i : i + size] for i in range(len(text) - size + 1)}


class NeedleSet:
    """``needles`` in their order (the order they are replaced in), made once for many texts."""

    __slots__ = ("_at", "_direct", "_index", "_keys", "_risky", "_short", "needles")

    def __init__(self, needles: Iterable[str]) -> None:
        self.needles = tuple(needles)
        self._at: dict[str, list[int]] = {}
        for at, needle in enumerate(self.needles):
            self._at.setdefault(needle, []).append(at)
        short = [n for n in self._at if len(n) < _GRAM]
        self._direct = tuple(short) if len(short) <= _DIRECT else ()
        # Many short needles: looked up among a text's pieces of each of their lengths.
        self._short: dict[int, frozenset[str]] = {}
        if not self._direct:
            for length in {len(n) for n in short}:
                self._short[length] = frozenset(n for n in short if len(n) == length)
        pieces = {n: _pieces(n, _GRAM) for n in self._at if len(n) >= _GRAM}
        shared = Counter(p for ps in pieces.values() for p in ps)
        index: dict[str, list[str]] = {}
        for needle, ps in pieces.items():
            # Filed under the piece fewest needles share: a text holding it tries few needles.
            index.setdefault(min(ps, key=lambda p: (shared[p], p)), []).append(needle)
        self._index = {p: tuple(ns) for p, ns in index.items()}
        self._keys = frozenset(self._index)
        self._risky: dict[str, frozenset[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.needles)

    def present(self, text: str) -> set[str]:
        """The needles that occur in ``text`` (each as written)."""
        found = {n for n in self._direct if n in text}
        for length, short in self._short.items():
            if length == 0:
                found.add("")  # the empty needle is in every text
            else:
                found.update(_pieces(text, length).intersection(short))
        if self._index and len(text) >= _GRAM:
            # A set with a set: the smaller is walked (with a dict, the dict was: every needle, each text).
            for piece in _pieces(text, _GRAM).intersection(self._keys):
                found.update(n for n in self._index[piece] if n in text)
        return found

    def any_in(self, text: str) -> bool:
        """Whether one of the needles occurs in ``text``."""
        return bool(self.present(text))

    def replace(self, text: str, mark: str) -> str:
        """``text`` with each needle in turn replaced by ``mark``: what :func:`replace_each` answers.

        Only the needles in ``text`` are tried, and those a mark put in may make appear (see
        :meth:`_made_by`): a needle neither in the text nor able to straddle or sit inside a mark cannot
        be found at its turn either."""
        found = self.present(text)
        risky = self._made_by(mark)
        if not found and not risky:
            return text
        turns = sorted(at for n in found.union(risky) for at in self._at[n])
        return replace_each(text, (self.needles[at] for at in turns), mark)

    def _made_by(self, mark: str) -> frozenset[str]:
        """The needles that may occur only once ``mark`` has replaced some text.

        A mark ``[…]`` with no bracket inside: a text's original characters and a mark's meet only at
        the mark's bracket (each replacement puts a whole mark in, brackets at its seams), so a needle
        without a bracket found after replacements lies in original text or inside one mark. Any other
        mark: every needle sharing one of its characters."""
        made = self._risky.get(mark)
        if made is None:
            inner = mark[1:-1]
            if (
                len(mark) >= 2
                and mark[0] == "["
                and mark[-1] == "]"
                and "[" not in inner
                and "]" not in inner
            ):
                made = frozenset(n for n in self.needles if "[" in n or "]" in n or n in mark)
            else:
                made = frozenset(n for n in self.needles if not set(n).isdisjoint(mark))
            self._risky[mark] = made
        return made
