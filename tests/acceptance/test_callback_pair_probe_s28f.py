"""Session 28 (f): a host's SLA and callback policies of its own classes keep one callback deadline.

Seeds 000 (服务结束后一定时间内…回访), 003 (录入系统…24小时内回访) and 004 (投诉处理后的七天内) give one
callback deadline: the callback task falls due at it, the SLA's callback target measures it. Packs, and
overrides built on ``DefaultSla``/``DefaultCallback``, are compared by their params (session 27); a policy
of the host's own class has no params to read and was never compared — over sanitary_ware (callback within
72 hours) a host's SLA class answering 24 hours made the status, the KPI and the task disagree without a
word. The desk now asks both policies about a probe repair and a probe complaint when it is built and
refuses two figures (``ConfigurationError`` naming ``policies.callback``), before the store is touched.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales import ConfigurationError
from aftersales.policies.callback import CallbackFacts, DefaultCallback
from aftersales.policies.deadline_pair import check_callback_pair
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import DefaultSla, SlaFacts, SlaParams
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = resolve_policies("sanitary_ware")


class OwnSla:
    """A host's SLA class: the pack's answers, or those of other params."""

    name = "host.sla"

    def __init__(self, params: SlaParams | None = None) -> None:
        self.inner = DefaultSla(params) if params is not None else PACK.sla

    def decide(self, facts: SlaFacts) -> object:
        return self.inner.decide(facts)


class OwnCallback:
    """A host's callback class: the pack's plan with ``within`` (or its start) changed."""

    name = "host.callback"

    def __init__(self, **changes: object) -> None:
        self.changes = changes

    def decide(self, facts: CallbackFacts) -> object:
        decision = PACK.callback.decide(facts)
        return attrs.evolve(decision, outcome=attrs.evolve(decision.outcome, **self.changes))


class Unanswering:
    name = "host.unanswering"

    def decide(self, facts: object) -> object:
        raise LookupError("the host's policy knows only its own categories")


SLA_24 = attrs.evolve(PACK.sla.params, callback_hours=24)  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"sla": OwnSla(SLA_24)}, "a service callback within 72 hours but the SLA 24"),
        ({"callback": OwnCallback(within=timedelta(hours=48))}, "within 48 hours but the SLA 72"),
        ({"callback": OwnCallback(from_work_done=True)}, "runs from work_done but the SLA's from acceptance"),
        ({"sla": OwnSla(attrs.evolve(PACK.sla.params, complaint_callback_days=3))},  # type: ignore[attr-defined]
         "a complaint's callback within 7 days (whole days) but the SLA 3 whole days"),
    ],
)  # fmt: skip
def test_a_host_class_with_another_callback_deadline_is_refused(
    backend: str, tmp_path: Path, overrides: dict[str, object], said: str
) -> None:
    with store_url(backend, tmp_path) as url:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF, overrides=overrides)
        assert refused.value.key == "policies.callback" and said in str(refused.value)
        with ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF) as desk:  # nothing was opened
            assert desk.policies.sla.params.callback_hours == 72


@pytest.mark.parametrize(
    "overrides",
    [
        {"sla": OwnSla(), "callback": OwnCallback()},  # the pack's answers through the host's classes
        {"sla": Unanswering()},  # cannot answer a probe: not compared (the command reports it)
        {"callback": OwnCallback(required=False)},  # no callback owed: nothing planned to disagree
        # a working-hour SLA callback is another unit: the task falls due with the SLA target
        {"sla": OwnSla(attrs.evolve(SLA_24, callback_in_working_hours=True))},
    ],
    ids=["same", "unanswering", "not-owed", "working-hours"],
)
def test_a_host_class_giving_one_deadline_or_none_comparable_opens(overrides: dict[str, object]) -> None:
    with ServiceDesk.open("memory://", pack="sanitary_ware", staff=STAFF, overrides=overrides) as desk:
        assert desk.policies.sla is not None


def test_the_librarys_own_pair_is_left_to_the_params_check() -> None:
    assert None is check_callback_pair(
        PACK.sla, DefaultCallback(attrs.evolve(PACK.callback.params, service_within_hours=1))
    )  # type: ignore[attr-defined]
