"""The pack's ``[complaint] remedy_limits`` (seed 002 第七条: 不做自己权限之外的约定): which remedies each
role may grant alone, and up to what cost. A setting that cannot be honoured is refused at load with a
ConfigurationError naming its key, never read and ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError
from aftersales.policies.complaints import REMEDY_GRANTERS, ComplaintParams
from aftersales.policies.pack import load_pack
from aftersales.service.permissions import COMPLAINT_ROLES


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "mine"\n{body}\n', encoding="utf-8")
    return path


def test_the_roles_a_limit_may_name_are_the_roles_that_grant_remedies() -> None:
    assert COMPLAINT_ROLES["grant_remedy"] == REMEDY_GRANTERS


def test_a_pack_sets_limits_per_role_and_remedy(tmp_path: Path) -> None:
    pack = load_pack(
        _pack(
            tmp_path,
            "[complaint.remedy_limits.agent]\n"
            'gift = { amount = "100", currency = "CNY" }\n'
            'compensation = { amount = "300", currency = "CNY" }\n'
            "[complaint.remedy_limits.manager]\n"
            'compensation = { amount = "5000", currency = "CNY" }\n',
        )
    )
    limits = pack.parameters["complaint"].remedy_limits
    assert limits[Role.AGENT] == {
        RemedyKind.GIFT: Money("100", "CNY"),
        RemedyKind.COMPENSATION: Money("300", "CNY"),
    }
    assert limits[Role.MANAGER] == {RemedyKind.COMPENSATION: Money("5000", "CNY")}


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[complaint.remedy_limits.customer]\ngift = { amount = "1", currency = "CNY" }', "customer"),
        ('[complaint.remedy_limits.dealer_staff]\ngift = { amount = "1", currency = "CNY" }', "dealer_staff"),
        ('[complaint.remedy_limits.boss]\ngift = { amount = "1", currency = "CNY" }', "boss"),
        ('[complaint.remedy_limits.agent]\nrefund = { amount = "1", currency = "CNY" }', "agent.refund"),
        ('[complaint.remedy_limits.agent]\ngift = { amount = "-5", currency = "CNY" }', "agent.gift"),
        ('[complaint.remedy_limits.agent]\ngift = { amount = "5", currency = "QQQ" }', "agent.gift"),
        ("[complaint.remedy_limits.agent]\ngift = 100", "agent.gift"),
        ('[complaint.remedy_limits]\nagent = "gift"', "agent"),
        ('[complaint]\nremedy_limits = ["agent"]', ""),
    ],
)
def test_a_limit_that_cannot_be_honoured_is_refused_naming_its_key(
    tmp_path: Path, body: str, key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_pack(_pack(tmp_path, body))
    assert caught.value.key == "complaint.remedy_limits" + (f".{key}" if key else "")


def test_a_role_the_setting_does_not_name_is_not_limited_and_no_setting_limits_nobody() -> None:
    params = ComplaintParams(remedy_limits={"agent": {"gift": Money("100", "CNY")}})
    big = Money("100000", "CNY")
    assert params.remedy_refusal({Role.MANAGER}, RemedyKind.COMPENSATION, big) is None
    assert params.remedy_refusal({Role.AGENT}, RemedyKind.COMPENSATION, big) == ("kind", None)
    assert params.remedy_refusal({Role.AGENT}, RemedyKind.GIFT, Money("100", "CNY")) is None
    assert params.remedy_refusal({Role.AGENT}, RemedyKind.GIFT, Money("100.01", "CNY")) == (
        "cost",
        Money("100", "CNY"),
    )
    # A limit in another currency does not cover a cost in this one.
    assert params.remedy_refusal({Role.AGENT}, RemedyKind.GIFT, Money("1", "USD")) == (
        "cost",
        Money("100", "CNY"),
    )
    assert ComplaintParams().remedy_refusal({Role.AGENT}, RemedyKind.COMPENSATION, big) is None
