"""Who records money a dealer (or an engineer) owes the maker: the maker's office, not the debtor.

Seed 002 分工 4 (保修期外甲方按成本价向乙方提供维修材料,款到发货): the maker ships once *its* money has
arrived, so the payment of a dealer's purchase at cost, or of a part it kept (退料 1: 事实占有,需收取相关
费用), is confirmed by the creditor — the after-sales office (or a job the host runs for it) — and never
by the debtor's own staff, who could otherwise clear their parts for shipping with nothing received.
The user's payments (a slip the customer owes) are recorded by whoever serves the user, as before.
"""

from __future__ import annotations

from collections.abc import Collection

from aftersales.domain.actors import Role
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.scope import sees_every

__all__ = ["MAKERS_DEBTORS", "check_payment_recorder"]

MAKERS_DEBTORS = frozenset({"dealer", "engineer"})
"""The payers whose slips are owed to the maker (the customer owes the dealer or the maker's service)."""


def check_payment_recorder(
    actor: Actor, command: str, target: str, payer_kind: str, payer_id: str | None, allowed: Collection[Role]
) -> None:
    """Refuse (``PermissionDenied``, rule ``maker_confirms_payment``) recording a payment of money owed
    to the maker (``payer_kind`` dealer or engineer) by anyone but one of the office's roles that
    ``allowed`` lets run ``command`` (the office, the system); customers' payments pass."""
    if payer_kind not in MAKERS_DEBTORS or sees_every(actor, frozenset(allowed) - {Role.AUDITOR}):
        return
    raise PermissionDenied(
        str(actor),
        command,
        target,
        rule="maker_confirms_payment",
        facts={"payer": f"{payer_kind}:{payer_id or ''}"},
    )
