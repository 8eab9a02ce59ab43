"""No response clock on a ticket that answers no customer's feedback (a planned visit).

Seed 001 六(二)3 (对客户反馈问题的响应及时率) and seed 003 (响应: 与客户取得联系): the response is the answer
to what a customer reported. A planned maintenance visit (seed 000 保养服务 定期) is generated days ahead
by the company itself, and a complaint's extra visit is the company's own promise: no response is owed
(:func:`~aftersales.domain.customer_feedback.owes_response`). The KPI left them out of its response
figures since session 30; the live SLA ran a response clock on them all the same, so the ticket view, the
sweep's alerts and escalations and the breach report showed a response breached that the KPI did not
count. Dropping the target where the desk derives a ticket's targets gives every reader the same answer:
no stored response due, nothing to warn of or escalate, nothing to judge. Any SLA policy, the pack's or a
host's, and any agreed terms (a visit's own, a contract's) are held to it.
"""

from __future__ import annotations

import attrs

from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaTargets
from aftersales.policies.decision import Decision

__all__ = ["NO_FEEDBACK_REASON", "without_response"]

NO_FEEDBACK_REASON = "sla_no_feedback"
"""The reason code the dropped response target leaves."""


def without_response(decision: Decision[SlaTargets]) -> Decision[SlaTargets]:
    """``decision`` without its response target, with a reason saying why (as it is, when it has none)."""
    outcome = decision.outcome
    if outcome.get("response") is None:
        return decision
    targets = tuple(t for t in outcome.targets if t.name != "response")
    reasons = [r for r in decision.reasons if r.params.get("target") != "response"]
    reasons.append(Reason(NO_FEEDBACK_REASON))
    return Decision(attrs.evolve(outcome, targets=targets), reasons, decision.policy)
