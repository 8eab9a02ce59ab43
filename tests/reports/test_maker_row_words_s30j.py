"""The words of a report's empty-dealer row say what it holds (session 30, j).

Grouped by the customer's dealer (:attr:`GroupBy.DEALER`), the "" row is the calls of customers who have no
dealer (direct customers) — whoever did the job, a dealer too. Grouped by the dealer doing the job
(:attr:`GroupBy.SERVING_DEALER`, seed 002 分工 12) it is the maker's own work: its engineers' jobs, the calls
its office solved by phone and the calls not yet passed on to anyone; and the dealer report's row beside
the dealers' (分工 9/10) the month's jobs the maker completed itself, its engineers' or its office's by
phone. All three were labelled 厂家自有工程师 ("maker's own engineers"), which is true of none of them whole.
"""

from __future__ import annotations

import pytest

from aftersales.ports.reporting import UNSET, GroupBy
from aftersales.reports.labels import report_labels

LOCALES = ("zh_Hans", "zh_Hant", "en")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_empty_dealer_rows_are_named_for_what_they_hold(locale: str) -> None:
    labels = report_labels(locale)
    customers = labels.group(GroupBy.DEALER, UNSET)
    maker = labels.group(GroupBy.SERVING_DEALER, UNSET)
    done = labels.maker_completions()
    assert len({customers, maker, done}) == 3  # three different things, three names
    for words in (customers, maker, done):
        assert "工程师" not in words or "电话" in words
        assert words.lower() != "maker's own engineers"


def test_the_words_in_each_locale() -> None:
    words = {
        loc: (
            report_labels(loc).group(GroupBy.DEALER, UNSET),
            report_labels(loc).group(GroupBy.SERVING_DEALER, UNSET),
            report_labels(loc).maker_completions(),
        )
        for loc in LOCALES
    }
    assert words == {
        "zh_Hans": (
            "无经销商(厂家直营客户)",
            "厂家(自有工程师、客服电话解决、尚未派工)",
            "厂家(自有工程师、客服电话解决)",
        ),
        "zh_Hant": (
            "無經銷商(廠家直營客戶)",
            "廠家(自有工程師、客服電話解決、尚未派工)",
            "廠家(自有工程師、客服電話解決)",
        ),
        "en": (
            "No dealer (the maker's direct customers)",
            "The maker",
            "The maker (own engineers, solved by phone)",
        ),
    }
