"""The override a manual dispatch makes when it sends an engineer outside the customer's region.

Seed 000 售后维护服务流程 4 (派工处理): 售后维护管理部门安排合适的售后维护人员前往客户现场. Where the pack's
dispatch keeps to the customer's region (``[dispatch] same_region_only``), the desk's own choice never
crosses it; the office naming an engineer of another region (跨区支援) is accepted — it may know who can
go — but, as a dispatch below the level or without the skill, recorded on the assignment so the history
and the audit show the pack's rule was set aside.
"""

from __future__ import annotations

from aftersales.domain.parties import Engineer
from aftersales.domain.reasons import Reason
from aftersales.policies.dispatch import DefaultDispatch

__all__ = ["outside_region"]


def outside_region(policy: object, engineer: Engineer, region: str | None) -> Reason | None:
    """``dispatch_outside_region`` when ``policy`` (the pack's dispatch) keeps to the region, the ticket's
    customer has one and ``engineer`` does not work in it; ``None`` otherwise (a host's own dispatch
    policy states no region rule the desk could read)."""
    if not isinstance(policy, DefaultDispatch) or not policy.params.same_region_only:
        return None
    if region is None or engineer.region == region:
        return None
    return Reason("dispatch_outside_region", {"region": region, "engineer_region": engineer.region or ""})
