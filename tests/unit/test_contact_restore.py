"""A stored contact keeps its phone's E.164 form and SMS flag: reading it back parses nothing (issue 26)."""

from __future__ import annotations

import attrs
import phonenumbers
import pytest

from aftersales.domain.contact import Contact, phone_facts
from aftersales.domain.parties import Customer
from aftersales.errors import ValidationError
from aftersales.serialization import dumps, loads, structure, unstructure


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """libphonenumber's parse, replaced by a recorder: every number it would have parsed."""
    parsed: list[str] = []
    real = phonenumbers.parse

    def recording(text: str, region: str | None = None, *args: object, **kwargs: object) -> object:
        parsed.append(text)
        return real(text, region, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(phonenumbers, "parse", recording)
    return parsed


@pytest.mark.parametrize(
    ("phone", "e164", "sms"),
    [("13800138000", "+8613800138000", True), ("021-5555 0001", "+862155550001", False),
     ("+44 20 7946 0958", "+442079460958", False), ("+8613900139000", "+8613900139000", True)],
)  # fmt: skip
def test_the_record_carries_the_numbers_facts(phone: str, e164: str, sms: bool) -> None:
    contact = Contact("王先生", phone=phone)
    data = unstructure(contact)
    assert (data["phone_e164"], data["phone_sms"]) == (e164, sms) == phone_facts(phone)
    assert structure(data, Contact) == contact
    assert "phone_e164" not in unstructure(Contact("王先生", email="w@example.cn"))


@pytest.mark.parametrize("n", range(3))
def test_a_plainly_written_number_is_read_back_without_parsing(n: int, no_parsing: list[str]) -> None:
    text = dumps(Customer(f"c{n}", "王先生", Contact("王先生", phone=f"1361234{n:04d}"), region="r1"))
    phone_facts.cache_clear()
    from aftersales.domain import contact as module

    module._reading.cache_clear()
    module._mobile.cache_clear()
    no_parsing.clear()
    customer = loads(text, Customer)
    assert customer.contact.phone == f"1361234{n:04d}"
    assert [channel for channel, _ in customer.contact.reach()] == ["sms"]  # mobile, from the record
    assert no_parsing == []


def test_a_number_written_with_spaces_or_an_extension_is_checked_again(no_parsing: list[str]) -> None:
    from aftersales.domain import contact as module

    for phone in ("021-5555 0002", "021-5555 0002 转 123"):
        data = unstructure(Contact("王先生", phone=phone))
        module._reading.cache_clear()
        no_parsing.clear()
        assert structure(data, Contact).phone == phone
        assert no_parsing  # not a plain writing of its E.164 form: parsed as when it was made


def test_a_record_whose_number_was_changed_is_checked_like_any_input() -> None:
    data = {**unstructure(Contact("王先生", phone="13800138000")), "phone": "12345"}
    with pytest.raises(ValidationError) as error:
        structure(data, Contact)
    assert error.value.field == "phone"


def test_facts_of_the_wrong_type_are_ignored_and_the_number_parsed(no_parsing: list[str]) -> None:
    from aftersales.domain import contact as module

    data = {**unstructure(Contact("王先生", phone="13700137000")), "phone_sms": "yes"}
    module._reading.cache_clear()
    no_parsing.clear()
    assert structure(data, Contact).reach()[0] == ("sms", "13700137000")
    assert no_parsing == ["13700137000"]


def test_old_records_without_facts_still_load_and_unknown_keys_are_refused() -> None:
    data = unstructure(Contact("王先生", phone="13800138000"))
    del data["phone_e164"], data["phone_sms"]
    assert structure(data, Contact).reach()[0] == ("sms", "13800138000")
    with pytest.raises(ValidationError):
        structure({**data, "fax": "x"}, Contact)
    with pytest.raises(ValidationError):
        structure(["王先生"], Contact)


def test_a_changed_number_gets_its_own_facts() -> None:
    mobile = loads(dumps(Contact("王先生", phone="13800138000")), Contact)
    landline = attrs.evolve(mobile, phone="021-5555 0001")
    assert landline.phone_facts() == ("+862155550001", False)
    assert landline.reach() == ()
    assert attrs.evolve(mobile, phone=None).phone_facts() is None
