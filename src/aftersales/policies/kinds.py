"""Policy kinds: what a kind of policy is (its pack section's params class and default factory).

A kind module ends with one line that makes it pluggable, e.g. in ``triage.py``::

    KIND = PolicyKind("priority", PriorityParams, DefaultPriority)

The registry finds the built-in kinds through :data:`BUILTIN_KINDS` (imported lazily, so a kind whose
module is not written yet simply is not available) and third-party kinds through the entry-point group
``aftersales.policies``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from aftersales.domain.text import code
from aftersales.errors import ConfigurationError

__all__ = ["BUILTIN_KINDS", "NamedPolicy", "PolicyKind", "import_builtin_kinds"]


@attrs.frozen
class PolicyKind:
    """A kind of policy: ``name`` (the pack section), ``params`` (an attrs class with defaults for every
    field, or ``None`` when the kind takes no parameters) and ``factory(params) -> policy``."""

    name: str = attrs.field(validator=code)
    params: type | None
    factory: Callable[[Any], object]

    def default_params(self) -> object | None:
        """The params with every documented default."""
        return self.params() if self.params is not None else None

    def build(self, params: object | None) -> object:
        """The default policy of this kind configured with ``params``."""
        return self.factory(params if params is not None else self.default_params())


@attrs.frozen
class NamedPolicy:
    """An alternative implementation of a kind, chosen by name in a pack's ``[policies]`` table
    (``dispatch = "nearest"``) or in ``overrides``. ``factory`` receives the kind's params."""

    kind: str = attrs.field(validator=code)
    name: str = attrs.field(validator=code)
    factory: Callable[[Any], object]


BUILTIN_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "warranty": "aftersales.policies.warranty",
        "chargeability": "aftersales.policies.chargeability",
        "fees": "aftersales.policies.fees",
        "sla": "aftersales.policies.sla",
        "priority": "aftersales.policies.triage",
        "routing": "aftersales.policies.routing",
        "dispatch": "aftersales.policies.dispatch",
        "callback": "aftersales.policies.callback",
        "escalation": "aftersales.policies.escalation",
        "notification": "aftersales.policies.notification",
        "complaint": "aftersales.policies.complaints",
        "attachments": "aftersales.policies.attachments",
        "custom_fields": "aftersales.policies.custom_fields",
        "lifecycle": "aftersales.policies.lifecycle",
        "faults": "aftersales.policies.fault_catalog",
        "maintenance": "aftersales.policies.maintenance",
        "survey_campaign": "aftersales.policies.survey_campaign",
        "privacy": "aftersales.policies.privacy",
        "staff": "aftersales.policies.staff",
        "dealer_reports": "aftersales.policies.dealer_reports",
        "progress": "aftersales.policies.progress",
    }
)
"""Every built-in kind and the module whose ``KIND`` attribute describes it."""


def import_builtin_kinds() -> dict[str, PolicyKind]:
    """The built-in kinds whose modules exist and define ``KIND``; the others are pending."""
    found: dict[str, PolicyKind] = {}
    for name, module_name in BUILTIN_KINDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue  # not written yet: its pack sections stay pending
            raise
        kind = getattr(module, "KIND", None)
        if kind is None:
            continue
        if not isinstance(kind, PolicyKind) or kind.name != name:
            raise ConfigurationError(f"{module_name}.KIND must be PolicyKind({name!r}, ...)", key=name)
        found[name] = kind
    return found


_R = TypeVar("_R")


def extra_rules(extra: Any, key: str, rules: type[_R], params: type) -> _R:
    """The ``rules`` a policy set's ``extra`` table holds under ``key`` (``rules()``, the defaults, when
    it has none).

    Anything else there (an override given as its params, a number, a table) is a ``ConfigurationError``
    naming ``key``: it would otherwise be dropped for the defaults without a word. One reading for every
    section kept in ``extra`` (privacy, staff, dealer reports, progress)."""
    found = extra.get(key) if hasattr(extra, "get") else None
    if found is None:
        return rules()
    if isinstance(found, rules):
        return found
    raise ConfigurationError(
        f"the {key} policy is a {rules.__name__} ({rules.__name__}({params.__name__}(...)) or the pack's "
        f"[{key}] section), got {type(found).__name__}",
        key=key,
    )
