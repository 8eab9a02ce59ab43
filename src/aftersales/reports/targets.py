"""KPI goals per pack (seed 001 考核指标: 目标值不低于[X]%) and the pass/fail of a rate against them.

Seed 001 names four assessed indicators, each "not below [X] %": 客户满意度 (satisfaction), 问题解决率
(resolution rate), 响应及时率 (response on time) and 投诉处理成功率 (complaints resolved). The seed
leaves X open; every pack gets the library's documented defaults below, and a host passes its own
:class:`KpiGoals` (a goal of ``None`` is not assessed). A rate meets its goal when it is at least the
goal (不低于: inclusive).

The verdict is taken on the exact fraction (:meth:`KpiGoals.passed` given the
:class:`~aftersales.reports.kpi.KpiRow`, or a :class:`~fractions.Fraction`): the row's rates are
rounded to 4 places for display only, and 89.995 % does not meet a 90 % goal.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from aftersales.domain.number_text import number_from_text
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, ValidationError

if TYPE_CHECKING:
    from aftersales.reports.kpi import KpiRow

__all__ = ["DEFAULT_GOALS", "GOAL_RATES", "PACK_GOALS", "KpiGoals", "kpi_goals"]

GOAL_RATES: Final = (
    "satisfaction_rate",
    "resolution_rate",
    "response_on_time_rate",
    "resolution_on_time_rate",
    "first_time_fix_rate",
    "complaint_resolution_rate",
    "callback_on_time_rate",
)
"""The KPI rates a goal can be set for (the :class:`~aftersales.reports.kpi.KpiRow` attribute names)."""


def _goal(instance: object, attribute: attrs.Attribute[Decimal | None], value: object) -> None:
    if value is None:
        return
    # is_finite first: comparing a NaN raises decimal.InvalidOperation, no typed error
    if not isinstance(value, Decimal) or not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise ValidationError(
            f"the goal {attribute.name} is a Decimal fraction from 0 to 1 (0.95 for 95 %), got {value!r}",
            field=attribute.name,
        )


def _fraction(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        # The one rule for typed numbers (number_text): Decimal alone took "٠.٩", " 0.9 ", "9e-1" and
        # "0.9_5"; NaN and Infinity stay text, for _goal to refuse.
        found = number_from_text(value)
        return value if found is None else found
    return value


@refused_typed
@attrs.frozen
class KpiGoals:
    """The minimum each KPI rate should reach, as fractions (``Decimal("0.95")``); ``None``: no goal."""

    satisfaction_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)
    resolution_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)
    response_on_time_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)
    resolution_on_time_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)
    first_time_fix_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)
    complaint_resolution_rate: Decimal | None = attrs.field(
        default=None, converter=_fraction, validator=_goal
    )
    callback_on_time_rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_goal)

    def goal(self, rate: str) -> Decimal | None:
        """The goal of the rate named ``rate`` (one of :data:`GOAL_RATES`)."""
        if rate not in GOAL_RATES:
            raise ValidationError(f"no KPI rate {rate!r}: use one of {', '.join(GOAL_RATES)}", field="rate")
        value: Decimal | None = getattr(self, rate)
        return value

    def passed(self, rate: str, value: KpiRow | Fraction | Decimal | None) -> bool | None:
        """Whether ``value`` meets the goal of ``rate`` (at least it); ``None`` without goal or value.

        Pass the :class:`~aftersales.reports.kpi.KpiRow` (or the exact :class:`~fractions.Fraction`):
        the verdict is then taken on the unrounded rate. A ``Decimal`` is judged as given.
        """
        goal = self.goal(rate)
        found: Fraction | Decimal | None
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValidationError(f"a rate is a finite fraction, got {value}", field="value")
        if value is None or isinstance(value, Fraction | Decimal):
            found = value
        else:
            exact = getattr(value, "exact", None)
            if not callable(exact):  # a float is inexact, and a bare number names no counts
                raise ValidationError(
                    f"a rate is judged as a KpiRow, a Fraction or a Decimal, got {type(value).__name__}",
                    field="value",
                )
            found = exact(rate)
        if goal is None or found is None:
            return None
        return Fraction(found) >= Fraction(goal)

    def items(self) -> tuple[tuple[str, Decimal], ...]:
        """The rates that have a goal, in :data:`GOAL_RATES` order."""
        return tuple((r, g) for r in GOAL_RATES if (g := getattr(self, r)) is not None)


DEFAULT_GOALS: Final = KpiGoals(
    satisfaction_rate=Decimal("0.90"),
    resolution_rate=Decimal("0.95"),
    response_on_time_rate=Decimal("0.95"),
    complaint_resolution_rate=Decimal("0.90"),
)
"""Seed 001's four indicators with the library's defaults for its open [X] %."""

PACK_GOALS: Final[Mapping[str, KpiGoals]] = MappingProxyType(
    {
        "general_maintenance": DEFAULT_GOALS,
        "exhibition_services": DEFAULT_GOALS,
        # seeds 002 and 004 require repairs solved within 24 hours: assess resolution on time as well
        "sanitary_ware": attrs.evolve(DEFAULT_GOALS, resolution_on_time_rate=Decimal("0.90")),
        "office_equipment": DEFAULT_GOALS,
        "service_centre": attrs.evolve(DEFAULT_GOALS, resolution_on_time_rate=Decimal("0.90")),
    }
)
"""The goals of each shipped pack."""


def inherited_goals(pack: str | Path) -> KpiGoals | None:
    """The goals of ``pack``: a shipped pack's own, else those of the nearest shipped pack it extends
    (``[pack] extends``, through any plugin packs between); ``None`` for a pack extending none.

    Why: a host's pack over ``sanitary_ware`` (a file, or a plugin's) is judged on the seed's goals as
    its parent is; before session 27 ``kpi_goals`` refused it and the CLI's report judged it on no goals
    at all. A pack the registry cannot load is refused as :meth:`Registry.load_pack` refuses it.
    """
    if isinstance(pack, str) and pack in PACK_GOALS:
        return PACK_GOALS[pack]
    from aftersales.policies.registry import default_registry

    for name in default_registry().lineage(pack):
        if name in PACK_GOALS:
            return PACK_GOALS[name]
    return None


def kpi_goals(pack: str | Path, overrides: Mapping[str, object] | None = None) -> KpiGoals:
    """The goals of ``pack`` (a registered pack's name or a pack file's path), with ``overrides`` (rate →
    fraction) applied: a shipped pack's own, or those of the shipped pack it extends
    (:func:`inherited_goals`).

    A pack that cannot be loaded, one extending no shipped pack, or an override naming no KPI rate is a
    :class:`ConfigurationError`.
    """
    found = inherited_goals(pack) if isinstance(pack, str | Path) else None
    if found is None:
        raise ConfigurationError(
            f"no KPI goals for pack {pack!r}: pass KpiGoals(...) or use one of {', '.join(PACK_GOALS)}",
            key="pack",
        )
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ConfigurationError("overrides map KPI rate names to goals", key="overrides")
    if not overrides:
        return found
    unknown = sorted(map(repr, set(overrides) - set(GOAL_RATES)))  # repr: a key may be no text
    if unknown:
        raise ConfigurationError(f"no KPI rate {unknown[0]} to set a goal for", key=unknown[0].strip("'"))
    return attrs.evolve(found, **overrides)
