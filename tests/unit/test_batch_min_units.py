"""The batch-incident minimum (批量: more than one unit) and threshold are pack parameters, validated.

Seed 004 第七条 5(2): 同一批次的产品 … 出现的同一质量问题在5%以上的. The share is the seed's; the minimum of
distinct units is the library's reading of 批量 (default 2), and both are set in the pack's
``[complaint]`` table, refused with the key named when they make no sense.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.complaints import (
    MIN_UNITS,
    ComplaintParams,
    UnitFault,
    batch_threshold_reached,
    detect_batch_incidents,
    judge_batch,
)
from aftersales.policies.pack import load_pack


def _pack(tmp_path: Path, complaint: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "mine"\n[complaint]\n{complaint}\n', encoding="utf-8")
    return path


def test_the_default_minimum_is_two_and_documented() -> None:
    assert ComplaintParams().batch_min_units == MIN_UNITS == 2
    assert ComplaintParams.__attrs_attrs__.batch_min_units.default == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("min_units", "affected", "size", "incident"),
    [
        (2, 1, 10, False),  # 10 % of the batch, but one unit is that unit's problem
        (1, 1, 10, True),  # a pack counting single units of small batches
        (3, 2, 20, False),
        (3, 3, 20, True),
        (3, 3, 100, False),  # 3 % is below the 5 % share whatever the minimum
    ],
)
def test_the_minimum_is_the_packs(min_units: int, affected: int, size: int, incident: bool) -> None:
    params = ComplaintParams(batch_min_units=min_units)
    decision = judge_batch("B-1", "seal_defect", affected, size, params)
    assert (decision.outcome is not None) is incident
    assert batch_threshold_reached(affected, size, params) is incident
    if not incident and affected < min_units:
        assert decision.codes == ("batch_below_min_units",)
        assert decision.reasons[0].params["min_units"] == min_units


def test_the_listed_faults_apply_the_minimum_too() -> None:
    # desk.complaints.detect_batch_incidents judged one unit of a batch of 10 (10 %) an incident, while the
    # detector and the fault report did not: one rule now, with the pack's minimum.
    faults = [UnitFault("U-1", "B-1", "seal_defect")]
    (decision,) = detect_batch_incidents(faults, {"B-1": 10})
    assert decision.outcome is None and decision.codes == ("batch_below_min_units",)
    (single,) = detect_batch_incidents(faults, {"B-1": 10}, ComplaintParams(batch_min_units=1))
    assert single.outcome is not None and single.outcome.affected == 1


@pytest.mark.parametrize("bad", [0, -1, True, "2", 2.0, 10**7])
def test_a_nonsense_minimum_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ComplaintParams(batch_min_units=bad)  # type: ignore[arg-type]
    assert caught.value.field == "batch_min_units"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("batch_min_units = 0", "complaint.batch_min_units"),
        ("batch_min_units = -3", "complaint.batch_min_units"),
        ('batch_min_units = "two"', "complaint.batch_min_units"),
        ("batch_min_units = 1.5", "complaint.batch_min_units"),
        ("batch_threshold_percent = 0", "complaint.batch_threshold_percent"),
        ("batch_threshold_percent = 120", "complaint.batch_threshold_percent"),
        ('batch_threshold_percent = "five"', "complaint.batch_threshold_percent"),
        ('batch_threshold_inclusive = "yes"', "complaint.batch_threshold_inclusive"),
    ],
)
def test_a_pack_with_nonsense_is_a_configuration_error_naming_the_key(
    tmp_path: Path, line: str, key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_pack(_pack(tmp_path, line))
    assert caught.value.key == key


def test_a_pack_sets_both(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, 'batch_threshold_percent = "2.5"\nbatch_min_units = 3'))
    params = pack.parameters["complaint"]
    assert params == ComplaintParams(batch_threshold_percent=Decimal("2.5"), batch_min_units=3)
    with pytest.raises(ValidationError, match="batch_threshold_inclusive"):
        ComplaintParams(batch_threshold_inclusive=1)  # type: ignore[arg-type]
