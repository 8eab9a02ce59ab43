"""Quotation marks and brackets that part the terms of a search query, beside the ASCII ones.

Why: a query is split on spaces and punctuation, and each term must occur in a hit. The lists of the
ticket search and the text index named the simplified-Chinese marks (“”‘’（）【】《》) but not the corner
brackets 「」『』 — the quotation marks of traditional Chinese, typed by a Hong Kong or Taiwan desk (the
``zh_Hant`` locale) — nor the other CJK brackets or the European guillemets, so "「漏水」" was one term
that occurs nowhere and found nothing while "“漏水”" found the leak (session 34). The marks are given as
NFKC leaves them (the half-width ｢｣ and vertical ﹁﹂ become 「」). Dashes, dots and the middle dot stay
inside terms: serial numbers and names (阿卜杜·买买提) hold them.
"""

from __future__ import annotations

import re

__all__ = ["QUOTE_MARKS", "QUOTE_MARKS_CLASS"]

QUOTE_MARKS = "「」『』〈〉〔〕〖〗〘〙〚〛〝〞〟«»‹›„‚‟‛"
"""The marks, each one character (after NFKC)."""

QUOTE_MARKS_CLASS = re.escape(QUOTE_MARKS)
"""The marks escaped for a regular expression's character class."""
