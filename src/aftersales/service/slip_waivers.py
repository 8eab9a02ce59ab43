"""Who may cancel a fee slip owed by a dealer: the maker's office, not the dealer that owes it.

Seed 002 退料 1 (若在规定时间内未退料,则视用户对该材料为事实占有,需收取相关费用) and 其他 3 (盘点时开具
《售后服务材料收费暨报销单》…相关费用及时与用户协商解决): the maker charges the dealer for a part kept, and
分工 4 (保修期外甲方按成本价向乙方提供维修材料,款到发货) sells it parts at cost. Cancelling such a slip waives
the maker's claim, which is the creditor's decision after talking with the dealer; the dealer's staff
may still cancel the slips their dealer wrote to its own customers.
"""

from __future__ import annotations

from aftersales.domain.fee_slips import FeeSlip
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.permissions import FEE_ROLES
from aftersales.service.scope import acts_as_dealer_staff

__all__ = ["check_may_waive"]


def check_may_waive(actor: Actor, slip: FeeSlip) -> None:
    """Refuse (``PermissionDenied``, rule ``dealer_waives_own_debt``) dealer staff cancelling a slip a
    dealer owes the maker; anyone else the permission table lets cancel passes."""
    if slip.payer_kind == "dealer" and acts_as_dealer_staff(actor, FEE_ROLES["cancel_fee_slip"]):
        raise PermissionDenied(
            str(actor),
            "cancel_fee_slip",
            slip.id,
            rule="dealer_waives_own_debt",
            facts={"dealer": slip.payer_id or ""},
        )
