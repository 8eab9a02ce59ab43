"""The months cap of a warranty-extension remedy in the pack's ``[complaint] remedy_limits`` (seed 002:
延长免费售后服务期 is a card played within one's authority, 不做自己权限之外的约定): per role,
``warranty_extension_months``. A cap that cannot be honoured is refused at load with a ConfigurationError
naming its key, never read and ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError
from aftersales.policies.complaints import ComplaintParams
from aftersales.policies.pack import load_pack

EXTENSION = 'warranty_extension = { amount = "0", currency = "CNY" }'


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "mine"\n{body}\n', encoding="utf-8")
    return path


def test_a_pack_caps_the_months_per_role(tmp_path: Path) -> None:
    pack = load_pack(
        _pack(
            tmp_path,
            f"[complaint.remedy_limits.agent]\n{EXTENSION}\nwarranty_extension_months = 6\n"
            f"[complaint.remedy_limits.manager]\n{EXTENSION}\n",
        )
    )
    limits = pack.parameters["complaint"].remedy_limits
    assert limits[Role.AGENT] == {RemedyKind.WARRANTY_EXTENSION: Money("0", "CNY")}
    assert limits[Role.AGENT].extension_months == 6
    assert limits[Role.MANAGER].extension_months is None


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (f"{EXTENSION}\nwarranty_extension_months = 0", "agent.warranty_extension_months"),
        (f"{EXTENSION}\nwarranty_extension_months = -3", "agent.warranty_extension_months"),
        (f"{EXTENSION}\nwarranty_extension_months = 5000", "agent.warranty_extension_months"),
        (f'{EXTENSION}\nwarranty_extension_months = "12"', "agent.warranty_extension_months"),
        (f"{EXTENSION}\nwarranty_extension_months = 1.5", "agent.warranty_extension_months"),
        (f"{EXTENSION}\nwarranty_extension_months = true", "agent.warranty_extension_months"),
        (
            f'{EXTENSION}\nwarranty_extension_months = {{ amount = "6", currency = "CNY" }}',
            "agent.warranty_extension_months",
        ),
        # A cap for a role that may not grant an extension at all would cap nothing.
        (
            'gift = { amount = "1", currency = "CNY" }\nwarranty_extension_months = 6',
            "agent.warranty_extension_months",
        ),
        ("gift = 100", "agent.gift"),
    ],
)
def test_a_months_cap_that_cannot_be_honoured_is_refused_naming_its_key(
    tmp_path: Path, body: str, key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_pack(_pack(tmp_path, f"[complaint.remedy_limits.agent]\n{body}"))
    assert caught.value.key == f"complaint.remedy_limits.{key}"


def test_the_highest_cap_of_the_granting_roles_holds_and_an_uncapped_one_is_not_capped() -> None:
    free = Money("0", "CNY")
    params = ComplaintParams(
        remedy_limits={
            "agent": {"warranty_extension": free, "warranty_extension_months": 6},
            "manager": {"warranty_extension": free, "warranty_extension_months": 24},
            "department_head": {"warranty_extension": free},
        }
    )
    assert params.extension_months_refusal({Role.AGENT}, 6) is None
    assert params.extension_months_refusal({Role.AGENT}, 7) == 6
    assert params.extension_months_refusal({Role.AGENT, Role.MANAGER}, 24) is None
    assert params.extension_months_refusal({Role.AGENT, Role.MANAGER}, 25) == 24
    assert params.extension_months_refusal({Role.DEPARTMENT_HEAD}, 1200) is None
    assert params.extension_months_refusal({Role.GENERAL_MANAGER}, 1200) is None  # not named
    assert ComplaintParams().extension_months_refusal({Role.AGENT}, 1200) is None
