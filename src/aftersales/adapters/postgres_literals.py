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
    from psycopg.adapt import PyFormat
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["literals", "literals_utf8", "parameters_utf8", "render", "render_utf8", "standard_strings"]

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


def _null(_value: None) -> str:
    return "NULL"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _int(value: int) -> str:
    return str(value) if value >= 0 else f" {value}"  # never "--": a comment


_RENDER: dict[type, Callable[[Any], str | None]] = {
    str: _text,
    type(None): _null,
    bool: _bool,
    int: _int,
    Jsonb: _jsonb,
    list: _text_array,
}
"""How each kind of value is written, by its exact type (a subclass goes to psycopg, except text
enums, see :func:`_learn`): one lookup per value instead of a chain of tests (a ticket's update writes
some 25 values)."""
_LEARNED_LIMIT = 256
_LEARNED: set[type] = set()
"""Subclasses of ``str`` found written as the text they hold (:func:`_learn`)."""


def _learn(kind: type) -> bool:
    """Whether ``kind``, a value's type missing from the tables, is a subclass of ``str`` that psycopg
    writes as the text it holds, as it writes ``str`` (a text enum: a document's ``state`` index value
    is a ``CodedEnum``). If so it joins the tables: a statement holding one went to psycopg's
    rendering as text, unprepared (session 29: every save of a callback task, a materials request…)."""
    if not issubclass(kind, str) or len(_LEARNED) >= _LEARNED_LIMIT:
        return False
    try:
        same = psycopg.adapters.get_dumper(kind, PyFormat.TEXT) is psycopg.adapters.get_dumper(
            str, PyFormat.TEXT
        )
    except psycopg.ProgrammingError:
        return False
    if same:
        _LEARNED.add(kind)
        _RENDER[kind] = _text
        _RENDER_UTF8[kind] = _text_utf8
    return same


def _how(kind: type) -> Callable[[Any], str | None] | None:
    how = _RENDER.get(kind)
    if how is None and _learn(kind):
        how = _RENDER.get(kind)
    return how


def _literal(value: object) -> str | None:
    """``value`` as a literal, or ``None`` when psycopg should render it."""
    how = _how(type(value))
    return None if how is None else how(value)


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
    get = _RENDER.get
    for value in params:
        how = get(type(value)) or _how(type(value))
        literal = None if how is None else how(value)
        if literal is None:
            return None
        out.append(literal)
    return out


# The same literals as UTF-8 bytes, for a query sent as bytes on a UTF-8 connection: a ticket's document
# (UTF-8 bytes from the serializer) then goes into the query as it is, where decoding it to text and
# encoding the query back took some 20 µs of a command's client time per 3 kB of Chinese text.


def _text_utf8(value: str) -> bytes | None:
    literal = _text(value)
    return None if literal is None else literal.encode()


def _jsonb_utf8(value: Jsonb) -> bytes | None:
    dumped = value.dumps(value.obj) if value.dumps is not None else None
    if isinstance(dumped, str):
        dumped = dumped.encode()
    elif isinstance(dumped, (bytearray, memoryview)):
        dumped = bytes(dumped)
    if not isinstance(dumped, bytes) or b"\x00" in dumped:
        return None  # NUL: psycopg refuses it with its own error
    return b"'" + dumped.replace(b"'", b"''") + b"'::jsonb"


def _encoded(render: Callable[[Any], str | None]) -> Callable[[Any], bytes | None]:
    def encoded(value: Any) -> bytes | None:
        literal = render(value)
        return None if literal is None else literal.encode()

    return encoded


_RENDER_UTF8: dict[type, Callable[[Any], bytes | None]] = {
    str: _text_utf8,
    type(None): lambda _value: b"NULL",
    bool: lambda value: b"true" if value else b"false",
    int: _encoded(_int),
    Jsonb: _jsonb_utf8,
    list: _encoded(_text_array),
}


def literals_utf8(params: Sequence[Any]) -> list[bytes] | None:
    """:func:`literals` as UTF-8 bytes (text and integers, most of a command's values, written here)."""
    out = []
    get = _RENDER_UTF8.get
    for value in params:
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                return None  # PostgreSQL text cannot hold NUL: psycopg refuses it with its own error
            out.append(b"'" + value.replace("'", "''").encode() + b"'")
            continue
        if kind is int and value >= 0:
            out.append(str(value).encode())
            continue
        how = get(kind)
        if how is None and _learn(kind):
            how = get(kind)
        literal = None if how is None else how(value)
        if literal is None:
            return None
        out.append(literal)
    return out


def render_utf8(sql: str, params: Sequence[Any], fallback: Callable[[str, Sequence[Any]], str]) -> bytes:
    """:func:`render` as UTF-8 bytes."""
    pieces = _pieces(sql) if params else None
    rendered = literals_utf8(params) if pieces is not None and len(pieces) == len(params) + 1 else None
    if rendered is None or pieces is None:
        return render(sql, params, fallback).encode()
    out = [pieces[0].encode()]
    for literal, piece in zip(rendered, pieces[1:], strict=True):
        out.append(literal)
        out.append(piece.encode())
    return b"".join(out)


# The same values as text-format parameters bound to a prepared statement
# (:mod:`aftersales.adapters.postgres_wire_pipeline`): no quoting, the server copies them as they are.


def _jsonb_value(value: Jsonb) -> bytes | None:
    dumped = value.dumps(value.obj) if value.dumps is not None else None
    if isinstance(dumped, str):
        dumped = dumped.encode()
    elif isinstance(dumped, (bytearray, memoryview)):
        dumped = bytes(dumped)
    return dumped if isinstance(dumped, bytes) else None


def parameters_utf8(params: Sequence[Any]) -> list[bytes | None] | None:
    """Each of ``params`` as a UTF-8 text-format parameter value (``None`` in the list: SQL ``NULL``), or
    ``None`` if one is not a value written here (arrays, other types: the caller sends literals, or
    psycopg's). A value holding NUL is refused (libpq reads text-format values up to their first NUL)."""
    out: list[bytes | None] = []
    for value in params:
        kind = type(value)
        if kind is str or (kind not in _RENDER_UTF8 and _learn(kind)) or kind in _LEARNED:
            encoded: bytes | None = str.encode(value)
        elif kind is int:
            encoded = str(value).encode()
        elif kind is bool:
            encoded = b"t" if value else b"f"
        elif value is None:
            out.append(None)
            continue
        elif kind is Jsonb:
            encoded = _jsonb_value(value)
        else:
            return None
        if encoded is None or b"\x00" in encoded:
            return None
        out.append(encoded)
    return out
