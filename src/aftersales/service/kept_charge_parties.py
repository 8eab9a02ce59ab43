"""Who a kept-part charge is about, and who hears of it (seed 002 退料 1: 视用户对该材料为事实占有).

A part not back by its deadline is charged to the party that kept it; a dealer's own engineer's part is
charged to the dealer (乙方需按时退回换下的配件: the dealer answers to the maker for its fitter), the slip
naming the engineer (``kept_by_dealer_engineer``). The charge's notice went to both, but the notice that
the charge was paid back (``kept_charge_refunded``) to the dealer alone: the engineer who kept the part —
the one the office settles with (与用户沟通) — never heard it was withdrawn (session 39). One rule for both
notices: :func:`told_of_kept_charge`.
"""

from __future__ import annotations

from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.materials import PartyRef

__all__ = ["KEPT_BY_DEALER_ENGINEER", "kept_by", "payer_of", "told_of_kept_charge"]

KEPT_BY_DEALER_ENGINEER = "kept_by_dealer_engineer"
"""The reason a kept-part slip paid by a dealer names its engineer who kept the part with."""


def payer_of(slip: FeeSlip) -> PartyRef:
    """The party that pays ``slip`` (a kept-part charge): the dealer, or the maker's own engineer."""
    if slip.payer_kind == "engineer":
        return PartyRef.engineer(str(slip.payer_id))
    return PartyRef.dealer(str(slip.payer_id))


def kept_by(slip: FeeSlip) -> PartyRef:
    """The party whose ledger was charged: the engineer who kept the part (the slip names them when
    their dealer pays), else the payer."""
    for reason in slip.reasons:
        if reason.code == KEPT_BY_DEALER_ENGINEER:
            return PartyRef.engineer(str(reason.params["engineer_id"]))
    return payer_of(slip)


def told_of_kept_charge(slip: FeeSlip) -> tuple[PartyRef, ...]:
    """Who hears of the kept-part charge ``slip`` and of its being paid back: the party that kept the part,
    then the payer when another (a dealer paying for its own engineer), each once."""
    kept, payer = kept_by(slip), payer_of(slip)
    return (kept,) if kept == payer else (kept, payer)
