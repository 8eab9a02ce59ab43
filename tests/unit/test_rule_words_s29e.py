"""A refusal's rule is in the reader's words when it is of a shape the shared checks word, and shown as
written otherwise (session 29, e).

Why: ``render_error`` put the English rule of the code that refused inside the Chinese sentence
("输入有误：title（title must not be empty）"). The shapes of :mod:`aftersales.i18n.rule_words` now have
``error_rule.<code>`` words in the three catalogs; every rule raised in ``src`` is either of such a shape
or falls back to the English as written (the module's documented fallback), never dropped.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError, OutOfBounds, ValidationError
from aftersales.i18n.catalog import catalog_for
from aftersales.i18n.errors import render_error
from aftersales.i18n.rule_words import RULE_SHAPES, rule_code

LOCALES = ["zh_Hans", "zh_Hant", "en"]
SRC = Path(__file__).resolve().parents[2] / "src" / "aftersales"


def _sample(node: ast.expr) -> str | None:
    """The message an error's first argument states, each placeholder as a sample: a leading one is
    the subject (a field's name), any other a figure."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for i, value in enumerate(node.values):
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        else:
            parts.append("field" if i == 0 else "7")
    return "".join(parts)


def _raised_rules() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("ValidationError", "ConfigurationError")
                and node.args
            ):
                text = _sample(node.args[0])
                if text is not None and text.strip():
                    found.append((f"{path.relative_to(SRC)}:{node.lineno}", text))
    return found


RULES = _raised_rules()


def test_every_rule_raised_in_src_is_worded_or_shown_as_written() -> None:
    worded = 0
    for where, text in RULES:
        first = text.split(" ", 1)[0]  # the subject, as the refusing code names its field
        error = ValidationError(text, field=first if re.fullmatch(r"[A-Za-z_][\w.]*", first) else "field")
        coded = rule_code(" ".join(text.split()), error.field)
        for locale in LOCALES:
            shown = render_error(error, locale)
            if coded is None:
                # The documented fallback: the rule as the code wrote it, inside the locale's sentence.
                if text != "field":
                    assert " ".join(text.split())[:100] in shown, (where, locale, shown)
            elif locale != "en":
                assert text not in shown, (where, locale, shown)
        worded += coded is not None
    # The shared checks' shapes cover the refusals met most; a shape that stopped matching lowers this.
    assert len(RULES) > 1000 and worded >= 90, worded


@pytest.mark.parametrize("code", sorted(RULE_SHAPES))
def test_every_rule_code_has_words_in_each_catalog_and_is_raised_somewhere(code: str) -> None:
    for locale in LOCALES:
        assert f"error_rule.{code}" in catalog_for(locale), (code, locale)
    raised = [text for _, text in RULES if (rule_code(" ".join(text.split()), None) or ("",))[0] == code]
    assert raised, code


@pytest.mark.parametrize(
    ("error", "zh_hans", "en"),
    [
        (ValidationError("title must not be empty", field="title"), "输入有误：title（不能为空）",
         "Input refused: title: must not be empty"),
        (ValidationError("note is 5000 characters long; at most 2000 are allowed", field="note"),
         "输入有误：note（最多 2,000 个字符）", "Input refused: note: at most 2,000 characters"),
        (ValidationError("state must be one of 'new', 'closed'; got 'x'", field="state"),
         "输入有误：state（应为以下之一：new, closed）", "Input refused: state: must be one of new, closed"),
        (ValidationError("a month is written YYYY-MM", field="month"),
         "输入有误：month（月份格式应为 YYYY-MM）",
         "Input refused: month: a month is written YYYY-MM"),
        (ConfigurationError("due_day is a whole number from 1 to 28, got 0", file="/etc/p.toml",
                            key="dealer_reports.due_day"),
         "配置错误：dealer_reports.due_day（应为 1 至 28 之间的整数）",
         "Configuration error: dealer_reports.due_day: a whole number from 1 to 28"),
    ],
)  # fmt: skip
def test_a_rule_of_a_known_shape_is_in_the_readers_words(error: Exception, zh_hans: str, en: str) -> None:
    assert isinstance(error, ValidationError | ConfigurationError)
    assert render_error(error, "zh_Hans") == zh_hans
    assert render_error(error, "en") == en
    assert "must" not in render_error(error, "zh_Hant") and "whole" not in render_error(error, "zh_Hant")


def test_a_rule_about_another_subject_is_shown_as_written() -> None:
    # "limit must not be empty" refusing the field "title" is no statement about the title: kept whole.
    shown = render_error(ValidationError("limit must not be empty", field="title"), "zh_Hans")
    assert shown == "输入有误：title（limit must not be empty）"
    assert "limit" in render_error(OutOfBounds("limit", 0, 1, 10), "zh_Hans")
