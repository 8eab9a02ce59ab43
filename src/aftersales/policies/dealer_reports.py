"""The dealer reports policy kind (``[dealer_reports]``): when a dealer's monthly report falls due.

Seed 002 9/10: 每月3号之前将上月安装/维修情况报至售后服务部 — each dealer reports last month's installations
and repairs by the 3rd. The day is the company's rule, so the pack says it (``due_day``, default 3: the
end of that day of the next month in the desk's time zone), and the dealers' monthly summary read through
a desk (:func:`aftersales.reports.dealer_monthly.scoped_dealer_monthly`) judges on time, late and missing
by it. Before session 28 the day was only an argument of the report, defaulting to 3 whatever the pack.

.. code-block:: toml

    [dealer_reports]
    due_day = 3
    installation_categories = ["installation"]
    repair_categories = ["repair", "return_exchange"]

A day outside 1–28 (every month has it) is a ``ConfigurationError`` naming ``dealer_reports.due_day``.
The categories a dealer counts as its installations (安装调试情况) and its repairs (维修情况) are the pack's
too (session 38: they were only the report's arguments, ``installation`` and ``repair`` whatever the pack,
so the sanitary-ware dealers' exchanges of a 叫修 counted nowhere). A category in both lists would count
twice and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, OutOfBounds, ValidationError
from aftersales.policies.kinds import PolicyKind, extra_rules
from aftersales.policies.params import check_category_code

__all__ = ["KIND", "DealerReportParams", "DealerReportRules", "pack_dealer_report_rules"]


def _day(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 1 <= value <= 28:
        raise ConfigurationError(
            OutOfBounds.sentence(attribute.name, value, 1, 28),
            key=f"dealer_reports.{attribute.name}",
            rule="whole_number",
            rule_params={"least": 1, "most": 28},
        )


def _code_list(value: object) -> Any:
    """A list of codes as a tuple; a lone string ("repair" is one code, not six letters) is left to the
    validator to refuse."""
    return tuple(value) if isinstance(value, Iterable) and not isinstance(value, str | bytes) else value


def _codes(instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise ValidationError(f"{attribute.name} is a non-empty list of category codes", field=attribute.name)
    for code in value:
        check_category_code(code, attribute.name)


@refused_typed
@attrs.frozen
class DealerReportParams:
    """Parameters of the ``[dealer_reports]`` section.

    - ``due_day``: a dealer's report of a month is due by the end of this day of the next month
      (default 3, seed 002: 每月3号之前).
    - ``installation_categories``, ``repair_categories``: the ticket categories a dealer's month counts
      as its installations and as its repairs (seed 002 9/10: 安装调试情况 / 维修情况; default
      ``["installation"]`` and ``["repair"]``).
    """

    due_day: int = attrs.field(default=3, validator=_day)
    installation_categories: tuple[str, ...] = attrs.field(
        default=("installation",), converter=_code_list, validator=_codes
    )
    repair_categories: tuple[str, ...] = attrs.field(
        default=("repair",), converter=_code_list, validator=_codes
    )

    def __attrs_post_init__(self) -> None:
        both = sorted(set(self.installation_categories) & set(self.repair_categories))
        if both:
            raise ValidationError(
                f"{both[0]!r} is both an installation and a repair category: a job would count twice",
                field="repair_categories",
            )


@attrs.frozen
class DealerReportRules:
    """The pack's dealer report rules, as the reports read them (``PolicySet.extra["dealer_reports"]``)."""

    params: DealerReportParams = DealerReportParams()
    name: str = "builtin.dealer_reports"

    @property
    def due_day(self) -> int:
        """The day of the next month a month's report is due by (its end)."""
        return self.params.due_day

    @property
    def installation_categories(self) -> frozenset[str]:
        """The categories a dealer's month counts as installations (安装调试情况)."""
        return frozenset(self.params.installation_categories)

    @property
    def repair_categories(self) -> frozenset[str]:
        """The categories a dealer's month counts as repairs (维修情况)."""
        return frozenset(self.params.repair_categories)


def pack_dealer_report_rules(extra: Any) -> DealerReportRules:
    """The dealer report rules of a policy set's ``extra`` table (the defaults when it has none).

    Anything else there is a ``ConfigurationError`` naming ``dealer_reports`` (it would otherwise be
    dropped for the defaults without a word); the desk asks at construction."""
    return extra_rules(extra, "dealer_reports", DealerReportRules, DealerReportParams)


KIND = PolicyKind("dealer_reports", DealerReportParams, DealerReportRules)
"""Makes the dealer report parameters a pack section (``[dealer_reports]``)."""
