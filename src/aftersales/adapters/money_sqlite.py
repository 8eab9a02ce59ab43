"""A month's money summed inside SQLite (JSON1), in whole minor units: the fast path of reports.money.

Why: reading 100 000 slips as JSON into Python costs seconds; SQLite's ``json_each`` sums the lines in C.
Amounts are summed as integers of minor units (``ROUND(amount × 10^digits)``), exact for every amount
``Money`` admits (at most 10¹² minor units, far inside a double's exact integers), and handed back as
rows the report turns into ``Decimal``. Only the query lives here; the figures are the report's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MoneyRows", "sqlite_money_rows"]

MoneyRows = dict[str, list[tuple[Any, ...]]]

_SLIP_FILTER = """
    FROM documents d
    JOIN document_index m ON m.kind = d.kind AND m.id = d.id AND m.field = 'month' AND m.value = ?
    WHERE d.kind = 'fee_slip' AND json_extract(d.data, '$.state') = 'issued'
      AND json_extract(d.data, '$.currency') = ?
      AND (? IS NULL OR json_extract(d.data, '$.dealer_id') = ?)
"""
_LINE = "CAST(ROUND(CAST(json_extract(l.value, '$.unit_price.amount') AS REAL) * ?) AS INTEGER)" \
        " * json_extract(l.value, '$.quantity')"  # fmt: skip

_QUERIES = {
    # per ticket and payer: charged and given minor units
    "tickets": f"""
        SELECT json_extract(d.data, '$.ticket_id'),
               COALESCE(json_extract(d.data, '$.payer_kind'), 'customer'),
               SUM(CASE WHEN json_extract(l.value, '$.chargeable') THEN {_LINE} ELSE 0 END),
               SUM(CASE WHEN json_extract(l.value, '$.chargeable') THEN 0 ELSE {_LINE} END)
        {_SLIP_FILTER.replace("WHERE", ", json_each(d.data, '$.lines') l WHERE")}
        GROUP BY 1, 2""",
    "kinds": f"""
        SELECT json_extract(l.value, '$.kind'), SUM({_LINE})
        {_SLIP_FILTER.replace("WHERE", ", json_each(d.data, '$.lines') l WHERE")}
          AND NOT json_extract(l.value, '$.chargeable')
        GROUP BY 1""",
    "slips": f"SELECT COUNT(*) {_SLIP_FILTER}",
    "paid": f"""
        SELECT COALESCE(SUM(CAST(ROUND(
            CAST(json_extract(p.value, '$.amount.amount') AS REAL) * ?) AS INTEGER)), 0)
        {_SLIP_FILTER.replace("WHERE", ", json_each(d.data, '$.payments') p WHERE")}""",
    "issues": f"""
        SELECT json_extract(d.data, '$.ticket_id'), json_extract(l.value, '$.kind'), SUM({_LINE})
        FROM documents d
        JOIN document_index m ON m.kind = d.kind AND m.id = d.id AND m.field = 'month' AND m.value = ?,
             json_each(d.data, '$.lines') l
        WHERE d.kind = 'materials_movement' AND json_extract(d.data, '$.kind') = 'issued_free'
          AND json_extract(l.value, '$.unit_price.currency') = ?
          AND (? IS NULL OR json_extract(d.data, '$.dealer_id') = ?)
        GROUP BY 1, 2""",
}


def sqlite_money_rows(
    run: Callable[[str, Sequence[Any]], Any], month: str, currency: str, dealer_id: str | None, scale: int
) -> MoneyRows:
    """The rows of every query, in minor units of ``scale`` (100 for CNY) per major unit."""
    base = [month, currency, dealer_id, dealer_id]
    return {
        "tickets": list(run(_QUERIES["tickets"], [scale, scale, *base])),
        "kinds": list(run(_QUERIES["kinds"], [scale, *base])),
        "slips": list(run(_QUERIES["slips"], base)),
        "paid": list(run(_QUERIES["paid"], [scale, *base])),
        "issues": list(run(_QUERIES["issues"], [scale, *base])),
    }
