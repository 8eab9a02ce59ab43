"""Satisfaction-survey campaign parameters of a pack (section ``[survey_campaign]``).

Seed 000 asks for regular customer-satisfaction surveys beyond per-ticket callbacks (定期開展客戶滿意度
調查, 通過問卷調查、電話回訪等方式). How many and how long a surveyed customer is left alone are left open;
these defaults sample 200 customers and never ask anyone twice within 90 days. How often a campaign runs
is the host's to decide: it starts each one (``desk.surveys.start``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, OutOfBounds
from aftersales.policies.kinds import PolicyKind

__all__ = ["KIND", "SurveyCampaignParams"]


def _int(low: int, high: int) -> Any:
    def check(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise ConfigurationError(
                OutOfBounds.sentence(attribute.name, value, low, high),
                key=f"survey_campaign.{attribute.name}",
                rule="whole_number",
                rule_params={"least": low, "most": high},
            )

    return check


@refused_typed
@attrs.frozen
class SurveyCampaignParams:
    """Campaign defaults: how many, and how long a surveyed customer is left alone.

    How often is the host's: the desk schedules no campaign (``desk.surveys.start`` starts one), so a
    cadence in the pack would be read by nothing. ``every_months`` is refused when a pack sets it.
    """

    RETIRED_KEYS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "every_months": "every_months is not a setting: the desk schedules no survey campaign; the host "
            "starts each one (desk.surveys.start) when it is due. Remove the key"
        }
    )

    sample_size: int = attrs.field(default=200, validator=_int(1, 1_000_000))
    exclude_surveyed_days: int = attrs.field(default=90, validator=_int(0, 3660))
    served_within_days: int = attrs.field(default=180, validator=_int(1, 3660))


KIND = PolicyKind("survey_campaign", SurveyCampaignParams, lambda params: params)
"""Pack section ``[survey_campaign]``."""
