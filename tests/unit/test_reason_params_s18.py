"""A reason built by a caller (causes given to a command, a plugin's decision) with parameters no store
can keep is a ValidationError naming ``params``: it was a bare TypeError, ValueError or AttributeError."""

from __future__ import annotations

import pytest

from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError


@pytest.mark.parametrize(
    "params",
    [5, "a=1", {1: "x"}, {"a": [1]}, {"a": 1.5}, {"a": 2**70}, {"a": {"b": 1}}],
    ids=["number", "text", "key_not_text", "list", "float", "over_64_bits", "nested"],
)
def test_parameters_no_store_can_keep_are_refused_naming_params(params: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Reason("part_lost", params)  # type: ignore[arg-type]
    assert refused.value.field == "params"


def test_atoms_are_kept_in_name_order() -> None:
    reason = Reason("part_lost", {"b": 1, "a": "x", "c": None, "d": True})
    assert list(reason.params) == ["a", "b", "c", "d"]
    assert reason == Reason("part_lost", {"d": True, "c": None, "a": "x", "b": 1})
