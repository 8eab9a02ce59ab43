"""The service-quality index from the five RATER dimensions (seed 002 售后服务质量衡量的指标).

Reliability 信赖度, assurance 专业度, tangibles 有形度, empathy 同理度, responsiveness 反应度: each
rated on a 1…``scale`` scale per survey answer. The index is the weighted mean of the dimension
means, expressed on 0…100 (1 ↦ 0, ``scale`` ↦ 100).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from aftersales.domain.surveys import RATER_DIMENSIONS, rater_index_of
from aftersales.errors import ValidationError

__all__ = ["RATER_DIMENSIONS", "RaterIndex", "rater_index"]

_EQUAL = {d: Decimal(1) for d in RATER_DIMENSIONS}


@attrs.frozen
class RaterIndex:
    """The index (0–100), each dimension's mean score, and how many answers rated each."""

    index: Decimal | None
    means: Mapping[str, Decimal | None]
    answers: Mapping[str, int]


def rater_index(
    answers: Iterable[Mapping[str, int]],
    *,
    weights: Mapping[str, Decimal] | None = None,
    scale: int = 5,
) -> RaterIndex:
    """The RATER index of survey ``answers`` (each maps dimension → score; missing dimensions skipped).

    Unknown dimensions, scores outside 1…``scale``, a ``scale`` that is not a whole number from 2 to 100
    and weights that are not finite non-negative ``Decimal`` s raise ``ValidationError``. Dimensions nobody
    rated are left out of the weighted mean; with no ratings at all the index is ``None``.
    """
    if not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= 100:
        raise ValidationError(
            f"scale is a whole number from 2 to 100, got {scale!r}",
            field="scale",
            rule="whole_number",
            rule_params={"least": 2, "most": 100},
        )
    weights = dict(weights) if weights is not None else _EQUAL
    if (
        set(weights) - set(RATER_DIMENSIONS)
        or not all(isinstance(w, Decimal) and w.is_finite() for w in weights.values())
        or any(w < 0 for w in weights.values())
    ):
        raise ValidationError("weights are non-negative Decimals per RATER dimension", field="weights")
    sums = dict.fromkeys(RATER_DIMENSIONS, 0)
    counts = dict.fromkeys(RATER_DIMENSIONS, 0)
    for answer in answers:
        for dimension, score in answer.items():
            if dimension not in sums:
                raise ValidationError(f"unknown RATER dimension {dimension!r}", field="dimension")
            if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= scale:
                raise ValidationError(
                    f"{dimension} scores run from 1 to {scale}, got {score!r}", field=dimension
                )
            sums[dimension] += score
            counts[dimension] += 1
    means = {d: (Decimal(sums[d]) / counts[d]).quantize(Decimal("0.01")) if counts[d] else None for d in sums}
    return RaterIndex(rater_index_of(sums, counts, weights=weights, scale=scale), means, counts)
