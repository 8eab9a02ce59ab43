"""A permission refused, in words (session 24).

``PermissionDenied`` names the permission table's action, and :func:`render_error` labelled it with the
ticket's step of that name: 119 of the table's 192 actions are no ticket step, so most refusals read the
table's code in every language — "无权执行此操作（erase_customer）", "You may not do this
(register_customer)". Every action of the table now has words (``permission_action.<action>``, then the
ticket's step), in zh_Hans, zh_Hant and en.
"""

from __future__ import annotations

import re

import pytest

from aftersales.errors import PermissionDenied
from aftersales.i18n.errors import render_error
from aftersales.service.permissions import PERMISSIONS

ACTIONS = sorted({action for table in PERMISSIONS.values() for action in table})


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_every_action_of_the_permission_table_is_refused_in_words(locale: str) -> None:
    raw = []
    for action in ACTIONS:
        words = render_error(PermissionDenied("agent:a1", action, "SR-1"), locale)
        code_shown = action in words if "_" in action or locale != "en" else f"({action})" in words
        if code_shown or (locale != "en" and re.search(r"[a-z]{2,}", words)):
            raw.append(words)
    assert raw == []


def test_an_erasure_refused_reads_as_what_was_refused() -> None:
    refused = PermissionDenied("agent:a1", "erase_customer", "c-1")
    assert render_error(refused, "zh_Hans") == "无权执行此操作（删除客户个人信息）"
    assert render_error(refused, "zh_Hant") == "無權執行此操作（刪除客戶個人資料）"
    assert render_error(refused, "en") == "You may not do this (erase a customer's personal data)"
