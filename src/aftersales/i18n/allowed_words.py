"""The values a ``one_of`` refusal allows, in the reader's words when the catalog labels them.

Why: ``enum_code`` and the other ``one_of`` checks name the allowed values as codes ("normal, expedited,
critical"), which a Chinese refusal showed as is (应为以下之一：normal, expedited, critical). Where every
allowed code has a label under the prefix the refused field names (``priority`` → ``priority.<code>``,
``states`` → ``state.<code>``), the list is the labels, joined as the locale joins alternatives; when any
label is missing the codes stay, so a list is never half translated.
"""

from __future__ import annotations

from babel.lists import format_list

from aftersales.i18n.format import LocaleFormatter

__all__ = ["allowed_in_words"]

_MOST = 40
"""Most values worded (a longer list stays as codes: a refusal is no catalogue)."""


def _prefixes(field: str) -> tuple[str, ...]:
    last = field.rsplit(".", 1)[-1].split("[", 1)[0]
    return (last, last.removesuffix("s")) if last.endswith("s") else (last,)


def allowed_in_words(allowed: str, field: object, formatter: LocaleFormatter) -> str:
    """``allowed`` (codes joined by ", ") as the labels of ``field``'s values, or as it is."""
    codes = [code.strip() for code in allowed.split(",")]
    if not isinstance(field, str) or not field or not all(codes) or len(codes) > _MOST:
        return allowed
    for prefix in _prefixes(field):
        words = [formatter.catalog.get(f"{prefix}.{code}") for code in codes]
        if all(words):
            return format_list([w for w in words if w], style="or", locale=formatter.locale)
    return allowed
