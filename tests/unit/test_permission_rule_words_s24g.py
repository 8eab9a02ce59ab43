"""A refusal finer than the permission table, in words (zh_Hans, zh_Hant, en).

Some refusals are no action of the permission table: a dealer's staff dispatching beyond its own
dealer, a unit's owner changed by registering it ("change the owner of unit (use transfer_asset)"), a
customer paying a dealer's purchase ("pay the dealer's purchase"), approving one's own article
version. They were built as English phrases in ``PermissionDenied.action``, and :func:`render_error`
showed the phrase in every locale ("无权执行此操作（change the owner of unit (use transfer_asset)）").
Each now names its ``rule`` (worded by ``error.permission_<rule>``) or the table's action code; the
phrase stays for the log (``str(error)``).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import aftersales
from aftersales.domain.charges import QUOTE_WORKFLOW
from aftersales.errors import PermissionDenied
from aftersales.i18n.errors import render_error

SRC = Path(aftersales.__file__).parent
CODE = re.compile(r"[a-z][a-z_]*")
LOCALES = ("zh_Hans", "zh_Hant", "en")

# Files other session-24 branches are changing (charges and materials desks): their phrase-built
# refusals are left to them, counted here so that nothing else is let through.
LEFT_FOR_OTHERS: dict[str, int] = {}


@cache
def _refusals() -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "PermissionDenied" and isinstance(node, ast.Call) and len(node.args) >= 2:
                found.append((path.relative_to(SRC).as_posix(), node))
    return found


def _rules() -> set[str]:
    """Every rule the library refuses with: literal ones, and the quote's ``f"quote_{trigger}"`` and
    ``f"purchase_{trigger}"`` over the quote's steps."""
    rules: set[str] = set()
    # A purchase's refusals are of the payer's own answers (accept, refuse, pay).
    triggers = {"quote_": set(QUOTE_WORKFLOW.triggers), "purchase_": {"accept", "refuse", "pay"}}
    for _, call in _refusals():
        rule = next((k.value for k in call.keywords if k.arg == "rule"), None)
        if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
            rules.add(rule.value)
        elif isinstance(rule, ast.JoinedStr):
            head = rule.values[0]
            assert isinstance(head, ast.Constant)
            rules |= {f"{head.value}{t}" for t in triggers[str(head.value)]}
    return rules


def test_no_refusal_is_a_phrase_without_a_rule() -> None:
    phrases: dict[str, int] = {}
    for where, call in _refusals():
        action = call.args[1]
        coded = isinstance(action, ast.Name) or (
            isinstance(action, ast.Constant)
            and isinstance(action.value, str)
            and CODE.fullmatch(action.value)
        )
        if not coded and not any(k.arg == "rule" for k in call.keywords):
            phrases[where] = phrases.get(where, 0) + 1
    assert phrases == LEFT_FOR_OTHERS


@pytest.mark.parametrize("locale", LOCALES)
def test_every_rule_reads_in_words(locale: str) -> None:
    rules = _rules()
    assert {"owner_by_transfer", "beyond_own_dealer", "quote_pay", "purchase_pay"} <= rules
    for rule in sorted(rules):
        # The action a rule's words may name is the table's (a code); the facts are codes as well.
        facts = {"payer": "dealer", "kind": "written_report"}
        refused = PermissionDenied("customer:c-1", "refer_for_assessment", "Q-1", rule=rule, facts=facts)
        words = render_error(refused, locale)
        shown = [
            code
            for code in (rule, "refer_for_assessment", "written_report", "may not do this")
            if code in words
        ]
        assert shown == [] and "{" not in words, (rule, words)
        if locale != "en":
            assert not re.search(r"[A-Za-z]{2,}", words), (rule, words)


def test_a_unit_owner_changed_by_registering_it_is_refused_in_words() -> None:
    refused = PermissionDenied(
        "manager:m1", "change the owner of unit (use transfer_asset)", "a-1", rule="owner_by_transfer"
    )
    assert (
        render_error(refused, "zh_Hans") == "不能在登记产品档案时更改产品的所有人：请办理产品过户并注明原因"
    )
    assert "transfer the unit" in render_error(refused, "en")
    assert str(refused) == "manager:m1 may not change the owner of unit (use transfer_asset) on 'a-1'"


def test_a_customer_paying_the_dealers_purchase_reads_whose_it_is() -> None:
    refused = PermissionDenied(
        "customer:c-1", "pay the dealer's purchase", "Q-1", rule="purchase_pay", facts={"payer": "dealer"}
    )
    assert render_error(refused, "zh_Hans") == "这是经销商的采购：只能由经销商支付"
    assert render_error(refused, "en") == "This is the dealer's purchase: only the dealer pays it"


def test_an_unknown_rule_falls_back_to_the_refusal_sentence() -> None:
    refused = PermissionDenied("agent:a1", "dispatch", "SR-1", rule="no_such_rule")
    assert render_error(refused, "zh_Hans") == "无权执行此操作（派工）"
