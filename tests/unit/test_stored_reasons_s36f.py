"""The reasons the library stores on the steps it takes are worded for the notices that quote them."""

from __future__ import annotations

from aftersales.domain.sold_visit import UNIT_SOLD
from aftersales.domain.ticket import CALLBACK_REWORK_REASON
from aftersales.i18n import SUPPORTED_LOCALES, load_catalog
from aftersales.service.privacy import CANCELLED_BY_ERASURE
from aftersales.service.remedy_calloff import CANCELLED, WITHDRAWN
from aftersales.service.stored_reasons import EMERGENCY_TEAM, STORED_REASONS, worded_reason


def test_every_reason_the_library_stores_has_words_and_a_persons_words_stay_theirs() -> None:
    stored = {CALLBACK_REWORK_REASON, UNIT_SOLD, CANCELLED_BY_ERASURE, WITHDRAWN, CANCELLED, EMERGENCY_TEAM}
    assert set(STORED_REASONS) == stored  # the codes written out in stored_reasons match their modules
    for locale in SUPPORTED_LOCALES:
        catalog = load_catalog(locale)
        for term in STORED_REASONS.values():
            assert catalog.get(term.msgid)
    assert worded_reason(WITHDRAWN) == STORED_REASONS[WITHDRAWN]
    assert worded_reason("重复登记") == "重复登记"
    assert worded_reason(None) is None
