"""The replay rule of a kind no table entry names: only an actor who reads every record gets it back."""

from __future__ import annotations

import attrs
import pytest

from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.replay_scope import check_replay


@attrs.frozen
class _OfficeRecord:
    DOCUMENT_KIND = "office_record"
    id: str


def test_a_kind_without_a_rule_replays_to_the_office_only() -> None:
    record = _OfficeRecord("R-1")
    for office in (Actor.manager("m"), Actor.agent("a"), Actor.auditor("x"), Actor.system()):
        check_replay(None, office, record)  # type: ignore[arg-type]
        check_replay(None, office, [record, None])  # type: ignore[arg-type]
    for scoped in (Actor.customer("c"), Actor.dealer_staff("d", "dealer-1", {"SH"}), Actor.engineer("e")):
        with pytest.raises(NotFound) as refused:
            check_replay(None, scoped, [record])  # type: ignore[arg-type]
        assert (refused.value.kind, refused.value.id) == ("office_record", "R-1")


def test_nothing_to_hand_back_is_nothing_to_check() -> None:
    check_replay(None, Actor.customer("c"), None)  # type: ignore[arg-type]
    check_replay(None, Actor.customer("c"), [])  # type: ignore[arg-type]
