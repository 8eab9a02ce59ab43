"""Who hears of a complaint's clock beside the roles (seed 003 二 5 投诉处理, 二 1 客服专员实行轮班制).

二 5 由指定人员负责跟进,确保…在规定时限内给出解决方案: the designated handler answers for the time limit, so
the SLA sweep tells them its warning and breach (session 36), and a breach withdrawn by a contact entered
after the fact is withdrawn to them too (before session 37 the withdrawal reached only the roles).
二 1 轮班制,保证服务的连续性: an agent handler is at the desk only on their shifts. A complaint the morning
shift took at 11:50 falls due at 14:50, when the afternoon shift is at the desk, and the handler told at
home cannot call the customer; calls to the customer stay open to the office, so the agents the roster
has on duty at that moment are told too, while the handler is not among them. Without a roster, or with
nobody on duty, nothing is added (the managers hear of the breach as before).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_follower import complaint_follower
from aftersales.service.notify import Notifications
from aftersales.service.on_duty import agents_on_duty

__all__ = ["covering_agents", "follow_up_messages"]


def covering_agents(uow: UnitOfWork, handler: ActorRef, at: datetime) -> tuple[ActorRef, ...]:
    """The agents on duty at ``at`` when ``handler`` is an agent the roster does not have at the desk
    then; none when the handler is on duty, is not an agent, or nobody is on duty."""
    if handler.role is not Role.AGENT:
        return ()
    on_duty = agents_on_duty(uow, at)
    if any(agent.id == handler.id for agent in on_duty):
        return ()
    return on_duty


def follow_up_messages(
    notifications: Notifications,
    uow: UnitOfWork,
    ticket: Ticket,
    words: str,
    values: Mapping[str, object],
    key: str,
    now: datetime,
    *,
    announced_at: datetime,
) -> list[OutboxMessage]:
    """``words`` for complaint ``ticket``'s handler and, when the handler was off shift at
    ``announced_at`` (the clock's announcement), for the agents on duty then; none for a service ticket
    or a complaint nobody has taken up."""
    follower = complaint_follower(uow, ticket)
    if follower is None:
        return []
    messages = notifications.person_messages(words, follower, values, key, now)
    for agent in covering_agents(uow, follower, announced_at):
        messages += notifications.person_messages(words, agent, values, key, now)
    return messages
