"""Versioned documents on SQL: the ``documents`` table and its ``document_index``, for every SQL store.

The SQLite and PostgreSQL stores share the statements and the rules (a duplicate id, a stale version,
an unknown index field); each supplies its placeholder, how it runs a statement, and how a document
goes into and comes out of its ``data`` column (JSON text for SQLite, ``jsonb`` for PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, ValidationError
from aftersales.ports.documents import D, Document, document_spec, index_value, with_version

__all__ = ["SqlDocuments"]

_STATEMENTS = {
    "get": "SELECT version, data FROM documents WHERE kind = ? AND id = ?",
    # ON CONFLICT, not an error: a PostgreSQL transaction could not go on after one.
    "add": "INSERT INTO documents (kind, id, version, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    "save": "UPDATE documents SET version = ?, data = ? WHERE kind = ? AND id = ? AND version = ?",
    "version": "SELECT version FROM documents WHERE kind = ? AND id = ?",
    "unindex": "DELETE FROM document_index WHERE kind = ? AND id = ?",
    "index": "INSERT INTO document_index (kind, field, value, id) VALUES (?, ?, ?, ?)",
    "query": "SELECT d.version, d.data FROM documents d WHERE d.kind = ?",
    "matches": (
        " AND EXISTS (SELECT 1 FROM document_index i WHERE i.kind = d.kind AND i.id = d.id"
        " AND i.field = ? AND i.value = ?)"
    ),
    "matches_null": (
        " AND EXISTS (SELECT 1 FROM document_index i WHERE i.kind = d.kind AND i.id = d.id"
        " AND i.field = ? AND i.value IS NULL)"
    ),
}


class SqlDocuments:
    """The document repository of a SQL unit of work; subclasses set ``placeholder`` and the three hooks."""

    placeholder: ClassVar[str] = "?"
    _sql: ClassVar[dict[str, str]] = _STATEMENTS

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._sql = {name: sql.replace("?", cls.placeholder) for name, sql in _STATEMENTS.items()}

    def _run(self, sql: str, params: Sequence[Any]) -> Any:
        """Execute ``sql`` in the unit of work; returns the cursor."""
        raise NotImplementedError

    def _encode(self, obj: Document, version: int) -> Any:
        """``obj`` at ``version`` as the store's ``data`` value."""
        raise NotImplementedError

    def _decode(self, data: Any, cls: type[D]) -> D:
        """A ``data`` value back as a ``cls``."""
        raise NotImplementedError

    def _write_index(self, obj: Document, kind: str, index: tuple[str, ...]) -> None:
        self._run(self._sql["unindex"], (kind, obj.id))
        for name in index:
            self._run(self._sql["index"], (kind, name, index_value(getattr(obj, name)), obj.id))

    def get(self, cls: type[D], id: str) -> D:
        kind = document_spec(cls).kind
        found = self._run(self._sql["get"], (kind, id)).fetchone()
        if found is None:
            raise NotFound(kind, id)
        return with_version(self._decode(found[1], cls), found[0])

    def add(self, obj: Document) -> None:
        spec = document_spec(type(obj))
        cursor = self._run(self._sql["add"], (spec.kind, obj.id, obj.version, self._encode(obj, obj.version)))
        if cursor.rowcount != 1:
            raise DuplicateError(f"{spec.kind} {obj.id!r} already exists")
        self._write_index(obj, spec.kind, spec.index)

    def save(self, obj: D) -> D:
        spec = document_spec(type(obj))
        new = obj.version + 1
        cursor = self._run(self._sql["save"], (new, self._encode(obj, new), spec.kind, obj.id, obj.version))
        if cursor.rowcount != 1:
            found = self._run(self._sql["version"], (spec.kind, obj.id)).fetchone()
            if found is None:
                raise NotFound(spec.kind, obj.id)
            raise ConcurrencyConflict(spec.kind, obj.id, obj.version, found[0])
        self._write_index(obj, spec.kind, spec.index)
        return with_version(obj, new)

    def query(self, cls: type[D], **equals: object) -> Sequence[D]:
        spec = document_spec(cls)
        unknown = set(equals) - set(spec.index)
        if unknown:
            raise ValidationError(f"{spec.kind} has no index field(s) {', '.join(sorted(unknown))}")
        sql = self._sql["query"]
        params: list[object] = [spec.kind]
        for name, value in equals.items():
            stored = index_value(value)
            if stored is None:
                sql += self._sql["matches_null"]
                params.append(name)
            else:
                sql += self._sql["matches"]
                params += (name, stored)
        sql += " ORDER BY d.id"
        return [with_version(self._decode(data, cls), version) for version, data in self._run(sql, params)]
