"""A command refused by a shared check carries its rule code on memory, SQLite and PostgreSQL, is worded
from it in three locales, and writes nothing; a pack file's refusal keeps its code through the loader
(session 30, d).

Why: the rule of a refusal was found by matching its English (session 29); a host could not switch on it,
and a refusal re-raised by the pack loader under its file and key was worded only while its English kept
the shape. The code now travels with the error (``err.rule``, ``err.rule_params``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.registry import Registry
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

LOCALES = ["zh_Hans", "zh_Hant", "en"]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    world = make_world()
    with (
        store_url(request.param, tmp_path, "rules.db") as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF) as desk,
    ):
        register(desk, world)
        yield desk, world


@pytest.mark.parametrize(
    ("arguments", "field", "rule", "figures", "zh_hans"),
    [
        ({"customer_id": "cust-zh", "description": "漏\x00水"}, "description", "control", {},
         "输入有误：description（包含不允许的控制字符或换行）"),
        ({"customer_id": "bad id!", "description": "漏水"}, "customer_id", "id", {},
         "输入有误：customer_id（应为编号：1–64 个 ASCII 字母、数字及 _ . : @ / -，以字母或数字开头）"),
        ({"customer_id": "cust-zh", "description": "漏" * 10_001}, "description", "too_long",
         {"most": 10_000}, "输入有误：description（最多 10,000 个字符）"),
    ],
)  # fmt: skip
def test_a_refused_command_carries_its_rule_and_writes_nothing(
    opened: tuple[ServiceDesk, World],
    arguments: dict[str, str],
    field: str,
    rule: str,
    figures: dict[str, int],
    zh_hans: str,
) -> None:
    desk, world = opened
    before = desk.search(world.manager, "漏").items
    with pytest.raises(ValidationError) as refused:
        desk.open_ticket(world.customer_zh, **arguments)  # type: ignore[arg-type]
    error = refused.value
    assert (error.field, error.rule, dict(error.rule_params)) == (field, rule, figures)
    assert render_error(error, "zh_Hans") == zh_hans
    for locale in LOCALES:
        shown = render_error(error, locale)
        assert str(error) not in shown and field in shown, (locale, shown)
    assert desk.search(world.manager, "漏").items == before == ()


@pytest.mark.parametrize(
    ("body", "key", "rule", "figures"),
    [
        ("[dealer_reports]\ndue_day = 0", "dealer_reports.due_day", "whole_number", {"least": 1, "most": 28}),
        ("[dispatch.weights]\nskill = 101.0", "dispatch.weights.skill", "between", {"least": 0, "most": 100}),
        ("[sla]\ncallback_hours = 0", "sla.callback_hours", "between", {"least": 1, "most": 2160}),
    ],
)
def test_a_pack_files_refusal_keeps_its_rule_through_the_loader(
    tmp_path: Path, body: str, key: str, rule: str, figures: dict[str, int]
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(f'[pack]\nname = "mine"\nextends = "sanitary_ware"\n\n{body}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(path))
    error = refused.value
    assert (error.key, error.rule, dict(error.rule_params)) == (key, rule, figures)
    least, most = figures["least"], figures["most"]
    assert render_error(error, "zh_Hans").endswith(
        f"{least:,} 至 {most:,} 之间的整数）"
        if rule == "whole_number"
        else f"应在 {least:,} 至 {most:,} 之间）"
    )
    for locale in LOCALES:
        assert "must" not in render_error(error, locale) and "got" not in render_error(error, locale)
