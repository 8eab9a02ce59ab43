"""Maintenance-plan parameters of a pack (section ``[maintenance]``).

Seed 000 makes periodic maintenance one of the four services (保養服務: 定期為產品提供保養服務); seed 001
names regular maintenance plans for customers' equipment (定期維護計劃). The seeds leave the numbers
open; these defaults are what a maker would start with and every pack can change them. The params
object is the policy itself: plan defaults need no behaviour beyond a lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.maintenance import checked_checklist, lead_refusal
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, OutOfBounds, ValidationError
from aftersales.policies.kinds import PolicyKind

__all__ = ["DEFAULT_CHECKLIST", "KIND", "MaintenanceParams"]

DEFAULT_CHECKLIST = ("inspect", "clean", "test_function", "explain_care")
"""A generic visit: look, clean, test, and explain care to the user (seed 004's 使用保养常识)."""


def _int(low: int, high: int) -> Any:
    def check(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise ConfigurationError(
                OutOfBounds.sentence(attribute.name, value, low, high),
                key="maintenance." + attribute.name,
                rule="whole_number",
                rule_params={"least": low, "most": high},
            )

    return check


def _tasks(value: object, key: str = "maintenance.checklist", whose: str = "") -> tuple[str, ...]:
    # ``whose``: "toilet: " for a category's list (the key names the field, the message which list)
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise ConfigurationError(f"{whose}a checklist is a non-empty list of task codes", key=key)
    for item in value:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ConfigurationError(f"{whose}checklist task {item!r:.40} is not a snake_case code", key=key)
    try:
        # a plan's rule (1 to 100 tasks, none twice): a list it refuses would refuse every plan made from it
        return checked_checklist(value)
    except ValidationError as exc:
        raise ConfigurationError(f"{whose}{exc}", key=key) from None


def _checklists(value: object) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            "checklists map product categories to task lists", key="maintenance.checklists"
        )
    for category in value:
        # A product's category is a snake_case code: another key could never match, and its checklist
        # would silently never be used.
        if not isinstance(category, str) or not CODE_PATTERN.fullmatch(category):
            raise ConfigurationError(
                f"checklists: {category!r:.40} is not a product category code (snake_case)",
                key="maintenance.checklists",
            )
    return MappingProxyType({k: _tasks(v, "maintenance.checklists", f"{k}: ") for k, v in value.items()})


@refused_typed
@attrs.frozen
class MaintenanceParams:
    """Plan defaults: interval, lead time, the checklist per product category, the tickets' language."""

    interval_months: int = attrs.field(default=6, validator=_int(1, 120))
    lead_days: int = attrs.field(default=14, validator=_int(0, 180))
    checklist: tuple[str, ...] = attrs.field(default=DEFAULT_CHECKLIST, converter=_tasks)
    checklists: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_checklists)
    locale: str = attrs.field(default="zh_Hans", validator=attrs.validators.in_(("zh_Hans", "zh_Hant", "en")))

    def __attrs_post_init__(self) -> None:
        refusal = lead_refusal(self.interval_months, self.lead_days)
        if refusal is not None:
            raise ConfigurationError(refusal, key="lead_days")

    def checklist_for(self, product_category: str) -> tuple[str, ...]:
        """The checklist of a product category, or the general one."""
        return self.checklists.get(product_category, self.checklist)


KIND = PolicyKind("maintenance", MaintenanceParams, lambda params: params)
"""Pack section ``[maintenance]``."""
