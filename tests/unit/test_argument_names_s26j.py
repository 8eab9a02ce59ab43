"""Session 26 (j): a hostile keyword's name is escaped and cut in the refusal, not carried whole.

``host_factories`` (``Actor.manager(...)``, ``Money.zero(...)``) and the desk's checked commands refuse an
unknown keyword with a ``ValidationError`` naming it. The name was carried as given: a lone surrogate
(``**{"\\ud800": 1}``) made the field, the message and ``render_error``'s words text no UTF-8 stream can
write (printing the refusal raised ``UnicodeEncodeError``), and a 10,000-character keyword was repeated
whole in each. Now a name that is no identifier, or longer than 64 characters, is escaped (``ascii``) and
cut, in the field and the message; an ordinary name is unchanged.
"""

from __future__ import annotations

import pytest

from aftersales import Actor, Money
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from aftersales.service.desk import ServiceDesk

HOSTILE = ["\ud800", "a\udfffb", "x" * 10_000, "名 字", "bad-name"]


def _writable(error: ValidationError) -> None:
    for text in (
        str(error),
        error.field or "",
        *(render_error(error, loc) for loc in ("zh_Hans", "zh_Hant", "en")),
    ):
        text.encode("utf-8")  # a lone surrogate would raise UnicodeEncodeError
        assert len(text) < 400


@pytest.mark.parametrize("key", HOSTILE)
def test_a_host_factory_refuses_a_hostile_keyword_in_writable_words(key: str) -> None:
    for call in (lambda: Actor.manager("m1", **{key: 1}), lambda: Money.zero("CNY", **{key: 1})):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.field == ascii(key)[:64]
        _writable(refused.value)


@pytest.mark.parametrize("key", HOSTILE)
def test_a_desk_command_refuses_a_hostile_keyword_in_writable_words(key: str) -> None:
    with ServiceDesk.open("memory://", pack="sanitary_ware") as desk:
        with pytest.raises(ValidationError) as refused:
            desk.contact_customer(Actor.agent("a1"), "SR-1", note="n", **{key: 1})
        assert refused.value.field == ascii(key)[:64]
        _writable(refused.value)


def test_an_ordinary_name_is_unchanged() -> None:
    with pytest.raises(ValidationError) as refused:
        Actor.manager("m1", bogus=1)
    assert refused.value.field == "bogus"
    assert str(refused.value) == "Actor.manager: Actor.manager() got an unexpected keyword argument 'bogus'"
    with pytest.raises(ValidationError) as missing:
        Money.zero()
    assert missing.value.field == "currency"
