"""Whether a handled complaint's callback may be left to the host (``schedule_callback=False``).

Seed 004 第八条 2(6): 用户投诉处理完毕后…要求在投诉处理后的七天内进行回访和登记好回访的情况. Before
session 29, ``schedule_callback=False`` left a regular customer's general complaint with no callback owed
at all: the host's switch silently took away what the pack's rule requires (configuration a caller passes
is used or refused, never quietly overrides the pack). The switch is now refused wherever the pack's
callback policy owes the complaint a callback or a survey; it stays for a host callback policy that owes
none.
"""

from __future__ import annotations

from aftersales.domain.complaints import ComplaintFile, ComplaintSeverity
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.protocols import CallbackPolicy
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.callback_plan import callback_plan, customer_tier

__all__ = ["check_left_to_host"]


def check_left_to_host(policy: CallbackPolicy, uow: UnitOfWork, ticket: Ticket, file: ComplaintFile) -> None:
    """Refuse leaving the callback of complaint ``ticket`` to the host when the pack owes it one.

    A ``ValidationError`` naming ``schedule_callback``: a survey owed (seed 001: 重大售后问题或重要客户)
    or a callback owed (seed 004: 七天内进行回访); nothing is changed by the caller yet."""
    major = file.severity is ComplaintSeverity.MAJOR
    plan = callback_plan(policy, ticket, customer_tier(uow, ticket), major).outcome
    if plan.survey:
        raise ValidationError(
            f"complaint {ticket.id} is owed a satisfaction survey once handled (a major complaint"
            " or an important customer): its callback is scheduled with the feedback",
            field="schedule_callback",
            rule="complaint_survey_owed",
        )
    if plan.required:
        raise ValidationError(
            f"complaint {ticket.id} is owed a callback once handled (the pack's callback rule: within"
            f" {plan.within.days} days): its callback is scheduled with the feedback",
            field="schedule_callback",
            rule="complaint_callback_owed",
        )
