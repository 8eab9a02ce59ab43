# mypy: disable-error-code="arg-type"
"""Session 21: a privacy override the desk cannot use is refused when the desk opens, on every store.

The ``purge_idempotency`` job keeps replays (and the phone numbers or e-mails in their keys) the
pack's ``[privacy] keep_idempotency_days``. An override given as ``PrivacyParams(keep_idempotency_days=7)``,
a number or a table was taken and then replaced by the defaults without a word: the job kept them 30
days. Such an override is now a ``ConfigurationError`` naming ``privacy`` (as for the faults, custom
fields and attachments policies); a ``PrivacyRules`` override is used.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.memory import open_memory
from aftersales.errors import ConfigurationError
from aftersales.policies.privacy import PrivacyParams, PrivacyRules, retention_of
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk
from conftest import store_url

BACKENDS = ["memory", "sqlite", "postgres"]
UNUSABLE = [PrivacyParams(keep_idempotency_days=7), 7, {"keep_idempotency_days": 7}]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("given", UNUSABLE, ids=["params", "number", "table"])
def test_a_privacy_override_that_is_no_rules_is_refused_at_open(
    backend: str, given: object, tmp_path: Path
) -> None:
    with store_url(backend, tmp_path) as url:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(url, pack="office_equipment", overrides={"privacy": given})
        assert refused.value.key == "privacy"
        rules = PrivacyRules(PrivacyParams(keep_idempotency_days=7))
        with ServiceDesk.open(url, pack="office_equipment", overrides={"privacy": rules}) as desk:
            assert retention_of(desk.policies.extra) == timedelta(days=7)


def test_the_constructor_refuses_it_too() -> None:
    policies = resolve_policies("office_equipment", {"privacy": PrivacyParams(keep_idempotency_days=7)})
    store = open_memory()
    try:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk(store, policies=policies)
        assert refused.value.key == "privacy"
    finally:
        store.close()
