"""``[pack] unset``: the keys of its parent pack that an extending pack removes.

Why: a pack that ``extends`` another lays its tables over the parent's key by key, so it could change a
parent's key but never take one away: a parent's optional rule (``[priority] category_floor = { complaint =
"expedited" }``) could not be switched off below it, and shipping such a rule in a pack broke every pack
built on it that had to keep the old behaviour (session 35). Configuration systems that layer files give
the lower layer's keys a way out (Helm's ``null`` value, Kustomize's ``$patch: delete``, systemd's empty
assignment); TOML has no null, so the pack lists the dotted keys it removes in its header::

    [pack]
    name = "mine"
    extends = "sanitary_ware"
    unset = ["priority.category_floor.complaint"]

Each entry is a dotted key as TOML writes one (bare keys of letters, digits, ``_`` and ``-``; another key
in double quotes: ``fees.parts."WN.01"``): a section, a key of a section or an entry of a table at any
depth. The parent's merged tables lose those keys first, then the pack's own tables are laid over them:
a pack that removes a key and sets it again gets its own value alone (removing a table and writing it
replaces the parent's table instead of merging into it). A table the removal leaves empty goes too, so
the library's default for it applies, as if the parent had not written it. Removing one of two keys that
hold one figure (``callback.service_within_hours`` and ``sla.callback_hours``), or its section, removes
its partner too.

Refused when the pack loads, with :class:`ConfigurationError` naming the key: an entry that is no
dotted key, or a list that is no list (``unset_malformed``); a key the parent does not set, a key of the
``[pack]`` header (each pack's own, never inherited), or any entry in a pack that extends nothing
(``unset_not_inherited``); a key its table cannot do without, such as a part price's ``cost`` or an
amount's ``currency`` (``unset_required``).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError
from aftersales.policies.kinds import PolicyKind

__all__ = ["UNSET_KEY", "Path", "unset_paths", "without_unset"]

UNSET_KEY = "unset"
"""The header key that lists the parent's keys a pack removes."""

Path = tuple[str, ...]
"""A dotted key split into its keys (quotes taken off)."""

_SEGMENT = re.compile(r'[A-Za-z0-9_-]+|"[^"\\\x00-\x1f\x7f]*"')
_FORM = 'a dotted key as TOML writes one, such as "priority.category_floor.complaint"'


def unset_paths(header: Mapping[str, Any], file: str) -> tuple[tuple[str, Path], ...]:
    """The entries of ``header``'s ``unset`` list, each as written and split into its keys; none when
    the header has no such key. A value that is no list, or an entry that is no dotted key, is refused
    (``unset_malformed``)."""
    value = header.get(UNSET_KEY)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigurationError(
            f"expected an array of the parent's keys to remove ({_FORM}), got {type(value).__name__}",
            file=file,
            key=f"pack.{UNSET_KEY}",
            rule="unset_malformed",
        )
    return tuple((entry, _split(entry, file)) for entry in value)


def _split(entry: object, file: str) -> Path:
    if isinstance(entry, str):
        keys: list[str] = []
        at = 0
        while (found := _SEGMENT.match(entry, at)) is not None:
            keys.append(found.group().strip('"'))
            at = found.end()
            if at == len(entry):
                return tuple(keys)
            if entry[at] != ".":
                break
            at += 1
    raise ConfigurationError(
        f"each entry is {_FORM}; got {entry!r}",
        file=file,
        key=f"pack.{UNSET_KEY}",
        rule="unset_malformed",
    )


def without_unset(
    inherited: Mapping[str, Any],
    entries: tuple[tuple[str, Path], ...],
    *,
    parent: str,
    file: str,
    kinds: Mapping[str, PolicyKind],
    linked: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (),
) -> dict[str, Any]:
    """A copy of the ``inherited`` tables (the parent's, merged) without the keys ``entries`` name.

    Every entry is checked before anything is removed: a key ``parent`` does not set, a header key, and
    a key its table cannot do without (judged by the registered ``kinds``' params) are refused naming the
    key. A table left empty is removed with it; a ``linked`` key's partner goes with it."""
    for written, path in entries:
        if path[0] == "pack":
            raise ConfigurationError(
                f"pack.{UNSET_KEY} lists {written!r}: the [pack] header is each pack's own and is never "
                "inherited, so there is nothing to remove",
                file=file,
                key=written,
                rule="unset_not_inherited",
            )
        if not _has(inherited, path):
            raise ConfigurationError(
                f"pack.{UNSET_KEY} lists {written!r}, which pack {parent!r} (with the packs it extends) "
                "does not set: there is nothing to remove",
                file=file,
                key=written,
                rule="unset_not_inherited",
            )
        if _required(path, kinds):
            raise ConfigurationError(
                f"pack.{UNSET_KEY} lists {written!r}, which its table cannot do without; remove the table "
                "that holds it, or set the key to another value",
                file=file,
                key=written,
                rule="unset_required",
            )
    result: dict[str, Any] = _copied(inherited)
    paths = [path for _, path in entries]
    for pair in linked:
        for (section, key), partner in (pair, pair[::-1]):
            gone = any(path in ((section,), (section, key)) for path in paths)  # the key, or its section
            if gone and _has(result, partner):
                paths.append(partner)
    for path in paths:
        _remove(result, path)
    return result


def _has(tables: Mapping[str, Any], path: Path) -> bool:
    node: object = tables
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _copied(value: Any) -> Any:
    """A copy of nested tables, so removing a key never touches the parent's parsed file."""
    return {k: _copied(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def _remove(tables: dict[str, Any], path: Path) -> None:
    """Remove ``path`` (if still there: an entry may lie inside another one removed), then every table
    on the way that this leaves empty."""
    trail: list[dict[str, Any]] = [tables]
    for key in path[:-1]:
        node = trail[-1].get(key)
        if not isinstance(node, dict):
            return
        trail.append(node)
    trail[-1].pop(path[-1], None)
    for depth in range(len(path) - 1, 0, -1):
        if trail[depth]:
            break
        del trail[depth - 1][path[depth - 1]]


def _required(path: Path, kinds: Mapping[str, PolicyKind]) -> bool:
    """Whether the key at ``path`` is one its table cannot do without, read from the section's params
    class: an attrs field with no default (a part price's ``cost``), or an amount's own keys."""
    kind = kinds.get(path[0])
    hint: Any = kind.params if kind is not None else None
    for at, key in enumerate(path[1:], start=2):
        last = at == len(path)
        hint = _unwrapped(hint)
        if hint is Money:
            return last and key in ("amount", "currency")
        if isinstance(hint, type) and attrs.has(hint):
            field = {f.name: f for f in attrs.fields(hint)}.get(key)
            if field is None:
                return False  # an unknown key: the pack is refused naming it when it is read
            if last:
                return field.default is attrs.NOTHING
            shapes: Mapping[str, Any] = getattr(hint, "RAW_SHAPES", {})
            hint = shapes.get(key, typing.get_type_hints(hint)[key])
        elif typing.get_origin(hint) in (dict, Mapping):
            hint = typing.get_args(hint)[1]
        else:
            return False
    return False


def _unwrapped(hint: Any) -> Any:
    """An optional type as the type; an amount-or-count union as the amount (a removed key's table is
    one)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if Money in options:
            return Money
        if len(options) == 1:
            return options[0]
    return hint
