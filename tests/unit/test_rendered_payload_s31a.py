"""A notification's outbox payload is built without making a RenderedMessage to take apart (issue 21,
session 31): the payload and the refusals are the message's own, for every shape of field."""

from __future__ import annotations

import pytest

from aftersales.errors import ValidationError
from aftersales.ports.notifier import RenderedMessage
from aftersales.service.notify import _RENDERED_DATA, _rendered_payload

GOOD = ("li@example.cn", "email", "工单已派", "工程师明天上门", "zh_Hans", "SR-1:3:dispatched:customer:ab12")


@pytest.mark.parametrize(
    "fields",
    [
        GOOD,
        ("1" * 320, "c" * 32, "", "", "l" * 35, "k" * 200),  # every length at its limit, empty texts
        ("+8613900000001", "sms", "s", "b\n", "en", "k"),
    ],
)
def test_a_valid_payload_is_the_messages_own(fields: tuple[str, ...]) -> None:
    made = _rendered_payload(*fields)
    assert made == _RENDERED_DATA(RenderedMessage(*fields))
    assert list(made) == list(_RENDERED_DATA(RenderedMessage(*fields)))  # the same order of keys


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (0, ""),
        (0, " li@example.cn"),
        (0, "x" * 321),
        (1, "c" * 33),
        (1, "\temail"),
        (4, ""),
        (4, "l" * 36),
        (5, "k" * 201),
        (5, " key"),
        (0, 5),
        (5, None),
    ],
)
def test_a_field_off_the_plain_shape_is_taken_or_refused_as_the_message_does(
    index: int, value: object
) -> None:
    fields: list[object] = list(GOOD)
    fields[index] = value
    try:
        expected: object = _RENDERED_DATA(RenderedMessage(*fields))  # type: ignore[arg-type]
    except ValidationError as refused:
        with pytest.raises(ValidationError) as built:
            _rendered_payload(*fields)  # type: ignore[arg-type]
        assert (built.value.field, str(built.value)) == (refused.field, str(refused))
    else:
        assert _rendered_payload(*fields) == expected  # type: ignore[arg-type]


def test_a_text_of_a_subclass_of_str_is_unstructured_as_the_message_does() -> None:
    class Marked(str):
        pass

    fields = (*GOOD[:2], Marked("subject"), *GOOD[3:])
    assert _rendered_payload(*fields) == _RENDERED_DATA(RenderedMessage(*fields))
