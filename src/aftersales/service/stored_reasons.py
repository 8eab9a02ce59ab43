"""The words of the reasons the library itself stores on a step, for the notices that quote a step's reason.

Why: a notice quotes a step's reason as a person wrote it ("重复登记"); a step the library took stores a fixed
code (:data:`aftersales.i18n.stored_reasons.STORED_REASON_MSGIDS`: a callback's "problem back", a complaint
withdrawn or cancelled, a customer erased, a unit sold, the emergency team), which the notice to the engineer
or dealer holding the job quoted as it was ("原因：complaint_withdrawn"). Here each is a catalog term, worded
in the reader's language. The codes stay as stored (the erasure and the tests read them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aftersales.i18n.stored_reasons import EMERGENCY_TEAM, STORED_REASON_MSGIDS
from aftersales.i18n.values import Term

__all__ = ["EMERGENCY_TEAM", "STORED_REASONS", "worded_reason"]

STORED_REASONS: Final[Mapping[str, Term]] = MappingProxyType(
    {code: Term(msgid) for code, msgid in STORED_REASON_MSGIDS.items()}
)
"""The reasons the library stores on a step it takes, and their catalog terms."""


def worded_reason(reason: str | None) -> str | Term | None:
    """``reason`` as a notice quotes it: the library's own codes worded (:data:`STORED_REASONS`), what a
    person wrote as written."""
    if reason is None:
        return None
    return STORED_REASONS.get(reason, reason)
