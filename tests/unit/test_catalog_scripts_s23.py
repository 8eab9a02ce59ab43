"""The English catalog has no Chinese left in it (session 23, task d).

The Chinese catalogs are checked for their script (``test_catalog_words_s18``: no Simplified-only character
in zh_Hant); English was not: a message copied from zh_Hans and left untranslated, or a Chinese full stop
or bracket in an English sentence, would reach an English reader. Every English message and plural form is
checked for CJK ideographs and CJK / full-width punctuation.
"""

from __future__ import annotations

import re

from aftersales.i18n import load_catalog

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_english_has_no_chinese() -> None:
    english = load_catalog("en")
    found = {}
    for msgid in english.msgids:
        for text in english.plurals.get(msgid) or (english.text(msgid),):
            if CJK.search(text):
                found[msgid] = text
    assert found == {}
    assert CJK.search("已关闭") and CJK.search("（") and not CJK.search("“closed” — ok")
