"""``Actor.ref``: what events record about the actor, in the role the command runs under.

The refs are shared immutable values (one per person and role): the tests check the value, not only
that it is shared, for a plain actor and for a person acting in one of several roles.
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef, Role
from aftersales.service.actors import Actor, act_in, acting_scope


def test_the_ref_names_the_actor_in_its_role_and_is_shared() -> None:
    agent = Actor.agent("a-ref-1")
    first = agent.ref
    assert first == ActorRef("a-ref-1", Role.AGENT)
    assert Actor.agent("a-ref-1").ref is first  # the same person and role: one value
    assert Actor.agent("a-ref-2").ref == ActorRef("a-ref-2", Role.AGENT)
    assert Actor.manager("a-ref-1").ref == ActorRef("a-ref-1", Role.MANAGER)


def test_a_person_with_several_roles_is_recorded_in_the_role_the_command_runs_under() -> None:
    boss = Actor.manager("m-ref-1").with_roles(Role.DEPARTMENT_HEAD)
    assert boss.ref == ActorRef("m-ref-1", Role.MANAGER)
    with acting_scope():
        assert act_in(boss, [Role.DEPARTMENT_HEAD]) is Role.DEPARTMENT_HEAD
        assert boss.ref == ActorRef("m-ref-1", Role.DEPARTMENT_HEAD)
    assert boss.ref == ActorRef("m-ref-1", Role.MANAGER)  # the scope ended: the primary role again
