"""A policy's fingerprint: a short digest of what decides its answers (its class, name and parameters).

Why: a ticket stores the due times the desk's SLA policy gave it (the ledger, the sweep and the reports
read them). A store opened again with another pack, or the same pack with other ``[sla]`` figures, would
keep the old pack's due times beside the new pack's live status until each ticket's next command. The
store remembers the fingerprint of the SLA policy its due times came from
(:mod:`aftersales.service.calendar_stamp`), so a desk can tell that they are stale and recompute them.

A host's own policy may say what its answers depend on with a ``fingerprint`` attribute (a non-empty
string); without one its class, its ``name`` and its attrs ``params`` (if any) stand for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from enum import Enum

import attrs

__all__ = ["policy_fingerprint"]


def policy_fingerprint(policy: object) -> str:
    """The digest of ``policy``: equal for equal parameters in any process and any key order."""
    own = getattr(policy, "fingerprint", None)
    if isinstance(own, str) and own:
        return own
    cls = policy.__class__  # a guarded host policy reports its host's class
    parts = [f"{cls.__module__}.{cls.__qualname__}", str(getattr(policy, "name", ""))]
    params = getattr(policy, "params", None)
    if params is not None:
        parts.append(_canonical(params))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _canonical(value: object) -> str:
    """A text of ``value`` that does not depend on the order a pack wrote its table keys in."""
    cls = type(value)
    if attrs.has(cls):
        fields = (f"{a.name}={_canonical(getattr(value, a.name))}" for a in attrs.fields(cls))
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
