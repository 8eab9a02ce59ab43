"""Session 27 (f): a host's SLA or callback policy object keeps the pack's one callback deadline.

Seed 000 (服务结束后一定时间内…回访) and seed 003 (录入系统 … 24小时内回访) give one callback deadline: the
callback task falls due at it and the SLA's callback target measures it. A pack naming two figures is
refused; a host passing ``overrides={"sla": DefaultSla(SlaParams(pause_on_parts=True))}`` was not
compared, and over sanitary_ware (callback within 72 hours) the SLA target ran 24 hours while the task
fell due at 72 — the status, the KPI and the task disagreed without a word. An override built on the
library's policies is now held to the same rule (``ConfigurationError``, key ``overrides.sla`` or
``overrides.callback``); one built from the pack's params opens. A policy of the host's own class says
no deadline the library can read, and opens as before.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales import ConfigurationError
from aftersales.policies.callback import CallbackParams, DefaultCallback
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("pack", "overrides", "key", "said"),
    [
        ("sanitary_ware", {"sla": DefaultSla(SlaParams(pause_on_parts=True))}, "overrides.sla",
         "callback.service_within_hours = 72 but sla.callback_hours = 24"),
        ("office_equipment", {"sla": DefaultSla(SlaParams())}, "overrides.sla",
         "callback.service_from = work_done but sla.callback_from = acceptance"),
        ("general_maintenance", {"callback": DefaultCallback(CallbackParams(required=False))},
         "overrides.callback", "callback.service_within_hours = 24 but sla.callback_hours = 72"),
    ],
)  # fmt: skip
def test_an_override_with_another_callback_deadline_is_refused(
    backend: str, tmp_path: Path, pack: str, overrides: dict[str, object], key: str, said: str
) -> None:
    with store_url(backend, tmp_path) as url:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack=pack, staff=STAFF, overrides=overrides)
        assert refused.value.key == key
        assert said in str(refused.value)
        # Nothing was opened on the store: the same URL opens with the pack's own policies.
        with ServiceDesk.open(url, pack=pack, staff=STAFF) as desk:
            assert desk.policies.sla.params.pause_on_parts is resolve_policies(pack).sla.params.pause_on_parts


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_override_built_from_the_packs_params_opens(backend: str, tmp_path: Path) -> None:
    params = attrs.evolve(resolve_policies("sanitary_ware").sla.params, pause_on_parts=True)
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="sanitary_ware", staff=STAFF, overrides={"sla": DefaultSla(params)}
        ) as desk,
    ):
        assert (
            desk.policies.sla.params.callback_hours
            == desk.policies.callback.params.service_within_hours
            == 72
        )
        assert desk.policies.sla.params.pause_on_parts is True


def test_both_overridden_with_one_figure_open() -> None:
    policies = resolve_policies(
        "sanitary_ware",
        {
            "sla": DefaultSla(SlaParams(callback_hours=48)),
            "callback": DefaultCallback(CallbackParams(service_within_hours=48)),
        },
    )
    assert policies.sla.params.callback_hours == 48


def test_a_policy_of_the_hosts_own_class_is_not_compared() -> None:
    class OwnSla:
        name = "host.sla"

        def decide(self, facts: object) -> object:
            return resolve_policies("sanitary_ware").sla.decide(facts)  # type: ignore[arg-type]

    assert resolve_policies("sanitary_ware", {"sla": OwnSla()}).sla.name == "host.sla"


def test_a_named_override_is_checked_as_the_pack_is() -> None:
    # A name takes the pack's params: the pack's one figure, nothing to refuse.
    assert resolve_policies("sanitary_ware", {"sla": "default"}).sla.params.callback_hours == 72
