"""A policy's fingerprint: a short digest of what decides its answers (its class, name and parameters).

Why: a ticket stores the due times the desk's SLA policy gave it (the ledger, the sweep and the reports
read them). A store opened again with another pack, or the same pack with other ``[sla]`` figures, would
keep the old pack's due times beside the new pack's live status until each ticket's next command. The
store remembers the fingerprint of the SLA policy its due times came from
(:mod:`aftersales.service.calendar_stamp`), so a desk can tell that they are stale and recompute them.

A host's own policy may say what its answers depend on with a ``fingerprint`` attribute (a non-empty
string, docs/writing-a-plugin-pack.md "A host's SLA policy"); without one its class, its ``name``, its
``params`` (if any) and its other public attributes (attrs fields, ``__dict__`` and ``__slots__`` entries
not starting with ``_``) stand for it. Why the public attributes: a host policy that keeps its figures in
its own attributes (``self.hours = 8``) changed its answers with them while its fingerprint stayed the
same, so a store opened with other figures kept its old due times and said they were current. Names
with a leading ``_`` are left out so that a cache the policy fills as it answers does not make every
desk think the due times are stale. The library's own policies keep their fingerprint as before (their
figures are all in ``params``): a store stamped by an older release stays current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

import attrs

from aftersales.domain.self_containing import self_containing
from aftersales.errors import ConfigurationError

__all__ = ["policy_fingerprint"]


def policy_fingerprint(policy: object) -> str:
    """The digest of ``policy``: equal for equal parameters in any process and any key order. A host
    policy whose parameters contain themselves is a ``ConfigurationError`` naming the policy (found once
    the walk overflowed)."""
    kept = _KEPT.get(id(policy))
    if kept is not None and kept[0] is policy:
        return kept[1]
    try:
        digest = _digest(policy)
    except RecursionError:
        why = self_containing(policy, "policy")
        raise ConfigurationError(f"{policy.__class__.__qualname__}: {why}", key="policy") from None
    if _immutable(policy, 0):
        if len(_KEPT) >= _KEEP:
            _KEPT.clear()
        _KEPT[id(policy)] = (policy, digest)  # kept with its policy: the id is not reused meanwhile
    return digest


# The digest of each immutable policy met (issue 21): every ticket command whose step the callback policy
# decides, or whose due times change, checks the store's stamp against the desk's policies, and walking a
# pack's SLA parameters to digest them cost 300 µs, more than the rest of the command. Only a value that
# cannot change is kept (:func:`_immutable`, checked once when kept): a host's own policy, whose figures
# may live in attributes it changes, is digested on every call as before.
_KEPT: dict[int, tuple[object, str]] = {}
_KEEP = 256

_ATOMS = (str, int, float, bool, type(None), Enum, date, time, timedelta, Decimal)


def _immutable(value: object, depth: int) -> bool:
    """Whether ``value`` can never change: atoms, tuples and frozensets of immutable values, read-only
    mapping views of them (the params' ``frozen_mapping``), and frozen attrs instances of this package's
    classes whose every field is immutable. Anything else (a host's class, a list, a dict) is not."""
    if depth > 32:
        return False
    if isinstance(value, _ATOMS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(_immutable(item, depth + 1) for item in value)
    if isinstance(value, MappingProxyType):
        return all(_immutable(k, depth + 1) and _immutable(v, depth + 1) for k, v in value.items())
    cls = value.__class__  # a guarded host policy reports its host's class: never kept
    if type(value) is not cls or cls.__module__.partition(".")[0] != "aftersales" or not attrs.has(cls):
        return False
    if getattr(cls.__setattr__, "__name__", "") != "_frozen_setattrs":  # attrs' frozen classes' own
        return False
    return all(_immutable(getattr(value, a.name), depth + 1) for a in attrs.fields(cls))


def _digest(policy: object) -> str:
    own = getattr(policy, "fingerprint", None)
    if isinstance(own, str) and own:
        return own
    cls = policy.__class__  # a guarded host policy reports its host's class
    parts = [f"{cls.__module__}.{cls.__qualname__}", str(getattr(policy, "name", ""))]
    params = getattr(policy, "params", None)
    if params is not None:
        parts.append(_canonical(params))
    if cls.__module__.partition(".")[0] != "aftersales":
        parts.extend(f"{key}={_canonical(value)}" for key, value in sorted(_own_state(policy, cls).items()))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _own_state(policy: object, cls: type) -> dict[str, object]:
    """A host policy's public attributes besides ``name`` and ``params`` (read through a guard)."""
    names: set[str] = set()
    if attrs.has(cls):
        names.update(a.name for a in attrs.fields(cls))
    try:
        names.update(vars(policy))
    except TypeError:  # a guard: its slots hold the host's object, whose own __dict__ reads through
        names.update(getattr(policy, "__dict__", {}))
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.update((slots,) if isinstance(slots, str) else slots)
    state: dict[str, object] = {}
    for key in names - {"name", "params", "fingerprint", "__dict__", "__weakref__"}:
        if key.startswith("_"):
            continue
        try:
            state[key] = getattr(policy, key)
        except AttributeError:  # an empty slot
            continue
    return state


def _canonical(value: object) -> str:
    """A text of ``value`` that does not depend on the order a pack wrote its table keys in."""
    cls = type(value)
    if attrs.has(cls):
        fields = (
            f"{a.name}={_canonical(getattr(value, a.name))}"
            for a in attrs.fields(cls)
            if not (a.metadata.get("fingerprint_omit_default") and _at_default(value, a))
        )
        return f"{type(value).__qualname__}({', '.join(fields)})"
    if isinstance(value, Enum):
        return repr(value.value)
    if isinstance(value, Mapping):
        items = sorted(f"{_canonical(k)}: {_canonical(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, frozenset | set):
        return "{" + ", ".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_canonical(v) for v in value) + "]"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text  # an address differs per process


def _at_default(value: object, field: attrs.Attribute) -> bool:  # type: ignore[type-arg]
    """Whether ``field`` of ``value`` holds its default (a setting added later, omitted from the digest
    then, so that stores stamped before it was added keep their digest)."""
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return False
    converted = field.converter(default) if callable(field.converter) else default
    return bool(getattr(value, field.name) == converted)
