"""permissions.can_write_party, the rule of writes on records other than tickets, as a table."""

from __future__ import annotations

import attrs
import pytest

from aftersales.domain.actors import Role
from aftersales.domain.ids import CustomerId
from aftersales.service.actors import Actor
from aftersales.service.permissions import READERS, REGION_WRITES, can_write_party

SH = Actor.dealer_staff("sh-1", "dealer-sh", {"SH"})
SH2 = Actor.dealer_staff("sh2-1", "dealer-sh2", {"SH"})
RECORD = {"customer_id": "cust-zh", "dealer_id": "dealer-sh", "region": "SH"}
"""A record of the Shanghai dealer's customer 张伟, of the Shanghai region."""

CASES = [
    (Actor.manager("m"), "create_plan", True),
    (Actor.system(), "create_plan", True),
    (Actor.auditor("a"), "create_plan", False),  # reads everything, changes nothing
    (Actor.customer("cust-zh"), "answer_survey", True),  # its own record
    (Actor.customer("cust-en"), "answer_survey", False),
    (SH, "create_plan", True),  # its dealer's
    (SH2, "create_plan", False),  # a second dealer of the region: not its customer
    (SH2, "answer_survey", True),  # seed 002: the region's satisfaction survey
    (Actor.dealer_staff("bj-1", "dealer-bj", {"BJ"}), "answer_survey", False),
    (Actor.engineer("eng-1"), "create_plan", False),  # engineers work through their tickets
]


@pytest.mark.parametrize(("actor", "command", "writes"), CASES)
def test_who_writes_a_record_of_the_shanghai_dealers_customer(
    actor: Actor, command: str, writes: bool
) -> None:
    assert can_write_party(actor, command, READERS, **RECORD) is writes


def test_a_role_the_command_does_not_allow_grants_nothing() -> None:
    # A customer who is also the second dealer's staff: its dealer role may answer surveys, not its customer
    # role on another's task; with only the customer role allowed, the region does not count.
    both = attrs.evolve(SH2, customer_id=CustomerId("cust-en")).with_roles(Role.CUSTOMER)
    assert can_write_party(both, "answer_survey", READERS, **RECORD)  # as the region's dealer
    assert not can_write_party(both, "answer_survey", frozenset({Role.CUSTOMER}), **RECORD)
    assert "answer_survey" in REGION_WRITES and "create_plan" not in REGION_WRITES
