"""The rules people meet most, from the English a refusal states to a code the catalogs word.

Why: :func:`~aftersales.i18n.render_error` names the rule a ``ValidationError`` or a
``ConfigurationError`` broke (session 28), but the rule is the English sentence of the code that
refused: a Chinese service manager read "输入有误：title（title must not be empty）". The shapes the
shared checks word (``domain/validation``, ``domain/text``, :class:`~aftersales.errors.OutOfBounds`'s
sentence, the pack loader's bounds) cover most refusals a person meets; each has a code here and
``error_rule.<code>`` words in the three catalogs, with the figures the rule names as parameters.

A rule of no known shape (the long tail of one-off sentences) is the documented fallback: it is shown
as the code that refused wrote it, inside the locale's sentence around the field or key
(``error.validation_rule`` / ``error.configuration_rule``), escaped and bounded — never dropped, since
it is the only statement of what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["RULE_SHAPES", "rule_code"]

_SUBJECT = r"(?P<subject>[A-Za-z_][\w.\[\]]*)"
_NUMBER = r"-?[\d,]+"

RULE_SHAPES: Mapping[str, tuple[re.Pattern[str], ...]] = {
    code: tuple(re.compile(p) for p in patterns)
    for code, patterns in {
        "text": (rf"{_SUBJECT} must be text(, got \w+)?",),
        "empty": (rf"{_SUBJECT} must not be empty",),
        "too_long": (
            rf"{_SUBJECT} is {_NUMBER} characters long; at most (?P<most>{_NUMBER}) are allowed",
            rf"{_SUBJECT} is too long; at most (?P<most>{_NUMBER}) characters",
        ),
        "one_of": (rf"{_SUBJECT} must be one of (?P<allowed>.+); got .*",),
        "true_or_false": (rf"{_SUBJECT} must be True or False, got .*", rf"{_SUBJECT} is true or false"),
        "date": (rf"{_SUBJECT} (must be|is) a date( \(not .*\)|, got .*)?",),
        "datetime": (rf"{_SUBJECT} must be a datetime, got \w+",),
        "snake_code": (rf"{_SUBJECT} must be a snake_case code( \(a-z, 0-9, _\))?, got .*",),
        "month": (r"a month is written YYYY-MM",),
        "number": (
            rf"{_SUBJECT} must be a (Decimal|number), got \w+",
            rf"{_SUBJECT} must be a finite (amount, got .*|number of at most 1e12)",
        ),
        "money": (rf"{_SUBJECT} must be Money",),
        "positive": (
            rf"{_SUBJECT} must be a positive (Money amount|integer|whole number)(, got .*)?",
            rf"{_SUBJECT} must be positive, got .*",
        ),
        "non_negative": (
            rf"{_SUBJECT} must be a non-negative integer",
            rf"{_SUBJECT} must not be negative, got .*",
        ),
        "at_least": (rf"{_SUBJECT} must be at least (?P<least>{_NUMBER}), got .*",),
        "too_many": (rf"{_SUBJECT} has more than (?P<most>{_NUMBER}) items",),
        "collection": (rf"{_SUBJECT} must be a (collection|mapping|tuple|list or tuple), got \w+",),
        "id": (
            rf"{_SUBJECT} must be an id \(text\), got \w+",
            rf"{_SUBJECT} '.*' is not a valid id: 1-64 ASCII letters, digits and _ \. : @ / -, "
            "starting with a letter or digit",
        ),
        "control": (rf"{_SUBJECT} contains (a line break|character U\+[0-9A-F]+): .* are refused",),
        "invisible": (rf"{_SUBJECT} is only invisible characters .*",),
        "whole_number": (
            rf"{_SUBJECT} is a whole number from (?P<least>{_NUMBER}) to (?P<most>{_NUMBER}), got .*",
            rf"{_SUBJECT} must be between (?P<least>{_NUMBER}) and (?P<most>{_NUMBER})(, got .*)?",
            rf"{_SUBJECT} must be a whole number, (?P<least>{_NUMBER})–(?P<most>{_NUMBER})",
        ),
        "duration": (rf"{_SUBJECT} must be a timedelta, got \w+",),
        "positive_duration": (rf"{_SUBJECT} must be a positive timedelta, got .*",),
        "time_zone": (
            rf"{_SUBJECT} must be an IANA time-zone name",
            r"unknown time zone .+: use an IANA name.*",
        ),
        "unknown_pack": (r"no pack named .+; registered packs: (?P<allowed>.+)",),
        # The store moved to another calendar, SLA or callback policy since this desk opened (the guards
        # of service/calendar_stamp): the operator's next step, not the fingerprints.
        "stamp_calendar": (r"the store's due times are on the working calendar .*",),
        "stamp_sla": (r"the store's due times come from the SLA policy of fingerprint .*",),
        "stamp_callback": (r"the store's callbacks are planned by the callback policy of fingerprint .*",),
        # A complaint's callback the pack owes, not left to the host (service/complaint_callback_owed).
        "complaint_survey_owed": (r"complaint .+ is owed a satisfaction survey once handled .*",),
        "complaint_callback_owed": (r"complaint .+ is owed a callback once handled .*",),
    }.items()
}
"""Each rule code and the English shapes it is stated in (matched whole, after the subject)."""


def _about(subject: str | None, field: str | None) -> bool:
    """Whether the rule's subject is the field named: the field itself or its last part (a pack key
    ``dealer_reports.due_day`` refused as "due_day is …")."""
    if subject is None or field is None:
        return True
    leaf = field.rsplit(".", 1)[-1]
    return subject in (field, leaf) or field.endswith(f".{subject}")


def rule_code(rule: str, field: str | None) -> tuple[str, dict[str, str | int]] | None:
    """The code of ``rule`` (the English a refusal of ``field`` states) and the figures it names, or
    ``None`` when it is of no known shape (then it is shown as written: the module docstring)."""
    for code, patterns in RULE_SHAPES.items():
        for pattern in patterns:
            found = pattern.fullmatch(rule)
            if found is None:
                continue
            groups = found.groupdict()
            if not _about(groups.pop("subject", None), field):
                return None
            params: dict[str, str | int] = {}
            for name, value in groups.items():
                if name in ("least", "most"):
                    params[name] = int(value.replace(",", ""))
                elif name == "allowed":
                    params[name] = value.replace("'", "")
            return code, params
    return None
