"""The parties' searchable words of a PostgreSQL bulk import, selected by the server (issue 21).

A batch's search documents read a few words of the customers, dealers and units it names
(:class:`~aftersales.ports.batch_search.PartyWords`). Without ``party_words`` on the unit of work the
import read every record whole: psycopg parsed each customer's JSON and cattrs built a ``Customer``
(its contact, its phone's normalisation) for the name, the contact's name and phone and the tier, on
a batch of new customers most of the import's Python work after the tickets' own JSON (session 34:
0.36 of 4.3 s of client CPU profiled over 3,000 tickets). The server takes the words out of the
stored JSON instead (``->>``), as SQLite's ``party_words`` does with ``json_extract``: the same
members the records are built from. A tier this side does not know comes back ``None``, and the
import then reads that customer's record for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aftersales.domain.parties import CustomerTier
from aftersales.ports.batch_search import CustomerWords, PartyWords

__all__ = ["select_party_words"]

_CUSTOMERS = (
    "SELECT id, data->>'name', data->'contact'->>'name', data->'contact'->>'phone', data->>'tier'"
    " FROM entities WHERE kind = 'customer' AND id = ANY(%s)"
)
_WORD = "SELECT id, data->>%s FROM entities WHERE kind = %s AND id = ANY(%s)"
_TIERS = {tier.value: tier for tier in CustomerTier}


def select_party_words(
    run: Callable[[str, Sequence[Any]], Any],
    customer_ids: Iterable[str],
    dealer_ids: Iterable[str],
    asset_ids: Iterable[str],
) -> PartyWords:
    """The searchable words (and tiers) of the stored customers, dealers and units among these ids,
    read by ``run`` (the unit of work's statement runner)."""
    customers = {
        id_: CustomerWords(name, contact_name, phone, _TIERS.get(tier))
        for id_, name, contact_name, phone, tier in run(_CUSTOMERS, (list(set(customer_ids)),))
    }
    dealers = dict(run(_WORD, ("name", "dealer", list(set(dealer_ids)))))
    serials = dict(run(_WORD, ("serial", "asset", list(set(asset_ids)))))
    return PartyWords(customers, dealers, serials)
