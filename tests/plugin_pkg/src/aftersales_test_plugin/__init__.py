"""A test plugin: registers the pack ``test_industry`` and a dispatch policy named ``nearest``."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from aftersales.policies.dispatch import DefaultDispatch, DispatchParams, ScoreWeights
from aftersales.policies.kinds import NamedPolicy
from aftersales.policies.pack import PackFile

PACK = PackFile("test_industry", files(__name__) / "test_industry.toml")


def _nearest(params: Any) -> DefaultDispatch:
    """Dispatch that only cares about the region (weights on region alone)."""
    base = params if isinstance(params, DispatchParams) else DispatchParams()
    weights = ScoreWeights(skill=0.0, region=10.0, load=0.0, level=0.0)
    return DefaultDispatch(
        DispatchParams(mode=base.mode, weights=weights, same_region_only=False), "plugin.nearest"
    )


NEAREST_DISPATCH = NamedPolicy("dispatch", "nearest", _nearest)
