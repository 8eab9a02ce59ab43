"""What a store offers for erasing a person's data (PIPL), beyond the repositories every store has.

The outbox and the idempotency keys have no column naming the customer, and their rows may quote a
name, a phone or an e-mail anywhere (a rendered message, a whole ticket). A store that supports
erasure gives both a ``scrub(needles)`` that rewrites every row containing one of the strings; the
store factory may offer ``shred()`` to make freed bytes unrecoverable (SQLite checkpoints its WAL;
pages are zeroed as they are freed, with ``secure_delete``). The helpers here are the rewriting rules
the adapters share, so every store answers the same way.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.erasure import ERASED, is_id_key, needles_of, scrub, scrub_text
from aftersales.domain.needle_set import NeedleSet
from aftersales.ports.outbox import OutboxMessage
from aftersales.serialization import decode_json, encode_json

__all__ = [
    "IdNames",
    "KeepsPersonalCopies",
    "QuotedNeedles",
    "ScrubPlan",
    "Scrubbable",
    "Shreddable",
    "Sweepable",
    "Wanted",
    "WholeValue",
    "forget_erased_everywhere",
    "keeps_personal_copies",
    "names_id",
    "quotes_any",
    "scrub_idempotency_row",
    "scrub_message",
    "scrub_needles",
]


@runtime_checkable
class Scrubbable(Protocol):
    """An outbox or idempotency store that can rewrite rows quoting a person's strings."""

    def scrub(
        self, needles: Sequence[str], *, free_text: Sequence[str] = (), within: Sequence[str] = ()
    ) -> int:
        """Replace each needle wherever it occurs, and each of ``free_text`` in the rows naming one of
        ``within`` (:func:`scrub_needles`); return how many rows were rewritten."""
        ...


@runtime_checkable
class Sweepable(Protocol):
    """An idempotency store the retention job can expire (mark and sweep)."""

    def sweep(self, now_us: int, before_us: int, limit: int | None = None) -> int:
        """Drop results first seen before ``before_us``, stamp unseen ones ``now_us``; count the dropped.

        ``limit`` bounds the stamps expired in one pass (each the stamp of at most one result): the
        earliest first seen, then by key in code-point order, so every store drops the same rows and the
        next pass goes on where this one stopped. ``None`` expires them all."""
        ...


@runtime_checkable
class Shreddable(Protocol):
    """A store factory that can make the bytes of erased data unrecoverable after the commit."""

    def shred(self) -> None:
        """Overwrite or release whatever still holds old row versions (journals, free pages)."""
        ...


class KeepsPersonalCopies(Protocol):
    """Something in this process that keeps copies of stored data (a store's parsed records and kept
    tickets, a desk's notification addresses and SLA logs) and can drop an erased person's once the
    erasure has committed (PIPL: the data is gone, not only hidden behind the stored rows)."""

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop what is kept of ``customer_id``, of ``ticket_ids``, and any kept text quoting one of
        ``needles``; return how many entries were dropped."""
        ...


_HOLDERS: weakref.WeakSet[KeepsPersonalCopies] = weakref.WeakSet()
_HOLDERS_LOCK = threading.Lock()


def _renew_lock_after_fork() -> None:
    # A thread of the parent may have held it at the fork: the child's first desk would wait forever.
    global _HOLDERS_LOCK
    _HOLDERS_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_renew_lock_after_fork)


def keeps_personal_copies(holder: KeepsPersonalCopies) -> None:
    """Register ``holder`` (weakly: a closed desk or store collected takes it along) so that an erasure
    through any desk of this process reaches it (:func:`forget_erased_everywhere`). Several desks and
    stores may be open in one process on one database (one per worker)."""
    with _HOLDERS_LOCK:
        _HOLDERS.add(holder)


def forget_erased_everywhere(customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
    """Every registered holder of this process drops the erased person; how many entries in all."""
    with _HOLDERS_LOCK:
        holders = list(_HOLDERS)
    prepared = QuotedNeedles(needles)  # once: every kept entry of every holder is asked of it
    return sum(h.forget_erased(customer_id, ticket_ids, prepared) for h in holders)


class QuotedNeedles(tuple[str, ...]):
    """An erasure's needles, as :func:`quotes_any` asks them of many texts: prepared once.

    Why: every memo entry of the process was asked about every needle (the person's strings and each
    piece of their free text, one or more per ticket): entries x tickets (session 34 m: 5 of 6 s of CPU
    erasing 1,000 tickets with their own notes). The answers are those of asking each in turn."""

    _sets: tuple[NeedleSet, NeedleSet] | None = None

    def quoted_in(self, text: str) -> bool:
        """Whether ``text`` holds one of the needles, as written or as JSON escapes it."""
        if self._sets is None:
            escaped = (
                e
                for needle in self
                for e in (json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1])
                if e != needle
            )
            self._sets = (NeedleSet(self), NeedleSet(escaped))
        written, escaped_sets = self._sets
        return written.any_in(text) or ("\\" in text and escaped_sets.any_in(text))


def quotes_any(text: str | bytes, needles: Sequence[str]) -> bool:
    """Whether ``text`` (stored JSON, or any text) holds one of ``needles``, as written or as JSON
    escapes it (``\\uXXXX``, ``\\"``): a kept copy of a stored row quotes a person either way."""
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode("utf-8", "replace")
    if isinstance(needles, QuotedNeedles):
        return needles.quoted_in(text)
    if any(needle in text for needle in needles):
        return True
    if "\\" not in text:
        # A needle's escaped form differs from it only by an escape, which starts with a backslash: a text
        # without one quotes no escaped form. Why: every memo entry of the process is asked about every
        # needle (one per ticket of the person), and escaping each needle anew for each entry was most of
        # an erasure's time (session 33 g: 8 s of 12 s after the commit of 400 tickets on SQLite).
        return False
    for needle in needles:
        for escaped in (json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]):
            if escaped != needle and escaped in text:
                return True
    return False


class IdNames:
    """The ids of :func:`names_id`, made once for every row an erasure reads.

    Why: asking each id in turn of each row was rows × ids (an outbox message per ticket of the person,
    each asked about every ticket id): 6 of 17 s of erasing a customer with 2,000 open tickets on SQLite
    (session 34 g). Here a row is cut where an id may start or end (after a quote, before a quote or a
    colon) and each piece looked up in a set: the row's length, not the person's tickets."""

    __slots__ = ("_ids", "_longest", "_odd")

    def __init__(self, ids: Iterable[str]) -> None:
        unique = frozenset(ids)
        # An id holding a quote is not cut out by the quotes; it is asked the long way (none is, in practice).
        self._odd = tuple(i for i in unique if '"' in i)
        self._ids = unique.difference(self._odd)
        self._longest = max(map(len, self._ids), default=0)

    def __bool__(self) -> bool:
        return bool(self._ids or self._odd)

    def named_in(self, text: str) -> bool:
        """Whether ``text`` names one of the ids (see :func:`names_id`)."""
        ids = self._ids
        if text in ids or self._heads_key(text):
            return True
        for start in _positions(text, '"'):
            start += 1
            end = text.find('"', start)
            piece = text[start:] if end < 0 else text[start:end]
            if (end >= 0 and piece in ids) or self._heads_key(piece):
                return True
        return any(
            f'"{id_}"' in text or f'"{id_}:' in text or text == id_ or text.startswith(f"{id_}:")
            for id_ in self._odd
        )

    def _heads_key(self, text: str) -> bool:
        """Whether ``text`` starts with one of the ids and a colon (a key's head: ``SR-…:2:…``)."""
        colon = text.find(":", 0, self._longest + 1)
        while colon >= 0:
            if text[:colon] in self._ids:
                return True
            colon = text.find(":", colon + 1, self._longest + 1)
        return False


def _positions(text: str, char: str) -> Iterator[int]:
    """Where ``char`` occurs in ``text``, in order."""
    at = text.find(char)
    while at >= 0:
        yield at
        at = text.find(char, at + 1)


def names_id(text: str, ids: Sequence[str] | IdNames) -> bool:
    """Whether ``text`` (a row's JSON, or a key) names one of ``ids``: as a whole JSON string
    (``"SR-2026-000001"``), or at the head of a key (``SR-2026-000001:2:progress_note:…``)."""
    return (ids if isinstance(ids, IdNames) else IdNames(ids)).named_in(text)


class WholeValue(str):
    """Free text of the person too short to hunt inside other text ("态度差", "不满意": a notice's own
    words say "处理结果不满意"), blanked where it is a whole value of a row about them: a ticket event the
    outbox mirrors (a callback's ``other_complaints`` or ``comment``, the reason of the rework it opened),
    a command's stored request. Passed among ``free_text``; a quote of it inside a rendered sentence
    stays (it cannot be told from the template's words)."""

    __slots__ = ()


def scrub_needles(
    texts: Sequence[str], needles: Sequence[str], free_text: Sequence[str], within: Sequence[str] | IdNames
) -> tuple[str, ...]:
    """What to replace in a row whose texts are ``texts``: the person's own strings (``needles``: a
    name, a phone) wherever they are; the free text blanked in their records (``free_text``: a note, a
    description) only in a row naming one of their ids (``within``: the customer and their tickets),
    a :class:`WholeValue` only where a value is all of it.

    Why: "明天上午上门维修" typed in the erased person's note is typed in other customers' notes too;
    replaced in every row, it blanked the progress message still to be sent to another customer.
    A store scrubbing many rows asks one :class:`ScrubPlan`, made once."""
    if free_text and any(names_id(text, within) for text in texts):
        return _with_free_text(needles, free_text)
    return tuple(needles)


class Wanted:
    """What :func:`scrub_needles` answers for a row, made once for every row it is the answer of.

    ``needles`` is that answer; ``whole`` its :class:`WholeValue` ones. :func:`scrub_message` and
    :func:`scrub_idempotency_row` take it for ``needles``; :meth:`in_json` and :meth:`as_written` say
    whether a row may hold one."""

    __slots__ = ("_escaped", "_others", "_raw", "needles", "whole")

    def __init__(self, needles: Sequence[str]) -> None:
        self.needles = tuple(needles)
        self.whole = frozenset(str(n) for n in self.needles if isinstance(n, WholeValue))
        self._others = NeedleSet(n for n in self.needles if not isinstance(n, WholeValue))
        self._escaped = NeedleSet(encode_json(n)[1:-1] for n in self.needles)
        self._raw = NeedleSet(self.needles)

    def as_written(self, text: str) -> bool:
        """Whether ``text`` holds one of the needles as written."""
        return self._raw.any_in(text)

    def in_json(self, text: str) -> bool:
        """Whether ``text`` (stored JSON, or a key) holds one of the needles as JSON writes it."""
        return self._escaped.any_in(text)


class ScrubPlan:
    """One scrub's :func:`scrub_needles`, made once for every row a store reads.

    Why: asked row by row, the answer (the person's strings and every piece of their free text, sorted)
    was made anew for each row naming them, and each of its needles tried on each string of the row:
    rows x free text, quadratic in a person's tickets when each has its own description or notes
    (session 34 m). Here both answers are made once, and a row's strings try only the needles they
    may hold (:class:`~aftersales.domain.needle_set.NeedleSet`); the finds are those of the row rule."""

    __slots__ = ("_named", "everything", "free_text", "plain")

    def __init__(
        self, needles: Sequence[str], free_text: Sequence[str], within: Sequence[str] | IdNames
    ) -> None:
        self._named = within if isinstance(within, IdNames) else IdNames(within)
        self.plain = Wanted(needles)
        self.free_text = bool(free_text)
        self.everything = Wanted(_with_free_text(needles, free_text)) if free_text else self.plain

    def for_row(self, texts: Sequence[str]) -> Wanted:
        """What to replace in a row whose texts are ``texts`` (:func:`scrub_needles`)."""
        if self.free_text and any(self._named.named_in(text) for text in texts):
            return self.everything
        return self.plain

    def may_touch(self, text: str) -> bool:
        """Whether a row whose stored JSON (or key) is ``text`` may hold one of the needles of any row."""
        return self.everything.in_json(text)


def _with_free_text(needles: Sequence[str], free_text: Sequence[str]) -> tuple[str, ...]:
    """The answer of :func:`scrub_needles` for a row naming one of the ids."""
    whole = [t for t in free_text if isinstance(t, WholeValue)]
    found = needles_of([*needles, *(t for t in free_text if not isinstance(t, WholeValue))])
    return (*found, *dict.fromkeys(WholeValue(w.strip()) for w in whole if w.strip()))


def _split(needles: tuple[str, ...] | Wanted) -> tuple[frozenset[str], tuple[str, ...] | NeedleSet]:
    """The whole values among ``needles``, and the others (replaced wherever they occur)."""
    if isinstance(needles, Wanted):
        return needles.whole, needles._others
    whole = frozenset(str(n) for n in needles if isinstance(n, WholeValue))
    return whole, tuple(n for n in needles if not isinstance(n, WholeValue))


def _blank_whole(data: Any, whole: frozenset[str]) -> Any:
    """JSON-ready ``data`` with each string value that is one of ``whole`` (stripped) blanked; the
    values of identifier keys kept, as :func:`~aftersales.domain.erasure.scrub` keeps them."""
    if not whole:
        return data
    if isinstance(data, str):
        return ERASED if data.strip() in whole else data
    if isinstance(data, dict):
        return {k: v if is_id_key(k) else _blank_whole(v, whole) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_blank_whole(item, whole) for item in data]
    return data


def scrub_message(message: OutboxMessage, needles: tuple[str, ...] | Wanted) -> OutboxMessage:
    """``message`` with each needle replaced in its payload, key and last error (its id and times kept)."""
    whole, others = _split(needles)
    return attrs.evolve(
        message,
        payload=scrub(_blank_whole(dict(message.payload), whole), others),
        idempotency_key=scrub_text(message.idempotency_key, others),
        last_error=None if message.last_error is None else scrub_text(message.last_error, others),
    )


def scrub_idempotency_row(key: str, result_json: str, needles: tuple[str, ...] | Wanted) -> tuple[str, str]:
    """An idempotency row's key and JSON result with each needle replaced."""
    whole, others = _split(needles)
    result = scrub(_blank_whole(decode_json(result_json), whole), others)
    return scrub_text(key, others), encode_json(result)
