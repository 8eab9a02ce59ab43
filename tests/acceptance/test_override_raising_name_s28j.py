"""A host's policy whose ``name`` raises, given as an override, is refused typed (session 28 j).

``ServiceDesk.open`` checks each override against its kind's protocol before the desk probes the SLA and
callback pair (session 28): the check (``isinstance`` of a runtime protocol) reads the host's attributes,
and a ``name`` property that raises (a lazily configured policy whose settings fail to load) escaped as
that exception, untyped. Now such a policy does not implement its kind: a ``ConfigurationError`` naming
the kind, before the store is touched. Memory, SQLite, PostgreSQL alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, store_url

PACK = resolve_policies("sanitary_ware")


class NameRaises:
    """The pack's answers, but its name cannot be read."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        raise RuntimeError("the host's settings did not load")

    def decide(self, facts: object) -> object:
        return self.inner.decide(facts)  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("kind", ["sla", "callback"])
def test_an_override_whose_name_raises_is_refused_naming_its_kind(
    backend: str, kind: str, tmp_path: Path
) -> None:
    with store_url(backend, tmp_path) as url:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open(
                url, pack="sanitary_ware", staff=STAFF, overrides={kind: NameRaises(getattr(PACK, kind))}
            )
        assert refused.value.key == kind and "does not implement" in str(refused.value)
        with ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF) as desk:  # the store is as it was
            assert desk.policies.sla.params.callback_hours == 72  # type: ignore[attr-defined]
