"""A ``one_of`` refusal lists the allowed values in the reader's words where the catalog labels them.

Why (session 30, m): ``enum_code`` refused a priority with 应为以下之一：normal, expedited, critical — the
codes, inside a Chinese sentence. The allowed values are now the labels of the refused field's values
(``priority.<code>``), joined as the locale joins alternatives; a list the catalog does not label
wholly stays as codes, never half translated.
"""

from __future__ import annotations

import pytest

from aftersales.domain.classification import Priority
from aftersales.domain.validation import enum_code
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error


def _refused(field: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        enum_code(Priority, "urgent", field)
    return refused.value


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("zh_Hans", "普通、加急或特急"),
        ("zh_Hant", "普通、加急或特急"),
        ("en", "normal, expedited, or critical"),
    ],
)
def test_an_enum_the_catalog_labels_is_listed_in_words(locale: str, words: str) -> None:
    for field in ("priority", "request.priority"):
        said = render_error(_refused(field), locale)
        assert words in said, (locale, field, said)
    assert "expedited" not in render_error(_refused("priority"), "zh_Hans")


def test_values_the_catalog_does_not_label_stay_codes() -> None:
    said = render_error(_refused("level"), "zh_Hans")  # no level.normal … labels
    assert "normal, expedited, critical" in said
    mixed = ValidationError("x", field="priority", rule="one_of", rule_params={"allowed": "normal, urgent"})
    assert "normal, urgent" in render_error(mixed, "zh_Hans")  # never half translated
