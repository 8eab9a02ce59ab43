"""Who may record a customer's acceptance for them (``[lifecycle] acceptance_recorders``).

Seed 001 三(六): 1. 问题处理完毕后,技术支持人员或责任部门应将处理结果反馈给售后专员; 2. 售后专员负责将处理
结果及时反馈给客户,并确认客户是否满意 — the engineer who did the work reports the result to the specialist,
and the specialist tells the customer and confirms their satisfaction. An engineer recording
``confirm(channel="phone")`` for their own job skipped the specialist's check. Where the pack names the
recorders (``exhibition_services``: agent and manager), another staff role is refused; the customer
confirming themself never is. The library's default lets every staff role the workflow allows record it
(seed 003: the engineer brings back the 服务单 the customer signed).
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.ticket import Ticket
from aftersales.errors import PermissionDenied
from aftersales.policies.lifecycle import LifecycleParams
from aftersales.service.actors import Actor

__all__ = ["check_recorder"]


def check_recorder(actor: Actor, ticket: Ticket, params: LifecycleParams) -> None:
    """Refuse staff the pack does not let record the customer's acceptance of ``ticket``:
    ``PermissionDenied`` (action ``confirm``, rule ``acceptance_recorded_by``, facts ``role``)."""
    role = actor.ref.role
    if role is not Role.CUSTOMER and role not in params.acceptance_recorders:
        raise PermissionDenied(
            str(actor), "confirm", ticket.id, rule="acceptance_recorded_by", facts={"role": role.value}
        )
