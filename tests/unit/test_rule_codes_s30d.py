"""A refusal carries its rule as a code, and is worded from the code, not from its English (session 30, d).

Why: session 29 found the rule of a ``ValidationError`` / ``ConfigurationError`` by matching its English
message against patterns (``i18n/rule_words``): a message reworded in English silently lost its Chinese
words, and a host could not switch on the rule. The shared checks now pass ``rule`` (a stable snake_case
code) and ``rule_params`` (the figures it names) where they refuse; ``render_error`` reads the code, and
the English is no longer read at all. The session-29 patterns live on here only as a lint: a raise site in
``src`` whose message states one of those rules must carry its code.
"""

from __future__ import annotations

import ast
import copy
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from aftersales import Contact
from aftersales.domain.classification import Priority
from aftersales.domain.text import checked_month
from aftersales.domain.validation import check_record, check_text
from aftersales.errors import ConfigurationError, OutOfBounds, ValidationError, carried_rule
from aftersales.i18n.catalog import catalog_for
from aftersales.i18n.errors import render_error
from aftersales.i18n.rule_words import RULE_CODES

LOCALES = ["zh_Hans", "zh_Hant", "en"]
SRC = Path(__file__).resolve().parents[2] / "src" / "aftersales"
NAMES = ("ValidationError", "ConfigurationError", "InvalidMoney")
SAMPLES: dict[str, str | int] = {
    "most": 2000, "least": 3, "allowed": "new, closed", "expected": "Money", "unit": "0.01",
    "channels": "sms", "extension": ".exe", "sniffed": "image/jpeg", "other": "external_force",
    "part": "WN-CB-01",
    "by": "manager:mgr-1",
}  # fmt: skip

# The English shapes of session 29's patterns (the rule stated by the shared checks), as a lint only.
_S = r"[A-Za-z_][\w.\[\]]*"
_N = r"-?[\d,]+"
SHAPES = [
    re.compile(p)
    for p in (
        rf"{_S} must be text(, got \w+)?",
        rf"{_S} must not be empty",
        rf"{_S} is {_N} characters long; at most {_N} are allowed",
        rf"{_S} is too long; at most {_N} characters",
        rf"{_S} must be one of .+; got .*",
        rf"{_S} must be True or False, got .*",
        rf"{_S} is true or false",
        rf"{_S} (must be|is) a date( \(not .*\)|, got .*)?",
        rf"{_S} must be a datetime, got \w+",
        rf"{_S} must be a snake_case code( \(a-z, 0-9, _\))?, got .*",
        r"a month is written YYYY-MM",
        rf"{_S} must be a (Decimal|number), got \w+",
        rf"{_S} must be a finite (amount, got .*|number of at most 1e12)",
        rf"{_S} must be Money",
        rf"{_S} must be a positive (Money amount|integer|whole number)(, got .*)?",
        rf"{_S} must be positive, got .*",
        rf"{_S} must be a non-negative integer",
        rf"{_S} must not be negative, got .*",
        rf"{_S} must be at least {_N}, got .*",
        rf"{_S} has more than {_N} items",
        rf"{_S} must be a (collection|mapping|tuple|list or tuple), got \w+",
        rf"{_S} must be an id \(text\), got \w+",
        rf"{_S} .+ is not a valid id: .*",
        rf"{_S} contains .+: .* are refused",
        rf"{_S} is only invisible characters .*",
        rf"{_S} is a whole number from {_N} to {_N}(, got .*)?",
        rf"{_S} must be between {_N} and {_N}(, got .*)?",
        rf"{_S} must be a whole number, {_N}–{_N}",
        rf"{_S} must be a timedelta, got \w+",
        rf"{_S} must be a positive timedelta, got .*",
        rf"{_S} must be an IANA time-zone name",
        r"unknown time zone .+: use an IANA name.*",
        r"no pack named .+; registered packs: .+",
        r"the store's due times are on the working calendar .*",
        r"the store's due times come from the SLA policy of fingerprint .*",
        r"the store's callbacks are planned by the callback policy of fingerprint .*",
        r"complaint .+ is owed a (satisfaction survey|callback) once handled .*",
    )
]


def _sample(node: ast.expr) -> str | None:
    """The message a raise site states, each placeholder a sample (a leading one the field's name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    return "".join(
        str(v.value) if isinstance(v, ast.Constant) else ("field" if i == 0 else "7")
        for i, v in enumerate(node.values)
    )


def _sites() -> list[tuple[str, ast.Call]]:
    """Every call making a ValidationError or a ConfigurationError in src, and OutOfBounds' own."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in NAMES or (path.name == "errors.py" and name == "__init__"):
                found.append((f"{path.relative_to(SRC)}:{node.lineno}", node))
    return found


SITES = _sites()


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _coded() -> dict[str, list[str]]:
    """Each rule code raised in src, and where (a literal ``rule=`` at the raise site)."""
    codes: dict[str, list[str]] = {}
    for where, call in SITES:
        rule = _keyword(call, "rule")
        for node in ast.walk(rule) if rule is not None else ():  # a literal, or each branch of a choice
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                codes.setdefault(node.value, []).append(where)
    return codes


CODED = _coded()


def test_every_raise_site_stating_a_shared_rule_carries_its_code() -> None:
    missing = []
    for where, call in SITES:
        text = _sample(call.args[0]) if call.args else None
        carries = _keyword(call, "rule") is not None or any(k.arg is None for k in call.keywords)
        if text is not None and any(s.fullmatch(" ".join(text.split())) for s in SHAPES) and not carries:
            missing.append((where, text))
    assert not missing
    assert sum(map(len, CODED.values())) >= 110


def test_the_codes_raised_are_the_codes_worded() -> None:
    assert set(CODED) == set(RULE_CODES)
    for locale in LOCALES:
        worded = {
            m.removeprefix("error_rule.") for m in catalog_for(locale).messages if m.startswith("error_rule.")
        }
        assert worded == set(RULE_CODES), locale


def test_each_site_names_the_figures_its_code_words() -> None:
    for where, call in SITES:
        rule = _keyword(call, "rule")
        if not (isinstance(rule, ast.Constant) and rule.value in RULE_CODES):
            continue
        params = _keyword(call, "rule_params")
        names = (
            {k.value for k in params.keys if isinstance(k, ast.Constant)}
            if isinstance(params, ast.Dict)
            else set()
        )
        assert names == RULE_CODES[rule.value], (where, rule.value, names)


@pytest.mark.parametrize("code", sorted(RULE_CODES))
@pytest.mark.parametrize("kind", [ValidationError, ConfigurationError])
def test_an_error_of_each_code_renders_from_its_code_in_three_locales(code: str, kind: type) -> None:
    figures = {name: SAMPLES[name] for name in RULE_CODES[code]}
    message = f"something reworded about {code}"
    if kind is ValidationError:
        error = ValidationError(message, field="subject", rule=code, rule_params=figures)
    else:
        error = ConfigurationError(
            message, file="/etc/p.toml", key="a.subject", rule=code, rule_params=figures
        )
    for locale in LOCALES:
        shown = render_error(error, locale)
        words = catalog_for(locale).get(f"error_rule.{code}")
        assert words is not None
        assert "reworded" not in shown and "subject" in shown, (locale, shown)
        head = words.split("{", 1)[0]
        assert head in shown, (locale, shown, words)
        if "most" in figures:
            assert "2,000" in shown, (locale, shown)
        if "allowed" in figures:
            assert "new, closed" in shown, (locale, shown)


def test_a_reworded_message_keeps_its_words() -> None:
    old = ValidationError("title must not be empty", field="title", rule="empty")
    new = ValidationError("Please give the title; it cannot be blank.", field="title", rule="empty")
    for locale in LOCALES:
        assert render_error(old, locale) == render_error(new, locale)
    assert render_error(new, "zh_Hans") == "输入有误：title（不能为空）"
    assert render_error(new, "zh_Hant") == "輸入有誤：title（不能為空）"
    assert render_error(new, "en") == "Input refused: title: must not be empty"


def test_the_shared_checks_raise_their_code_and_figures() -> None:
    with pytest.raises(ValidationError) as empty:
        Contact(name="   ")
    assert (empty.value.field, empty.value.rule, dict(empty.value.rule_params)) == ("name", "empty", {})
    with pytest.raises(ValidationError) as long:
        check_text("x" * 201, "title")
    assert (long.value.rule, dict(long.value.rule_params)) == ("too_long", {"most": 200})
    assert render_error(long.value, "zh_Hans") == "输入有误：title（最多 200 个字符）"
    with pytest.raises(ValidationError) as month:
        checked_month("2026-13")
    assert month.value.rule == "month"
    bounded = OutOfBounds("batch", 0, 1, 10_000)
    assert (bounded.rule, dict(bounded.rule_params)) == ("whole_number", {"least": 1, "most": 10_000})


def test_a_rule_without_a_code_is_shown_as_written() -> None:
    # A host's own refusal naming no code: its English is not read (no pattern guesses its rule).
    shown = render_error(ValidationError("title must not be empty", field="title"), "zh_Hans")
    assert shown == "输入有误：title（title must not be empty）"
    assert render_error(ConfigurationError("odd", key="k"), "zh_Hans") == "配置错误：k（odd）"


def test_a_code_or_figure_the_catalog_cannot_use_falls_back_to_the_english() -> None:
    for error in (
        ValidationError("title is wrong", field="title", rule="no_such_rule"),
        ValidationError("title is wrong", field="title", rule="Not A Code"),
        ValidationError("title is wrong", field="title", rule="too_long"),  # its figure is missing
        ValidationError("title is wrong", field="title", rule="too_long", rule_params={"most": [1]}),  # type: ignore[dict-item]
    ):
        for locale in LOCALES:
            assert "title is wrong" in render_error(error, locale), (error.rule, locale)


def test_a_text_figure_is_escaped_and_bounded() -> None:
    error = ValidationError(
        "x", field="state", rule="one_of", rule_params={"allowed": "a\u202e, " + "b" * 500}
    )
    shown = render_error(error, "en")
    assert "\u202e" not in shown and "\\u202e" in shown and len(shown) < 250


def test_the_rule_survives_pickle_and_copy() -> None:
    for error in (
        ValidationError("m", field="f", rule="too_long", rule_params={"most": 5}),
        ConfigurationError(
            "m", file="p.toml", key="k", rule="whole_number", rule_params={"least": 1, "most": 2}
        ),
        OutOfBounds("limit", 0, 1, 10),
    ):
        for twin in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
            assert (type(twin), str(twin), twin.rule, dict(twin.rule_params)) == (
                type(error),
                str(error),
                error.rule,
                dict(error.rule_params),
            )


def test_str_is_unchanged_by_the_code() -> None:
    assert str(ValidationError("m", field="f", rule="empty")) == str(ValidationError("m", field="f")) == "m"
    assert str(ConfigurationError("m", file="p", key="k", rule="empty")) == "p:k: m"


def test_a_refusal_re_raised_under_another_key_keeps_its_code() -> None:
    with pytest.raises(ValidationError) as refused:
        Contact(name="")
    again = ConfigurationError(str(refused.value), key="staff", **carried_rule(refused.value))
    assert (again.rule, dict(again.rule_params)) == ("empty", {})
    assert render_error(again, "zh_Hans") == "配置错误：staff（不能为空）"
    assert carried_rule(ValueError("x")) == {"rule": None, "rule_params": {}}


def _refusal(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


def test_the_long_tails_common_refusals_carry_their_code() -> None:
    # An unknown code of any enum, a record of another class: met by every command's arguments.
    unknown = _refusal(lambda: Priority("p9"))
    assert (unknown.field, unknown.rule) == ("priority", "one_of")
    assert unknown.rule_params == {"allowed": "normal, expedited, critical"}
    assert (
        render_error(unknown, "zh_Hans")
        == "输入有误：priority（应为以下之一：普通、加急或特急）"  # session 30, m: in words
    )
    other = _refusal(lambda: check_record("x", "contact", Contact))
    assert (other.rule, dict(other.rule_params)) == ("wrong_type", {"expected": "Contact"})
    assert render_error(other, "zh_Hant") == "輸入有誤：contact（應為 Contact 型別）"
