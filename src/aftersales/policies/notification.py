"""Notification: who is told about what happens to a ticket (the roles; rendering is the notifier's job).

Seed 003: a critical ticket brings in the department head ("由部门负责人协调资源"); progress is visible to the
customer ("客户可通过服务平台或电话查询服务进度"). Seed 000: "在处理过程中及时向客户反馈处理进度". Seed 004: a
crisis event is reported to the customer-service centre at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, OutOfBounds
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import frozen_mapping, number_limit

__all__ = ["KIND", "DefaultNotification", "NotificationEvent", "NotificationFacts", "NotificationParams"]


class NotificationEvent(CodedEnum):
    """The moments of a ticket people are told about."""

    OPENED = "opened"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    PROGRESS = "progress"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    CLOSED = "closed"


@attrs.frozen
class NotificationFacts:
    """What happened, to a ticket of which priority."""

    event: NotificationEvent
    priority: Priority = Priority.NORMAL


_EVENTS: Mapping[NotificationEvent, tuple[Role, ...]] = MappingProxyType(
    {
        NotificationEvent.OPENED: (Role.CUSTOMER,),
        NotificationEvent.TRIAGED: (),
        NotificationEvent.ASSIGNED: (Role.CUSTOMER, Role.ENGINEER),
        NotificationEvent.PROGRESS: (Role.CUSTOMER,),
        NotificationEvent.RESOLVED: (Role.CUSTOMER,),
        NotificationEvent.ESCALATED: (Role.MANAGER,),
        NotificationEvent.CLOSED: (Role.CUSTOMER,),
    }
)
_PRIORITY: Mapping[Priority, tuple[Role, ...]] = MappingProxyType(
    {Priority.CRITICAL: (Role.DEPARTMENT_HEAD,)}
)


def _over_events(
    value: Mapping[NotificationEvent, tuple[Role, ...]],
) -> Mapping[NotificationEvent, tuple[Role, ...]]:
    return frozen_mapping({**_EVENTS, **value})


def _priority_table(value: Mapping[Priority, tuple[Role, ...]]) -> Mapping[Priority, tuple[Role, ...]]:
    return frozen_mapping({**_PRIORITY, **value})


def _at_least_one(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number from 1 to what a pack file may set there (ten years of days, else
    ``MAX_NUMBER``: :func:`~aftersales.policies.params.number_limit`), for parameters built in Python: a
    retention of 10**9 days or a retry wait of 10**15 seconds was taken and then failed every purge and
    delivery as a bare ``OverflowError`` (the jobs reported it each run)."""
    most = number_limit(attribute.name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        sentence = OutOfBounds.sentence(attribute.name, value, 1, most)
        raise ConfigurationError(
            sentence,
            key=f"notification.{attribute.name}",
            rule="whole_number",
            rule_params={"least": 1, "most": most},
        )


_FEEDBACK_READERS = frozenset({Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR})
"""The roles the month's feedback may go to: those who read it (the permission table's
``monthly_feedback``: the heads and the auditor)."""


def _feedback_roles(instance: object, attribute: attrs.Attribute[Any], value: tuple[Role, ...]) -> None:
    for role in value:
        if not isinstance(role, Role):
            raise ConfigurationError(f"names roles, got {role!r:.40}", key=f"notification.{attribute.name}")
        if role not in _FEEDBACK_READERS:
            raise ConfigurationError(
                f"names {role.value}: the monthly feedback goes to those who may read it "
                f"({', '.join(sorted(r.value for r in _FEEDBACK_READERS))})",
                key=f"notification.{attribute.name}",
            )


_CALLBACK_CALLERS = frozenset({Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER})
"""The office roles a callback falls due to (the permission table's ``record_callback``, the dealer's staff
aside): one of them is always told, so a callback no dealer holds still reaches someone."""


def _callback_due_roles(instance: object, attribute: attrs.Attribute[Any], value: tuple[Role, ...]) -> None:
    key = f"notification.{attribute.name}"
    for role in value:
        if not isinstance(role, Role):
            raise ConfigurationError(f"names roles, got {role!r:.40}", key=key)
        if role not in _CALLBACK_CALLERS and role is not Role.DEALER_STAFF:
            raise ConfigurationError(
                f"names {role.value}: a callback falls due to those who make it "
                f"({', '.join(sorted(r.value for r in _CALLBACK_CALLERS | {Role.DEALER_STAFF}))})",
                key=key,
            )
    if not any(role in _CALLBACK_CALLERS for role in value):
        raise ConfigurationError(
            "names no office role: a callback of a job no dealer did would reach nobody", key=key
        )


@refused_typed
@attrs.frozen
class NotificationParams:
    """Parameters of the default notification policy (pack section ``[notification]``)."""

    events: Mapping[NotificationEvent, tuple[Role, ...]] = attrs.field(
        default=_EVENTS, converter=_over_events
    )
    """Who is told of each event; a pack names only the events it changes."""
    priority: Mapping[Priority, tuple[Role, ...]] = attrs.field(default=_PRIORITY, converter=_priority_table)
    """Who is also told of every event of a ticket with this priority (critical → department head); a pack
    names only the priorities it changes (``critical = []`` tells nobody more)."""
    max_attempts: int = attrs.field(default=8, validator=_at_least_one)
    """Delivery attempts of one message before it becomes a dead letter for a manager to look at."""
    first_retry_seconds: int = attrs.field(default=60, validator=_at_least_one)
    """The wait after the first failed attempt; each further failure doubles it."""
    max_retry_seconds: int = attrs.field(default=6 * 3600, validator=_at_least_one)
    """The longest wait between two attempts."""
    keep_sent_days: int = attrs.field(default=90, validator=_at_least_one)
    """How long sent messages stay in the outbox (for audit) before the jobs purge them."""
    monthly_feedback_to: tuple[Role, ...] = attrs.field(default=(Role.MANAGER,), validator=_feedback_roles)
    """Seed 004 第五条 1(6) (每月反馈给总经理及相关部门): the related departments told of the month's
    feedback beside the general manager, who always is; a role outside the company's offices is refused."""
    callback_due_to: tuple[Role, ...] = attrs.field(default=(Role.AGENT,), validator=_callback_due_roles)
    """Who is told a service ticket's callback is due (the ``callbacks_due`` job): office roles through
    the staff directory, and ``dealer_staff`` for the dealer who did the job — seed 002 分工 1
    (乙方负责所售产品的全过程服务, 包括…回访) and 8 (乙方有义务配合甲方对本区域的用户进行回访). A complaint's
    callback is the centre's (seed 004 第八条 2(6)): its notice reaches the office roles only."""
    keep_dead_days: int = attrs.field(default=90, validator=_at_least_one)
    """How long a dead letter stays in the outbox after it was given up on (for a manager to list and
    retry: ``desk.outbox.dead_letters``) before the jobs purge it: it holds names and addresses too."""

    def __attrs_post_init__(self) -> None:
        if self.first_retry_seconds > self.max_retry_seconds:
            raise ConfigurationError(
                f"first_retry_seconds ({self.first_retry_seconds}) is longer than max_retry_seconds "
                f"({self.max_retry_seconds}), the longest wait between two attempts",
                key="notification.first_retry_seconds",
            )


@attrs.frozen
class DefaultNotification:
    """Roles to notify: the event's recipients plus the priority's."""

    params: NotificationParams = NotificationParams()
    name: str = "default.notification"

    def decide(self, facts: NotificationFacts) -> Decision[tuple[Role, ...]]:
        """The roles to notify of ``facts.event``, without duplicates, in a stable order."""
        roles = list(self.params.events[facts.event])
        reasons = [Reason("notify_event", {"event": facts.event.value})]
        extra = self.params.priority.get(facts.priority, ())
        if extra:
            reasons.append(Reason("notify_priority", {"priority": facts.priority.value}))
            roles.extend(r for r in extra if r not in roles)
        return Decision(tuple(roles), reasons, self.name)


KIND = PolicyKind("notification", NotificationParams, DefaultNotification)
"""Registers this kind with the policy registry (pack section ``[notification]``)."""
