"""A lifecycle override the desk cannot use is refused at open, as the privacy, faults, custom-fields and
attachments overrides are.

``overrides={"lifecycle": LifecycleParams(fault_record_for=("repair",))}`` (the params, not the policy) was
taken and replaced by the defaults without a word: a repair then resolved without its fault record
(故障描述→故障原因→处理措施, seed 002), the rule the host had asked for. Now a ``ConfigurationError``
naming ``lifecycle``, before the store is opened, and through the constructor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError
from aftersales.policies.lifecycle import DefaultLifecycle, LifecycleParams
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk
from conftest import store_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "given", [LifecycleParams(fault_record_for=("repair",)), 5, {"fault_record_for": []}]
)
def test_a_lifecycle_override_that_is_no_lifecycle_policy_is_refused(
    backend: str, tmp_path: Path, given: object
) -> None:
    with store_url(backend, tmp_path) as url:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack="sanitary_ware", overrides={"lifecycle": given})
        assert refused.value.key == "lifecycle" and type(given).__name__ in str(refused.value)
        wanted = DefaultLifecycle(LifecycleParams(fault_record_for=("repair",)))
        with ServiceDesk.open(url, pack="sanitary_ware", overrides={"lifecycle": wanted}) as desk:
            assert desk.policies.extra["lifecycle"] is wanted


def test_the_constructor_refuses_it_too() -> None:
    from aftersales.adapters.memory import MemoryStore

    policies = resolve_policies("sanitary_ware", {"lifecycle": LifecycleParams()})
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk(MemoryStore(), policies=policies)
    assert refused.value.key == "lifecycle"
