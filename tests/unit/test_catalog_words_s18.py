"""The three catalogs say the same things (session 18).

1. Every message has the same ``{placeholders}`` in zh_Hans, zh_Hant and en (each plural form too):
   a value one language shows and another drops is a fact one reader never gets. The part charged back
   for not being returned in time told English readers the deadline in its subject and Chinese readers
   only "未按时退回" (seed 002 退料: the deadline is what the party is held to).
2. zh_Hant is Traditional: no Simplified-only character leaks into it (a guard list of the Simplified
   forms the zh_Hans catalog itself uses, less the characters that are also correct Traditional, such
   as 台 and 准 in 核准).
"""

from __future__ import annotations

import pytest

from aftersales.i18n import SUPPORTED_LOCALES, load_catalog
from aftersales.i18n.catalog import MessageCatalog
from aftersales.i18n.templates import Template

SIMPLIFIED_ONLY = frozenset(
    "与专业两严个为书买产仅从们价优会传伤体偿关养决划办务动势区协单厂压双发号员响围图场坏处备复头实审"
    "对导将尽属岗师应开异张当录态总恶护报担择损换数断无旧时暂杂条构标毕济滞满灾点烧热状现电监盘码确礼"
    "离稳筛签类紧约级线组细经结给绝统继续维职联节补装见规视计认训记论设访评诉话询该说请调谢负财责账货"
    "质购费资赔赠趋转软轻较达过运还进远适选邮钟铰链销键长门闭问间闻阀阶际隐难项须预领频题额馈验骗龙"
    # Session 23: the rest of the zh_Hans catalog's Simplified-only characters (as hanzidentifier reads them).
    "临义储内写冲况则删别历参变币并库废归户执拟拣术机权检汇没洁洒温独盖础种编网营试误读输错"
)
"""Simplified forms (all used by the zh_Hans catalog) that are never written in Traditional Chinese."""


@pytest.fixture(scope="module")
def catalogs() -> dict[str, MessageCatalog]:
    return {name: load_catalog(name) for name in SUPPORTED_LOCALES}  # no fallback: each stands alone


def _slots(catalog: MessageCatalog, msgid: str) -> tuple[frozenset[str], ...]:
    if msgid in catalog.plurals:
        return tuple(Template.parse(form, name=msgid).fields for form in catalog.plurals[msgid])
    return (Template.parse(catalog.text(msgid), name=msgid).fields,)


def test_every_message_has_the_same_placeholders_in_every_locale(catalogs: dict[str, MessageCatalog]) -> None:
    english = catalogs["en"]
    problems = []
    for msgid in sorted(english.msgids):
        wanted = set().union(*_slots(english, msgid))
        for name, catalog in catalogs.items():
            for form in _slots(catalog, msgid):
                if form != wanted:
                    problems.append(f"{name} {msgid}: {sorted(form)} (en: {sorted(wanted)})")
    assert problems == []


def test_the_part_charged_back_subject_names_the_deadline_in_chinese(
    catalogs: dict[str, MessageCatalog],
) -> None:
    for name in ("zh_Hans", "zh_Hant"):
        assert "{due_at}" in catalogs[name].text("notification.part_charged_back.subject")


def test_traditional_chinese_has_no_simplified_only_character(catalogs: dict[str, MessageCatalog]) -> None:
    hans, hant = catalogs["zh_Hans"], catalogs["zh_Hant"]
    used = "".join(hans.text(m) for m in hans.messages)
    assert set(used) >= SIMPLIFIED_ONLY  # the guard list is the catalog's own Simplified characters
    leaks = {}
    for msgid in hant.msgids:
        texts = hant.plurals.get(msgid) or (hant.text(msgid),)
        found = sorted({ch for text in texts for ch in text if ch in SIMPLIFIED_ONLY})
        if found:
            leaks[msgid] = "".join(found)
    assert leaks == {}
