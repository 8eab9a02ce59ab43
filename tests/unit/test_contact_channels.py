"""Contacts: phone numbers checked with libphonenumber, channel preference, SMS only to mobiles."""

from __future__ import annotations

import pytest

from aftersales.domain.contact import Contact, MessageChannel, is_mobile
from aftersales.errors import ValidationError
from aftersales.service.notify import address_of


@pytest.mark.parametrize(
    "phone", ["13800138000", "+86 138 0013 8000", "021-5555 0001", "021-5555 0001 转 123", "+44 20 7946 0958"]
)
def test_valid_numbers_are_accepted_as_typed(phone: str) -> None:
    assert Contact("王先生", phone=phone).phone == phone


@pytest.mark.parametrize("phone", ["123", "13800", "138001380001", "call me", "+86 000 0000 0000", ""])
def test_numbers_that_cannot_exist_are_refused_naming_the_field(phone: str) -> None:
    with pytest.raises(ValidationError) as error:
        Contact("王先生", phone=phone)
    assert error.value.field == "phone"


def test_only_mobiles_take_sms() -> None:
    assert is_mobile("13800138000") and is_mobile("+86 138 0013 8000")
    assert not is_mobile("021-5555 0001") and not is_mobile(None) and not is_mobile("123")


def test_readers_of_chinese_are_reached_by_wechat_then_sms_then_email() -> None:
    full = Contact("王先生", phone="13800138000", email="wang@example.cn", wechat="wang_wx")
    assert [c for c, _ in full.reach()] == ["wechat", "sms", "email"]
    assert address_of(full) == ("wechat", "wang_wx")
    no_wechat = Contact("王先生", phone="13800138000", email="wang@example.cn")
    assert address_of(no_wechat) == ("sms", "13800138000")
    landline = Contact("王先生", phone="021-5555 0001", email="wang@example.cn")
    assert address_of(landline) == ("email", "wang@example.cn")  # a landline takes no SMS
    assert address_of(Contact("王先生", phone="021-5555 0001")) is None


def test_others_by_email_first_and_a_stated_preference_wins() -> None:
    english = Contact("Alice", phone="13800138000", email="alice@example.co.uk", locale="en")
    assert address_of(english) == ("email", "alice@example.co.uk")
    prefers_sms = Contact(
        "Alice", phone="13800138000", email="a@example.co.uk", locale="en", channels=["sms"]
    )
    assert prefers_sms.channels == (MessageChannel.SMS,)
    assert prefers_sms.reach() == ((MessageChannel.SMS, "13800138000"),)
    prefers_email = Contact("王先生", phone="13800138000", email="wang@example.cn", channels=("email", "sms"))
    assert address_of(prefers_email) == ("email", "wang@example.cn")


@pytest.mark.parametrize("channels", [("fax",), ("sms", "sms"), (3,)])
def test_bad_channel_preferences_are_refused(channels: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        Contact("王先生", phone="13800138000", channels=channels)  # type: ignore[arg-type]
    assert error.value.field == "channels"


@pytest.mark.parametrize("name", ["x" * 5000, "Asia", "Asia/"])
def test_a_time_zone_name_the_system_cannot_open_is_a_validation_error(name: str) -> None:
    from aftersales.domain.contact import zone

    with pytest.raises(ValidationError):
        zone(name)


@pytest.mark.parametrize("wechat", ["", " ", "\u3000", "\t "])
def test_a_blank_wechat_id_is_refused_naming_the_field(wechat: str) -> None:
    # A blank id would be the recipient of every message to this person, and rendering one fails.
    with pytest.raises(ValidationError) as error:
        Contact("王先生", phone="13800138000", wechat=wechat)
    assert error.value.field == "wechat"


def test_a_blank_wechat_id_stored_before_it_was_refused_reads_back_as_none() -> None:
    contact = Contact.restore({"name": "王先生", "phone": "13800138000", "wechat": " "})
    assert contact.wechat is None
    assert [c for c, _ in contact.reach()] == ["sms"]
