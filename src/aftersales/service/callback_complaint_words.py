"""The description of a complaint a callback opens, worded in the desk's locale (seed 004 第七条 3-4).

A low score or a grievance at a callback opens a complaint on the customer's behalf; with no words of
the customer's own, the desk describes it. Like the other records the desk opens itself (maintenance
visits, remedy visits), the description is written in the desk's locale (``maintenance.locale`` of the
pack) from the catalog, so a Chinese desk's ledger does not show an English sentence. Records written
before keep their stored text.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.i18n.catalog import MessageCatalog

__all__ = ["callback_complaint_description"]


def callback_complaint_description(
    catalog: MessageCatalog,
    ticket_id: str,
    grievances: Sequence[str],
    score: int | None,
    attitude: int | None,
    judged: int | None,
) -> str:
    """What the customer found wrong at the callback of ``ticket_id``: grievances, then the low score."""
    parts: list[str] = []
    if grievances:
        named = catalog.text("callback_complaint.list_separator").join(
            catalog.text(f"grievances.{g}") for g in grievances
        )
        parts.append(catalog.text("callback_complaint.grievance").format(grievances=named))
    if judged is not None and judged == score:
        parts.append(catalog.text("callback_complaint.satisfaction").format(score=score))
    elif judged is not None:
        shown = "-" if score is None else str(score)
        parts.append(catalog.text("callback_complaint.attitude").format(attitude=attitude, score=shown))
    said = catalog.text("callback_complaint.part_separator").join(parts)
    return catalog.text("callback_complaint.description").format(said=said, ticket_id=ticket_id)
