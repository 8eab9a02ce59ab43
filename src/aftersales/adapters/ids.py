"""Id generators: random UUIDs, or readable sequential ids (``T-000001``) that survive restarts.

:class:`SequentialIds` keeps its counters in memory, or, given a store factory, in the store's
document collection (one ``IdCounter`` per kind, bumped in its own transaction with optimistic
retries), so two processes sharing a database never hand out the same id.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, StorageError, ValidationError
from aftersales.ports.fork_renewal import renew_after_fork
from aftersales.ports.text_search import normalize
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["DEFAULT_BLOCKS", "DEFAULT_PREFIXES", "IdCounter", "SequentialIds", "UuidIds"]

_DASH = "[-\u2010-\u2015]?"  # a hyphen, or the en or em dash a word processor made of it, or none

DEFAULT_PREFIXES: Mapping[str, str] = {
    "ticket": "T",
    "complaint": "C",
    "materials_request": "MR",
    "message": "M",
}


def _check_text(value: object, field: str) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{field} is text, got {type(value).__name__}", field=field, rule="text")


DEFAULT_BLOCKS: Mapping[str, int] = {"access_record": 100}
"""Kinds whose kept numbers are reserved many at a time, and how many: nobody is shown an access record's
id, and each read of personal data writes one (a counter write per read, session 35)."""

_MOST_BLOCK = 100_000


class UuidIds:
    """Random ids: ``<kind>-<uuid4 hex>``; unique without coordination."""

    def next_id(self, kind: str) -> str:
        """A new random id for ``kind``."""
        return f"{kind}-{uuid.uuid4().hex}"

    def spelt_id(self, kind: str, term: str) -> str | None:
        """``term`` as one of this generator's ids of ``kind`` typed without its dash (``ticket<hex>``),
        as search holds it (:class:`~aftersales.ports.ids.SpellsIds`); else None."""
        _check_text(kind, "kind")
        _check_text(term, "term")
        found = re.fullmatch(rf"({re.escape(normalize(kind))}){_DASH}([0-9a-f]{{32}})", term)
        return f"{found[1]}-{found[2]}" if found else None


@attrs.define
class IdCounter:
    """The last number handed out for one id kind (stored as a document)."""

    DOCUMENT_KIND: ClassVar[str] = "id_counter"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    last: int = 0
    version: int = 0


@host_factories
class SequentialIds:
    """Readable ids ``<PREFIX>-<number>`` (``T-000001``), one sequence per kind.

    ``prefixes`` maps a kind to its prefix (unknown kinds use the kind upper-cased). With ``store``
    (a callable returning a unit of work) the counters are persisted; otherwise they live in memory.

    Kept counters are bumped in a transaction of their own for each id: a ticket number is never given
    twice nor skipped (a command re-run after a lost race takes its first run's number again,
    :mod:`aftersales.service.call_ids`). ``blocks`` names kinds whose ids nobody is shown, reserved that
    many at a time (one counter write per block, not per id): access records, one per read of personal
    data (:data:`DEFAULT_BLOCKS`). Such ids are unique and rise within a process; those a process did not
    use before it stopped are skipped.
    """

    def __init__(
        self,
        prefixes: Mapping[str, str] = DEFAULT_PREFIXES,
        *,
        width: int = 6,
        store: Callable[[], UnitOfWork] | None = None,
        retries: int | None = None,
        blocks: Mapping[str, int] | None = None,
    ) -> None:
        if width < 1:
            raise ValidationError("width must be at least 1", field="width")
        self._blocks = _checked_blocks(DEFAULT_BLOCKS if blocks is None else blocks)
        for name, given in (("retries", retries), ("blocks", blocks)):
            if given is not None and store is None:  # both shape writes to the kept counters only
                raise ValidationError(
                    f"{name} applies to counters kept in a store; without store= they live in memory",
                    field=name,
                )
        if retries is not None and (type(retries) is not int or retries < 1):
            raise ValidationError(
                f"retries is a whole number of at least 1, got {retries!r}", field="retries"
            )
        self._reserved: dict[str, tuple[int, int]] = {}
        """Per kind of ``blocks``: (the next number this process hands out, the last one it reserved)."""
        self._prefixes = dict(prefixes)
        self._width = width
        self._store = store
        self._retries = 20 if retries is None else retries
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()
        renew_after_fork(self)

    @property
    def counters_store(self) -> Callable[[], UnitOfWork] | None:
        """The store its counters are kept in (``None``: in memory); a desk refuses a generator counting in
        its own SQLite file (:mod:`aftersales.service.ids_store_check`)."""
        return self._store

    def _renew_locks_after_fork(self) -> None:
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork

    def next_id(self, kind: str) -> str:
        """The next id of ``kind``."""
        number = self._next_number(kind)
        prefix = self._prefixes.get(kind, kind.upper())
        return f"{prefix}-{number:0{self._width}d}"

    def move_past(self, kind: str, ids: Iterable[str]) -> None:
        """Never hand out any of ``ids`` for ``kind`` (:class:`~aftersales.ports.ids.LearnsTakenIds`): the
        sequence moves to the highest id spelt as this generator spells ``kind`` (its prefix, the number
        zero-padded to its width), never back; other ids it never hands out anyway. Kept counters move in
        their store, in a transaction of their own."""
        if not isinstance(kind, str):
            raise ValidationError(f"kind is an id kind's name, got {type(kind).__name__}", field="kind")
        if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            raise ValidationError(f"ids is an iterable of ids, got {type(ids).__name__}", field="ids")
        highest = self._highest_of(kind, ids)
        if highest == 0:
            return
        with self._lock:  # a block reserved before reaches the ids told of: reserve anew past them
            reserved = self._reserved.get(kind)
            if reserved is not None and reserved[0] <= highest:
                del self._reserved[kind]
        if self._store is None:
            with self._lock:
                self._counters[kind] = max(self._counters.get(kind, 0), highest)
            return
        for _ in range(self._retries):
            try:
                with self._store() as uow:
                    try:
                        counter = uow.documents.get(IdCounter, kind)
                    except NotFound:
                        uow.documents.add(IdCounter(kind, highest))
                    else:
                        if counter.last >= highest:
                            return
                        counter.last = highest
                        uow.documents.save(counter)
                    uow.commit()
                    return
            except (ConcurrencyConflict, DuplicateError):
                continue  # another process moved it meanwhile: read it again
        raise StorageError(f"could not move the {kind} ids past {highest} after {self._retries} attempts")

    def spelt_id(self, kind: str, term: str) -> str | None:
        """``term`` as one of this generator's ids of ``kind`` typed without its dash or with another
        (``t000001``, ``t–000001`` → ``t-000001``), as search holds it (case-folded), when it is spelt with
        the kind's prefix and at least the width's digits (:class:`~aftersales.ports.ids.SpellsIds`)."""
        _check_text(kind, "kind")
        _check_text(term, "term")
        prefix = normalize(self._prefixes.get(kind, kind.upper()))
        found = re.fullmatch(rf"{re.escape(prefix)}{_DASH}([0-9]{{{self._width},}})", term)
        return f"{prefix}-{found[1]}" if found else None

    def _highest_of(self, kind: str, ids: Iterable[str]) -> int:
        """The highest number among ``ids`` spelt exactly as :meth:`next_id` spells ``kind`` (0: none)."""
        prefix = self._prefixes.get(kind, kind.upper())
        spelt = re.compile(rf"{re.escape(prefix)}-([0-9]{{{self._width},}})", re.ASCII)
        highest = 0
        for id_ in ids:
            found = spelt.fullmatch(id_) if isinstance(id_, str) else None
            if found is None:
                continue
            number = int(found[1])
            if f"{prefix}-{number:0{self._width}d}" == id_ and number > highest:
                highest = number  # "T-0000042" at width 6 is never written: it moves nothing
        return highest

    def _next_number(self, kind: str) -> int:
        store = self._store
        if store is None:
            with self._lock:
                self._counters[kind] = self._counters.get(kind, 0) + 1
                return self._counters[kind]
        block = self._blocks.get(kind)
        if block is not None:
            with self._lock:
                following, last = self._reserved.get(kind, (1, 0))
                if following <= last:
                    self._reserved[kind] = (following + 1, last)
                    return following
            last = self._bump(store, kind, block)
            with self._lock:
                self._reserved[kind] = (last - block + 2, last)
            return last - block + 1
        return self._bump(store, kind, 1)

    def _bump(self, store: Callable[[], UnitOfWork], kind: str, count: int) -> int:
        """Move the kept counter of ``kind`` on by ``count`` in a transaction of its own; its new value."""
        for _ in range(self._retries):
            try:
                with store() as uow:
                    try:
                        counter = uow.documents.get(IdCounter, kind)
                    except NotFound:
                        counter = IdCounter(kind, count)
                        uow.documents.add(counter)
                    else:
                        counter.last += count
                        uow.documents.save(counter)
                    uow.commit()
                    return counter.last
            except (ConcurrencyConflict, DuplicateError):
                continue  # another process took this number; read the counter again
        raise StorageError(f"could not allocate a {kind} id after {self._retries} attempts")


def _checked_blocks(blocks: object) -> dict[str, int]:
    """``blocks`` as a dict of kinds to block sizes (1 to 100,000), else ``ValidationError``."""
    if not isinstance(blocks, Mapping):
        raise ValidationError(f"blocks maps id kinds to counts, got {type(blocks).__name__}", field="blocks")
    checked: dict[str, int] = {}
    for kind, size in blocks.items():
        if not isinstance(kind, str) or not isinstance(size, int) or isinstance(size, bool):
            raise ValidationError("blocks maps id kinds (text) to whole numbers", field="blocks")
        if not 1 <= size <= _MOST_BLOCK:
            raise ValidationError(
                f"a block is 1 to {_MOST_BLOCK:,} ids, got {size} for {kind!r}",
                field="blocks",
                rule="whole_number",
                rule_params={"least": 1, "most": _MOST_BLOCK},
            )
        checked[kind] = size
    return checked
