"""Hostile round, session 34 h: an integrator's policy set — packs mixed, a policy of the host's own that
raises, answers the wrong type, or changes its answers between commands — on memory, SQLite and PostgreSQL.

These attacks passed; they are kept so they stay passing:

- office_equipment's warranty in a sanitary_ware desk opens (policies of two packs in one set), and the
  three stores answer the same input the same way;
- the host's priority policy raising: its own exception reaches the caller unchanged, the ticket, its
  version and the outbox are as before, the desk goes on;
- answering something that is not a decision: ``PluginError`` naming the kind, nothing changed;
- the host changing what its policy answers between commands (its own data): the desk asks it every time,
  never remembers a host policy's answer for the same facts;
- an override naming a kind no registry knows, or a kind's name in another case, is refused by key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError, PluginError
from aftersales.policies.registry import resolve_policies
from aftersales.policies.triage import DefaultPriority, TriageFacts
from aftersales.service.desk import ServiceDesk
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class HostPriority:
    """The host's triage: the default's answer, unless the host has set ``mode`` otherwise."""

    name = "host.priority"

    def __init__(self) -> None:
        self.mode = "default"
        self.calls = 0
        self._default = DefaultPriority()

    def decide(self, facts: TriageFacts) -> object:
        self.calls += 1
        if self.mode == "raise":
            raise LookupError("the host's priority table is being reloaded")
        if self.mode == "wrong":
            return "p1"
        if self.mode == "complex":  # the host's data now says this kind of problem is complex
            return self._default.decide(
                TriageFacts(category=facts.category, severity=facts.severity, complex_problem=True)
            )
        return self._default.decide(facts)


def _outbox_size(desk: ServiceDesk) -> int:
    with desk.context.store() as uow:
        return len(uow.outbox.pending(limit=1000))


def _flow(backend: str, tmp_path: Path) -> list[tuple[str, str, int]]:
    policy = HostPriority()
    overrides = {"priority": policy, "warranty": resolve_policies("office_equipment").warranty}
    seen: list[tuple[str, str, int]] = []
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides=overrides) as (desk, _, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        before = desk.ticket(world.agent, tid)
        queued = _outbox_size(desk)
        for mode, refused in (("raise", LookupError), ("wrong", PluginError)):
            policy.mode = mode
            with pytest.raises(refused) as caught:
                desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
            if refused is PluginError:
                assert "priority" in str(caught.value)
            after = desk.ticket(world.agent, tid)
            assert (after.state, after.version, _outbox_size(desk)) == (before.state, before.version, queued)
        policy.mode = "default"
        first = desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM).ticket
        seen.append((str(first.state), str(first.priority), first.version))
        other = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        policy.mode = "complex"
        calls = policy.calls
        second = desk.triage(world.agent, other, nature="repair", severity=Severity.MEDIUM).ticket
        assert policy.calls > calls  # asked again for the same facts: its answer may have changed
        seen.append((str(second.state), str(second.priority), second.version))
    return seen


def test_a_host_policy_raising_answering_wrong_or_changing_is_handled_alike_on_three_stores(
    tmp_path: Path,
) -> None:
    answers = {}
    for backend in BACKENDS:
        (tmp_path / backend).mkdir()
        answers[backend] = _flow(backend, tmp_path / backend)
    assert answers["memory"] == answers["sqlite"] == answers["postgres"]


@pytest.mark.parametrize("kind", ["no_such_kind", "Priority", "PRIORITY", " priority"])
def test_an_override_naming_no_known_kind_is_refused_by_its_key(kind: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack="sanitary_ware", overrides={kind: HostPriority()})
    assert refused.value.key == kind
