"""Session 29 (g): the desk's callback-pair probe meets a host's policy answering outside its contract.

``check_callback_pair`` (session 28 f) asks a host's SLA and callback policies about two probe tickets
when a desk is built. Its module says a probe the host's policy cannot answer "(it raises, or answers
outside its contract)" is skipped; but only ``decide`` raising was: a decision whose ``outcome`` property
raises, a plan whose ``within`` or ``from_work_done`` was set past its validators, an SLA target whose
duration is no timedelta escaped ``ServiceDesk.open`` (and the function called directly) as the host's
``RuntimeError``/``TypeError``. Now those probes are skipped as documented, on every store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from test_callback_pair_probe_s28f import PACK

from aftersales.policies.callback import CallbackFacts
from aftersales.policies.deadline_pair import check_callback_pair
from aftersales.policies.sla import SlaFacts
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


class Quarrelsome:
    """A value that cannot be compared or tested for truth."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __bool__(self) -> bool:
        raise RuntimeError("bool")

    __hash__ = object.__hash__


class RaisingDecision:
    """A host's policy whose decision's ``outcome`` is a property that raises."""

    name = "host.raising"

    def decide(self, facts: object) -> object:
        class Decision:
            @property
            def outcome(self) -> object:
                raise RuntimeError("outcome")

        return Decision()


class BrokenPlan:
    """The pack's callback plan with one field set past its validators."""

    name = "host.callback"

    def __init__(self, field: str, value: object) -> None:
        self.field, self.value = field, value

    def decide(self, facts: CallbackFacts) -> object:
        decision = PACK.callback.decide(facts)
        plan = attrs.evolve(decision.outcome)
        object.__setattr__(plan, self.field, self.value)
        return attrs.evolve(decision, outcome=plan)


class BrokenTarget:
    """The pack's SLA answer with the callback target's duration set past its validators (on a copy)."""

    name = "host.sla"

    def decide(self, facts: SlaFacts) -> object:
        decision = PACK.sla.decide(facts)
        targets = [attrs.evolve(t) for t in decision.outcome.targets]
        for target in targets:
            if target.name == "callback":
                object.__setattr__(target, "duration", "72h")
        outcome = attrs.evolve(decision.outcome)
        object.__setattr__(outcome, "targets", tuple(targets))
        return attrs.evolve(decision, outcome=outcome)


CASES: list[dict[str, Any]] = [
    {"sla": RaisingDecision()},
    {"callback": RaisingDecision()},
    {"callback": BrokenPlan("within", "72h")},
    {"callback": BrokenPlan("from_work_done", Quarrelsome())},
    {"callback": BrokenPlan("whole_days", Quarrelsome())},
    {"sla": BrokenTarget()},
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "overrides", CASES, ids=lambda o: f"{next(iter(o))}-{type(next(iter(o.values()))).__name__}"
)
def test_an_answer_outside_its_contract_is_not_compared(
    backend: str, tmp_path: Path, overrides: dict[str, Any]
) -> None:
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF, overrides=overrides) as desk,
    ):
        assert desk.count(Actor.manager("mgr-1")) == 0  # built, and it reads


def test_the_probe_called_directly_skips_them_too() -> None:
    assert check_callback_pair(RaisingDecision(), RaisingDecision()) is None  # type: ignore[func-returns-value]
    assert check_callback_pair(BrokenTarget(), BrokenPlan("within", "72h")) is None  # type: ignore[func-returns-value]
