"""Session 29 (g): actors built from a host's text that is not plain ``str``, or that spoofs its reading.

A host passes user input straight through: a lazy text proxy or a template's safe string (a ``str``
subclass) whose ``__hash__``/``__eq__``/``__repr__`` raise reached every command untyped (the actor is
hashed into its event's ref, compared in scope checks), and ``check_id`` refused such a subclass even
when it held a valid id, then formatted it with its raising ``__repr__``. A bidi override in an actor's
id (``"a\\u202e1"``) was kept and shown reordered in events and pages. Now a subclass is read as the
plain text it holds (as ``check_text`` does), set past the converters it is refused typed, and a bidi
control in an actor's identifier is refused naming the field; its name (free text) keeps it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_hostile_s29g_fuzz import RaisingStr

from aftersales.domain.validation import check_id
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def test_an_id_in_a_str_subclass_is_read_as_its_plain_text() -> None:
    found = check_id(RaisingStr("SR-2026-000001"), "ticket_id")
    assert found == "SR-2026-000001" and type(found) is str
    with pytest.raises(ValidationError) as refused:
        check_id(RaisingStr("no such id!"), "ticket_id")
    assert refused.value.field == "ticket_id" and "'no such id!'" in str(refused.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_actor_of_str_subclasses_acts_as_its_plain_text(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _, world):
        agent = Actor.agent(RaisingStr("agent-1"), name=RaisingStr("客服小李"))
        customer = Actor.customer(RaisingStr(world.cust_zh.id))
        assert type(agent.id) is str and type(agent.name) is str and type(customer.customer_id) is str
        opened = desk.open_ticket(agent, customer_id=world.cust_zh.id, description="漏水")
        by_customer = desk.open_ticket(customer, customer_id=world.cust_zh.id, description="冲水无力")
        ticket = desk.ticket(customer, by_customer.ticket.id)
        assert ticket.events[0].actor.id == world.cust_zh.id
        assert desk.ticket(world.manager, opened.ticket.id).events[0].actor.id == "agent-1"
        staff = Actor.dealer_staff("sh-2", RaisingStr(world.dealer_sh.id), [RaisingStr("SH")])
        assert staff.regions == frozenset({"SH"}) and all(type(r) is str for r in staff.regions)
        assert desk.count(staff) == 2


@pytest.mark.parametrize(
    ("regions", "words"),
    [(5, "got int"), ([["SH"]], "holds a list"), ([object()], "holds a object")],
)
def test_regions_that_are_not_text_are_refused_typed(regions: Any, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Actor.dealer_staff("sh-2", "dealer-sh", regions)
    assert refused.value.field == "actor.regions" and words in str(refused.value)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("field", ["id", "customer_id"])
def test_a_str_subclass_set_past_the_converters_is_refused_and_nothing_changes(
    backend: str, field: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _, world):
        customer = Actor.customer(world.cust_zh.id)
        object.__setattr__(customer, field, RaisingStr(world.cust_zh.id))
        with pytest.raises(ValidationError) as refused:
            desk.open_ticket(customer, customer_id=world.cust_zh.id, description="漏水")
        assert refused.value.field == f"actor.{field}" and "RaisingStr" in str(refused.value)
        assert desk.count(world.manager) == 0


@pytest.mark.parametrize("field", ["id", "customer_id", "dealer_id", "engineer_id", "team"])
@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_a_bidi_control_in_an_actors_identifier_is_refused(field: str, control: str) -> None:
    fields: dict[str, Any] = {"id": "a1", "role": "agent", field: f"a{control}1"}
    with pytest.raises(ValidationError) as refused:
        Actor(**fields)
    assert refused.value.field == f"actor.{field}" and "bidi" in str(refused.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bidi_control_in_an_actors_name_is_kept_and_one_set_past_the_validators_is_refused(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _, world):
        named = Actor.agent("agent-1", name="客服\u202e小李")
        assert named.name == "客服\u202e小李"
        desk.open_ticket(named, customer_id=world.cust_zh.id, description="漏水")
        spoofed = Actor.agent("agent-2")
        object.__setattr__(spoofed, "id", "agent\u202e-2")
        with pytest.raises(ValidationError) as refused:
            desk.open_ticket(spoofed, customer_id=world.cust_zh.id, description="漏水")
        assert refused.value.field == "actor.id"
        assert desk.count(world.manager) == 1


@pytest.mark.parametrize("field", ["customer_id", "dealer_id", "engineer_id", "team"])
def test_an_empty_scope_id_is_refused_when_built_and_when_set_past_the_validators(
    field: str, tmp_path: Path
) -> None:
    # Session 36: dealer staff of dealer "" read a ticket of the region's by its number, and the ledger
    # then refused the same actor naming the query's own field (dealer_scope), not the actor's.
    with pytest.raises(ValidationError) as refused:
        Actor(**{"id": "x1", "role": "dealer_staff", "regions": {"SH"}, field: ""})
    assert (refused.value.field, refused.value.rule) == (f"actor.{field}", "empty")
    with world_desk("memory", tmp_path) as (desk, _, world):
        opened = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        staff = Actor.dealer_staff("x1", world.dealer_sh.id, {"SH"})
        object.__setattr__(staff, field, "")
        for read in (lambda: desk.ticket(staff, opened), lambda: desk.ledger(staff)):
            with pytest.raises(ValidationError) as refused:
                read()
            assert refused.value.field == f"actor.{field}"
