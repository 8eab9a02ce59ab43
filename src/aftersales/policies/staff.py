"""The staff policy kind (``[staff]``): who appraises the company's own after-sales staff.

Seed 001 六(三) 1: 售后团队成员的考核由售后经理负责, 每月进行一次考核评估 — the after-sales manager, and
nobody above or beside them, appraises the team, once a month (an appraisal is of one month: appraising
the same person and month again corrects it). Seed 001's team (售后经理, 售后专员, 技术支持人员, 客服人员)
has no general manager nor department head to do it. The manager themselves is appraised by whom they
report to (售后经理…定期向上级汇报售后工作情况: the company's management), ``manager_appraisers``, for an
appraisal of ``StaffKind.MANAGER``. Other seeds name no appraiser, so the defaults keep every head. The
incentives and sanctions that follow an appraisal (表彰和奖励 / 批评教育, 处罚) are decided by the same
people.

.. code-block:: toml

    [staff]
    appraisers = ["manager"]
    manager_appraisers = ["general_manager"]

An empty list, or a role that is not a head (``manager``, ``department_head``, ``general_manager``), is
refused with a ``ConfigurationError`` naming ``staff.appraisers`` (``staff.manager_appraisers``) when the
pack loads.
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.actors import HEADS, Role
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.kinds import PolicyKind, extra_rules

__all__ = ["KIND", "StaffParams", "StaffRules", "pack_staff_rules"]


def _heads(instance: object, attribute: attrs.Attribute[Any], value: tuple[Role, ...]) -> None:
    if not value:
        raise ValidationError(f"{attribute.name} must name at least one head", field=attribute.name)
    others = [role.value for role in value if role not in HEADS]
    if others:
        heads = ", ".join(sorted(r.value for r in HEADS))
        raise ValidationError(
            f"{attribute.name} are heads ({heads}), not {', '.join(others)}", field=attribute.name
        )


def _roles_of(value: object, field: str) -> tuple[Role, ...]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValidationError(f"{field} is a list of roles", field=field)
    try:
        return tuple(dict.fromkeys(Role(item) for item in value))
    except ValueError as error:
        raise ValidationError(f"{field}: {error}", field=field) from None


def _roles(value: object) -> tuple[Role, ...]:
    return _roles_of(value, "appraisers")


def _manager_roles(value: object) -> tuple[Role, ...]:
    return _roles_of(value, "manager_appraisers")


@refused_typed
@attrs.frozen
class StaffParams:
    """Parameters of the ``[staff]`` section.

    - ``appraisers``: the head roles that appraise own staff and decide their incentives and sanctions
      (default: every head; seed 001: the after-sales manager alone).
    - ``manager_appraisers``: the head roles that appraise a head of the team (``StaffKind.MANAGER``)
      and decide their incentives and sanctions (default: every head; seed 001: the general manager,
      the 上级 the after-sales manager reports to).
    """

    appraisers: tuple[Role, ...] = attrs.field(
        default=tuple(sorted(HEADS, key=lambda r: r.value)), converter=_roles, validator=_heads
    )
    manager_appraisers: tuple[Role, ...] = attrs.field(
        default=tuple(sorted(HEADS, key=lambda r: r.value)), converter=_manager_roles, validator=_heads
    )


@attrs.frozen
class StaffRules:
    """The pack's staff rules, as the service reads them (``PolicySet.extra["staff"]``)."""

    params: StaffParams = StaffParams()
    name: str = "builtin.staff"

    @property
    def appraisers(self) -> frozenset[Role]:
        """The roles that may appraise own engineers and agents."""
        return frozenset(self.params.appraisers)

    @property
    def manager_appraisers(self) -> frozenset[Role]:
        """The roles that may appraise a head of the after-sales team (``StaffKind.MANAGER``)."""
        return frozenset(self.params.manager_appraisers)


def pack_staff_rules(extra: Any) -> StaffRules:
    """The staff rules of a policy set's ``extra`` table (the defaults when it has none).

    Anything else there is a ``ConfigurationError`` naming ``staff``: an override that is not a
    ``StaffRules`` would otherwise be dropped for the defaults without a word. The desk asks at
    construction, so such a desk is refused before it opens."""
    return extra_rules(extra, "staff", StaffRules, StaffParams)


KIND = PolicyKind("staff", StaffParams, StaffRules)
"""Makes the staff parameters a pack section (``[staff]``)."""
