"""SQL literals for the statements a command sends as one simple query (its read, its writes).

A command's statements travel as text in one simple-protocol query (see
:mod:`aftersales.adapters.postgres_pipeline`), so their parameters are rendered as literals on this
side. psycopg's ``ClientCursor.mogrify`` does that through its general adaptation machinery — the
largest single cost of a command's writes in the profiles. The values a command writes are few
kinds (text, integers, booleans, ``NULL``, ``jsonb`` text, lists of text), rendered here directly;
anything else goes to psycopg's own rendering, so every value is quoted correctly or refused as
psycopg refuses it. Text is quoted the standard way (quotes doubled, backslashes literal), which
needs the server's ``standard_conforming_strings`` on (the default since PostgreSQL 9.1):
:func:`standard_strings` says whether a connection has it, else the caller keeps psycopg's rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

try:
    import psycopg
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["literals", "render", "standard_strings"]

_PIECES: dict[str, tuple[str, ...] | None] = {}
"""Each statement's text split at its ``%s`` placeholders (``None``: other placeholders, not ours)."""
_PIECES_LIMIT = 2048


def standard_strings(conn: psycopg.Connection[Any]) -> bool:
    """Whether ``conn``'s server reads ``'…'`` literally (backslashes are not escapes)."""
    return conn.pgconn.parameter_status(b"standard_conforming_strings") == b"on"


def _pieces(sql: str) -> tuple[str, ...] | None:
    found = _PIECES.get(sql, ())
    if found == ():
        # "%%" or "%(name)s" would need psycopg's parser: such statements keep its rendering.
        found = None if sql.count("%") != sql.count("%s") else tuple(sql.split("%s"))
        if len(_PIECES) >= _PIECES_LIMIT:
            _PIECES.clear()  # a bound, not a policy: statements built per filter must not grow it forever
        _PIECES[sql] = found
    return found


def _text(value: str) -> str | None:
    if "\x00" in value:
        return None  # PostgreSQL text cannot hold NUL: psycopg refuses it with its own error
    return "'" + value.replace("'", "''") + "'"


def _jsonb(value: Jsonb) -> str | None:
    dumped = value.dumps(value.obj) if value.dumps is not None else None
    if isinstance(dumped, (bytes, bytearray, memoryview)):
        dumped = bytes(dumped).decode()
    if not isinstance(dumped, str):
        return None
    text = _text(dumped)
    return None if text is None else text + "::jsonb"


def _text_array(values: list[Any]) -> str | None:
    """A list of strings as an untyped array literal, as psycopg writes it (its context gives the
    type): each element double-quoted, with backslashes and double quotes escaped for the array parser."""
    items = []
    for item in values:
        if type(item) is not str:
            return None  # numbers, NULLs, nested lists: psycopg's rendering
        items.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return _text("{" + ",".join(items) + "}")


def _literal(value: object) -> str | None:
    """``value`` as a literal, or ``None`` when psycopg should render it."""
    kind = type(value)
    if kind is str:
        return _text(value)  # type: ignore[arg-type]
    if value is None:
        return "NULL"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value) if value >= 0 else f" {value}"  # type: ignore[operator]  # never "--": a comment
    if kind is Jsonb:
        return _jsonb(value)  # type: ignore[arg-type]
    if kind is list:
        return _text_array(value)  # type: ignore[arg-type]
    return None


def render(sql: str, params: Sequence[Any], fallback: Callable[[str, Sequence[Any]], str]) -> str:
    """``sql`` with ``params`` as literals; ``fallback(sql, params)`` (psycopg's mogrify) renders a
    statement holding anything this module does not render itself."""
    if not params:
        return sql
    pieces = _pieces(sql)
    if pieces is None or len(pieces) != len(params) + 1:
        return fallback(sql, params)
    out = [pieces[0]]
    for value, piece in zip(params, pieces[1:], strict=True):
        literal = _literal(value)
        if literal is None:
            return fallback(sql, params)
        out.append(literal)
        out.append(piece)
    return "".join(out)


def literals(params: Sequence[Any]) -> list[str] | None:
    """Each of ``params`` as a literal, or ``None`` if one needs psycopg's rendering."""
    out = []
    for value in params:
        literal = _literal(value)
        if literal is None:
            return None
        out.append(literal)
    return out
