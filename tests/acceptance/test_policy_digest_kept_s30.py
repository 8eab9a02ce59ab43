"""Issue 21 (session 30): on a store its SLA sweep has stamped (every store after its first sweep), each
ticket command that changes a state or a due time checks the stamp against the desk's policies, and
digested the pack's SLA and callback parameters again to do it (300 + 80 µs, more than the rest of the
command). A library policy is an immutable value: its digest is kept. A host's own policy, which may keep
its figures in attributes it changes, is digested on every call as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest

import aftersales.policies.fingerprint as fingerprint_module
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.policies.fingerprint import _immutable, policy_fingerprint
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path) as found:
        yield found


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    digested: list[object] = []
    real = fingerprint_module._digest

    def counted(policy: object) -> str:
        digested.append(policy)
        return real(policy)

    monkeypatch.setattr(fingerprint_module, "_digest", counted)
    return digested


def test_commands_on_a_stamped_store_digest_no_policy(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        assert not desk.run_due_jobs().failed  # the sweep stamps the store with the desk's policies
        digested = _counting(monkeypatch)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.HIGH, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
        desk.note_to_customer(world.agent, tid, text="工程师已出发")
        assert desk.ticket(world.manager, tid).resolution_due_at is not None
        assert digested == []


def test_a_library_policy_is_digested_once_and_equal_to_a_fresh_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    days = {priority: days + 1 for priority, days in SlaParams().resolution_days.items()}
    policy = DefaultSla(attrs.evolve(SlaParams(), resolution_days=days))
    twin = DefaultSla(attrs.evolve(SlaParams(), resolution_days=days))
    digested = _counting(monkeypatch)
    first = policy_fingerprint(policy)
    assert policy_fingerprint(policy) == first and len(digested) == 1
    assert policy_fingerprint(twin) == first and len(digested) == 2  # another object: digested itself
    assert policy_fingerprint(DefaultSla()) != first


class _HostSla:
    """A host's policy keeping its figures in its own attribute (docs: "A host's SLA policy")."""

    name = "host.sla"

    def __init__(self) -> None:
        self.hours = 8

    def decide(self, facts: Any) -> Any:  # pragma: no cover - never asked here
        raise NotImplementedError


def test_a_host_policy_is_digested_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = _HostSla()
    digested = _counting(monkeypatch)
    before = policy_fingerprint(policy)
    policy.hours = 12  # its answers changed: so does its digest, as before
    assert policy_fingerprint(policy) != before and len(digested) == 2


def test_only_values_that_cannot_change_count_as_immutable() -> None:
    assert _immutable(DefaultSla(), 0)
    assert _immutable((1, "a", frozenset({2})), 0)
    assert _immutable(MappingProxyType({"a": (1, 2)}), 0)
    assert not _immutable(MappingProxyType({"a": [1, 2]}), 0)
    assert not _immutable({"a": 1}, 0)
    assert not _immutable([1], 0)
    assert not _immutable(_HostSla(), 0)

    @attrs.define
    class Thawed:  # an attrs class that is not frozen (and not the library's)
        value: int = 1

    assert not _immutable(Thawed(), 0)
