"""``micros`` converts each datetime object once (issue 21: a command converts its instant and the ticket's
received and due times several times; with a zone each conversion looks up two offsets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain import instants
from aftersales.domain.instants import micros

SHANGHAI = ZoneInfo("Asia/Shanghai")


class _Counted(datetime):
    """A datetime that counts its subtractions (the conversion's cost)."""

    subtractions = 0

    def __sub__(self, other: object) -> timedelta:  # type: ignore[override]
        type(self).subtractions += 1
        return super().__sub__(other)  # type: ignore[operator,no-any-return]


def test_the_same_instant_is_converted_once() -> None:
    _Counted.subtractions = 0
    at = _Counted(2026, 3, 2, 9, 0, 3, 7, tzinfo=SHANGHAI)
    first = micros(at)
    assert micros(at) == first == micros(datetime(2026, 3, 2, 1, 0, 3, 7, tzinfo=UTC))
    assert _Counted.subtractions == 1


def test_equal_instants_in_other_objects_and_zones_give_their_own_count() -> None:
    base = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    for step in range(50):
        at = base + timedelta(microseconds=step * 997)
        assert micros(at) == micros(at.astimezone(UTC)) == 1772413200000000 + step * 997


def test_a_full_memo_is_forgotten_and_counts_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instants, "_KEEP_MICROS", 4)
    base = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    instants_made = [base + timedelta(seconds=s) for s in range(20)]
    for _ in range(2):
        assert [micros(at) for at in instants_made] == [1772413200000000 + s * 1_000_000 for s in range(20)]
    assert len(instants._MICROS) <= 4


def test_a_naive_datetime_still_raises_and_is_not_kept() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(TypeError):
        micros(naive)
    assert id(naive) not in instants._MICROS
