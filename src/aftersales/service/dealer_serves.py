"""Whether a dealer serves a customer outside its own customers and regions: a job or a unit of theirs.

Seed 004 第八条 2(5): 当接到危机事件的单位或部门、个人要立即通知客户服务中心 — whoever meets a crisis tells
the centre at once. A dealer's staff read their dealer's and their regions' customers; the office may also
pass them another region's customer's job (dispatch), which they then work on site. Before session 30 such a
dealer meeting a crisis there could not report it (``NotFound`` for the customer), while an engineer could
(:func:`~aftersales.service.scope.engineer_serves`); nor could the dealer that sold the customer a unit
installed in its region. As for the engineer, the customers the dealer knows are those of its jobs and its
units: any other customer id stays unknown to it.
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.permissions import dealers_job
from aftersales.service.scope import any_ticket_of

__all__ = ["dealer_serves"]


def dealer_serves(uow: UnitOfWork, actor: Actor, customer_id: str) -> bool:
    """Does ``actor``, as dealer staff, serve ``customer_id``: hold a job of theirs (its dealer's, or passed
    to it), or a unit of theirs its dealer sold (seed 002: 乙方负责所售产品的全过程服务)?"""
    if not actor.has_role(Role.DEALER_STAFF) or actor.dealer_id is None:
        return False
    if uow.assets.list(customer_id=customer_id, dealer_id=actor.dealer_id):
        return True
    return any_ticket_of(uow, customer_id, lambda ticket: dealers_job(actor, ticket))
