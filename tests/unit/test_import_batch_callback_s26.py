"""An import batch decides each distinct set of callback facts once (issue 21, session 26): the close
check of 10,000 tickets asked the pack's policy 10,000 times for a handful of distinct answers."""

from __future__ import annotations

from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.parties import CustomerTier
from aftersales.policies.callback import CallbackFacts, CallbackPlan, DefaultCallback
from aftersales.policies.decision import Decision
from aftersales.service.import_lifecycle import BatchCallback

FACTS = [
    CallbackFacts(TicketKind.SERVICE, Priority.NORMAL, CustomerTier.REGULAR, "repair"),
    CallbackFacts(TicketKind.SERVICE, Priority.CRITICAL, CustomerTier.VIP, "repair"),
    CallbackFacts(TicketKind.COMPLAINT, Priority.NORMAL, CustomerTier.IMPORTANT, None, major=True),
]


class Counting:
    """The default policy, counting what it is asked."""

    name = "counting"

    def __init__(self) -> None:
        self.asked: list[CallbackFacts] = []

    def decide(self, facts: CallbackFacts) -> Decision[CallbackPlan]:
        self.asked.append(facts)
        return DefaultCallback().decide(facts)


def test_a_batch_callback_answers_as_the_policy_once_per_distinct_facts() -> None:
    policy = Counting()
    batch = BatchCallback(policy)
    for _ in range(5):
        for facts in FACTS:
            assert batch.decide(facts) == DefaultCallback().decide(facts)
    assert policy.asked == FACTS  # each asked once
    assert batch.name == "counting"
