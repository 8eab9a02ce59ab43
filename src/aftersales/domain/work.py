"""What is recorded while a ticket is worked: assessment, assignee, fault records, visits, notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.classification import ImpactScope, Plan, Severity
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import require_aware
from aftersales.domain.part_numbers import part_number
from aftersales.domain.text import bounded, code, required_text
from aftersales.domain.validation import enum_code
from aftersales.errors import ValidationError

__all__ = [
    "Assessment",
    "Assignee",
    "AssigneeKind",
    "CustomerNote",
    "FaultRecord",
    "Visit",
    "VisitKind",
    "aware",
    "optional_aware",
]


def aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a timezone-aware datetime."""
    require_aware(value, attribute.name)


def optional_aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``None`` or a timezone-aware datetime."""
    if value is not None:
        require_aware(value, attribute.name)


def calendar_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a date, not a datetime (a day something was held, sent, checked)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(f"{attribute.name} is a date", field=attribute.name, rule="date")


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive integer", field=attribute.name, rule="positive"
        )


# Converters that pass a member through untouched: ``converter=Severity`` runs ``Enum.__call__`` (a
# Python-level metaclass call) even for a member, on every assessment made or loaded.
# A code that is none of the members is a ValidationError naming the field (not Python's ValueError).
def _severity(value: str) -> Severity:
    return value if type(value) is Severity else enum_code(Severity, value, "severity")


def _impact_scope(value: str) -> ImpactScope:
    return value if type(value) is ImpactScope else enum_code(ImpactScope, value, "impact_scope")


def _plan(value: str) -> Plan:
    return value if type(value) is Plan else enum_code(Plan, value, "plan")


@attrs.frozen
class Assessment:
    """The triage assessment (问题评估): nature, severity, impact scope and the handling plan."""

    nature: str = attrs.field(validator=code)
    severity: Severity = attrs.field(converter=_severity)
    impact_scope: ImpactScope = attrs.field(default=ImpactScope.SINGLE_UNIT, converter=_impact_scope)
    plan: Plan = attrs.field(default=Plan.ON_SITE, converter=_plan)
    units_affected: int = attrs.field(default=1, validator=_positive)
    production_stopped: bool = False
    departments: int = attrs.field(default=1, validator=_positive)
    skill: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    note: str = attrs.field(default="", validator=bounded(2000))
    complex_problem: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    """A complex problem (seed 001: 复杂售后问题), several departments or not: the manager coordinates it and
    it gets the complex resolution target."""


class AssigneeKind(CodedEnum):
    """Who a ticket is dispatched to (派工)."""

    ENGINEER = "engineer"
    DEALER = "dealer"
    TEAM = "team"
    DEPARTMENT = "department"


def _assignee_kind(value: str) -> AssigneeKind:
    return value if type(value) is AssigneeKind else AssigneeKind(value)


@attrs.frozen
class Assignee:
    """The engineer, dealer, team or department that holds the ticket; ``name`` is shown to customers."""

    kind: AssigneeKind = attrs.field(converter=_assignee_kind)
    id: str = attrs.field(validator=required_text(64))
    name: str = attrs.field(default="", validator=bounded(100))


@attrs.frozen
class FaultRecord:
    """One coded fault record (故障描述 → 故障原因 → 处理措施), the raw material of fault statistics."""

    symptom: str = attrs.field(validator=code)
    cause: str = attrs.field(validator=code)
    action: str = attrs.field(validator=code)
    recorded_at: datetime = attrs.field(validator=aware)
    recorded_by: ActorRef
    part: str | None = attrs.field(default=None, validator=attrs.validators.optional(part_number))
    component: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    note: str = attrs.field(default="", validator=bounded(2000))


class VisitKind(CodedEnum):
    """A normal service visit, a repeat visit for rework, or a callback visit (回访上门)."""

    SERVICE = "service"
    REWORK = "rework"
    CALLBACK = "callback"
    MAINTENANCE = "maintenance"


@attrs.frozen
class Visit:
    """An on-site visit: planned, and once done, when the engineer arrived and left."""

    planned_at: datetime = attrs.field(validator=aware)
    engineer_id: str = attrs.field(validator=required_text(64))
    kind: VisitKind = attrs.field(default=VisitKind.SERVICE, converter=VisitKind)
    arrived_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    left_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    note: str = attrs.field(default="", validator=bounded(2000))

    def __attrs_post_init__(self) -> None:
        if self.arrived_at and self.left_at and self.left_at < self.arrived_at:
            raise ValidationError("a visit cannot end before it starts", field="left_at")


@attrs.frozen
class CustomerNote:
    """A progress note. Only notes with ``visible_to_customer`` appear in the customer's progress view."""

    text: str = attrs.field(validator=required_text(4000))
    visible_to_customer: bool = True
