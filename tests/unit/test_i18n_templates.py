"""Templates are data: named slots only, no attribute/index access, no undeclared keys."""

from __future__ import annotations

import pytest

from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n import Template


def test_substitutes_only_named_slots() -> None:
    t = Template.parse("工单 {ticket_id} 于 {at}；{{literal}}", allowed={"ticket_id", "at"})
    assert t.fields == {"ticket_id", "at"}
    assert t.substitute({"ticket_id": "T-1", "at": "今天", "other": "x"}) == "工单 T-1 于 今天；{literal}"


def test_values_are_not_reinterpreted() -> None:
    t = Template.parse("{a}-{b}")
    assert t.substitute({"a": "{b}", "b": "{a.__class__}"}) == "{b}-{a.__class__}"


@pytest.mark.parametrize(
    "text",
    ["{ticket.__class__}", "{values[0]}", "{0}", "{}", "{x!r}", "{x:>10}", "open { brace", "close } brace"],
)
def test_refuses_anything_but_plain_names(text: str) -> None:
    with pytest.raises(ConfigurationError, match="is not a placeholder"):
        Template.parse(text, name="t")


def test_refuses_undeclared_placeholder_at_load_time() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown placeholder \{secret\}"):
        Template.parse("hello {name} {secret}", name="greeting", allowed={"name"})


def test_missing_value_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match=r"no value for \{name\}"):
        Template.parse("hello {name}").substitute({})


def test_plain_text_template() -> None:
    assert Template.parse("no slots").substitute({}) == "no slots"
