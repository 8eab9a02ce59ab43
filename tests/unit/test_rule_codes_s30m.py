"""Refusals met often carry their rule code, so a Chinese refusal states its rule in Chinese (session 30, m).

Why: an unknown ledger state, a malformed category code in a pack, a blank or too long text search and a
bad idempotency key were refused with the rule in English only ("unknown state(s) …", "a category is a
snake_case code", "text search is non-blank …", "an idempotency key is 1–120 characters"), shown as is
inside 输入有误：…. Each raise site now passes a code the catalogs already word (``one_of`` with the
allowed states, ``snake_code``, ``text`` / ``empty`` / ``too_long`` by what was wrong).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.params import check_category_code
from aftersales.ports.queries import TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.runner import MAX_KEY, idempotency_scope

ENGLISH = ("unknown state", "snake_case", "text search", "idempotency key", "characters")


def _refused(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


CASES: list[tuple[str, Callable[[], object], str, dict[str, object]]] = [
    ("states", lambda: TicketFilter(states=("bogus",)), "one_of", {}),
    ("category", lambda: check_category_code("Bad Key", "category_overrides.Bad Key"), "snake_code", {}),
    ("blank text", lambda: TicketFilter(text="   "), "empty", {}),
    ("long text", lambda: TicketFilter(text="水" * 201), "too_long", {"most": 200}),
    ("blank key", lambda: idempotency_scope(Actor.system(), "open_ticket", " "), "empty", {}),
    ("long key", lambda: idempotency_scope(Actor.system(), "open_ticket", "k" * (MAX_KEY + 1)), "too_long",
     {"most": MAX_KEY}),
    ("key not text", lambda: idempotency_scope(Actor.system(), "open_ticket", 7), "text", {}),  # type: ignore[arg-type]
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "rule", "params"), CASES, ids=[c[0] for c in CASES])
def test_the_refusal_carries_its_rule_and_is_worded_in_each_locale(
    name: str, call: Callable[[], object], rule: str, params: dict[str, object]
) -> None:
    error = _refused(call)
    assert error.rule == rule
    for key, value in params.items():
        assert (error.rule_params or {})[key] == value
    for locale in ("zh_Hans", "zh_Hant"):
        said = render_error(error, locale)
        assert not any(english in said for english in ENGLISH), (locale, said)


def test_the_states_refusal_lists_the_allowed_states() -> None:
    error = _refused(lambda: TicketFilter(states=("bogus",)))
    allowed = str((error.rule_params or {})["allowed"])
    assert "new" in allowed.split(", ") and "closed" in allowed.split(", ")
    assert "new" in render_error(error, "zh_Hans")


@pytest.mark.parametrize(("currency", "places"), [("CNY", "0.01"), ("JPY", "1")])
def test_a_pack_amount_finer_than_the_minor_unit_states_its_rule_in_words(currency: str, places: str) -> None:
    # Refused by g's check with its rule only in English; worded "invalid amount" with no rule before.
    from aftersales.errors import InvalidMoney
    from aftersales.policies.fees import FeesParams, PartPriceEntry

    with pytest.raises(InvalidMoney) as refused:
        FeesParams(currency=currency, parts={"P-1": PartPriceEntry("100.505", "200")})
    error = refused.value
    assert (error.field, error.rule, dict(error.rule_params)) == (
        "parts.P-1.cost",
        "minor_unit",
        {"unit": places},
    )
    assert (
        render_error(error, "zh_Hans")
        == f"输入有误：parts.P-1.cost（应为该币种最小货币单位 {places} 的整数倍）"
    )
    assert (
        render_error(error, "zh_Hant")
        == f"輸入有誤：parts.P-1.cost（應為該幣別最小貨幣單位 {places} 的整數倍）"
    )
    assert "minor unit" in render_error(error, "en") and "finer" not in render_error(error, "en")
