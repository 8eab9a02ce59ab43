"""A refusal rendered for a person names the field (or key) and the rule, in the three locales; a linked
callback key refused names itself in the rule (session 28, f).

Why: ``render_error`` worded a ``ValidationError`` as "输入有误：score" and a ``ConfigurationError`` as
"配置错误：sla.callback_hours" — the field, not what is wrong with it (the CLI's ``--pack`` refusal printed
only the key). And a bad ``[sla] callback_hours`` written in a pack file was refused under its own key in
the words of the key it links to (``callback.service_within_hours``): "service_within_hours must be
between 1 and 2160, got 0", a key the author never typed. Now the rendered sentence carries the rule
(worded in English by the code that refuses; the sentence, field and key are the locale's), and the
linked key's rule is in the written key's words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError, OutOfBounds, ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.registry import Registry

LOCALES = ["zh_Hans", "zh_Hant", "en"]


def _refusal(tmp_path: Path, body: str) -> ConfigurationError:
    path = tmp_path / "linked.toml"
    path.write_text(f'[pack]\nname = "linked"\nextends = "sanitary_ware"\n\n{body}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(path))
    return refused.value


@pytest.mark.parametrize(
    ("body", "key", "written", "partner"),
    [
        ("[sla]\ncallback_hours = 0", "sla.callback_hours", "callback_hours", "service_within_hours"),
        ('[sla]\ncallback_from = "nope"', "sla.callback_from", "callback_from", "service_from"),
        ("[sla]\ncomplaint_callback_days = 0", "sla.complaint_callback_days", "complaint_callback_days",
         "complaint_within_days"),
    ],
)  # fmt: skip
def test_a_linked_key_is_refused_in_its_own_words(
    tmp_path: Path, body: str, key: str, written: str, partner: str
) -> None:
    error = _refusal(tmp_path, body)
    assert error.key == key
    rule = str(error).split(f"{key}: ", 1)[1]
    sentence = rule.split(" (the value of", 1)[0]  # the note after it names the key that follows
    assert written in sentence and partner not in sentence
    for locale in LOCALES:
        shown = render_error(error, locale)
        # The rule as written, or in the locale's words when of a known shape (session 29, e): never
        # the partner key's.
        assert key in shown and (sentence in shown or partner not in shown)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_validation_error_is_rendered_with_its_field_and_rule(locale: str) -> None:
    error = ValidationError("a score has at most two decimals", field="score")
    shown = render_error(error, locale)
    assert "score" in shown and "a score has at most two decimals" in shown
    # A message that is the field alone has no rule to add; OutOfBounds keeps its own words.
    assert render_error(ValidationError("score", field="score"), locale).count("score") == 1
    bounded = render_error(OutOfBounds("limit", 0, 1, 10), locale)
    assert "limit" in bounded and "got" not in bounded


@pytest.mark.parametrize("locale", LOCALES)
def test_a_configuration_error_is_rendered_with_its_key_and_rule_not_its_file(locale: str) -> None:
    error = ConfigurationError("due_day is a whole number from 1 to 28, got 0", file="/etc/p.toml",
                               key="dealer_reports.due_day", rule="whole_number",
                               rule_params={"least": 1, "most": 28})  # fmt: skip  # its code: session 30, d
    shown = render_error(error, locale)
    bounds = {"en": "from 1 to 28", "zh_Hans": "1 至 28", "zh_Hant": "1 至 28"}[locale]  # session 29, e
    assert "dealer_reports.due_day" in shown and bounds in shown and "/etc" not in shown


def test_a_long_or_multiline_rule_is_one_bounded_line() -> None:
    shown = render_error(ValidationError("bad\nvalue " + "x" * 5000, field="note"), "en")
    assert "\n" not in shown and len(shown) < 300
