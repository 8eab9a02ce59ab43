"""Which tickets answer a customer's feedback: the population of the response-on-time rate.

The rule is :mod:`aftersales.domain.customer_feedback`'s (a planned visit, seed 000 保养服务 定期, answers no
customer's feedback: seed 001 六(二)3), shared with the live SLA, which sets such a ticket no response
target; this port adds its SQL form for the stores that count in SQL.
"""

from __future__ import annotations

from aftersales.domain.customer_feedback import UNANSWERED_CHANNELS, owes_response

__all__ = ["UNANSWERED_CHANNELS", "owes_response", "owes_response_sql"]


def owes_response_sql(column: str = "channel") -> str:
    """The SQL condition of :func:`owes_response` on a row's channel code (a row written before the
    channel was kept has none: it is judged, as it was)."""
    codes = ", ".join(f"'{c.value}'" for c in sorted(UNANSWERED_CHANNELS, key=lambda c: c.value))
    return f"coalesce({column} NOT IN ({codes}), 1)"
