"""The description of a complaint a callback opens: kept as codes, worded in each reader's locale
(seed 004 第七条 3-4).

A low score or a grievance at a callback opens a complaint on the customer's behalf; with no words of
the customer's own, the desk describes it. It was written once, in the desk's locale, so an English
reader of a Chinese desk (or the other way round) read the desk's sentence. The description is now
stored as its codes and figures (:func:`coded_description`: the ticket called back, the grievance codes,
the scores) and worded where it is read (:func:`worded_description`: the ticket views in the actor's
locale, the ledger export in the report's). A description stored before, or typed by a person, is shown
as stored.

Search finds these complaints by the words a reader sees (:func:`searchable_description`): the index
holds the description worded in every supported locale, not its codes, because one index serves readers
of every locale and each reads (and so searches) it in their own. Worded by the desk's catalogs (a host's
``Renderer(catalogs=...)``, as its views word it), not the shipped ones: a host that words a grievance its
own way is found by its own words (session 32 g).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from aftersales.i18n.catalog import MessageCatalog, catalog_for
from aftersales.i18n.locales import SUPPORTED_LOCALES
from aftersales.ports.text_search import FIELD_SEPARATOR

__all__ = [
    "CODED_PREFIX",
    "callback_complaint_description",
    "coded_description",
    "searchable_description",
    "worded_description",
]

CODED_PREFIX = "callback_complaint:"
"""What starts a stored coded description (the JSON of its facts follows)."""

_KEYS = ("ticket_id", "grievances", "score", "attitude", "judged")


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


def coded_description(
    ticket_id: str, grievances: Sequence[str], score: int | None, attitude: int | None, judged: int | None
) -> str:
    """The description to store: its codes and figures, worded later by :func:`worded_description`."""
    facts = dict(zip(_KEYS, (ticket_id, list(grievances), score, attitude, judged), strict=True))
    return CODED_PREFIX + json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def _score(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def worded_description(catalog: MessageCatalog, text: str) -> str:
    """``text`` in ``catalog``'s words when it is a coded description; otherwise as stored (typed by a
    person, or written before the codes were kept). A coded text that does not read back (a grievance
    the catalog does not know, a figure that is not one) is shown as stored, never dropped."""
    if not text.startswith(CODED_PREFIX):
        return text
    try:
        facts = json.loads(text[len(CODED_PREFIX) :])
    except ValueError:
        return text
    if not isinstance(facts, dict) or set(facts) != set(_KEYS):
        return text
    ticket_id, grievances = facts["ticket_id"], facts["grievances"]
    figures = (facts["score"], facts["attitude"], facts["judged"])
    if not isinstance(ticket_id, str) or not isinstance(grievances, list) or not all(map(_score, figures)):
        return text
    if not all(isinstance(g, str) and catalog.get(f"grievances.{g}") is not None for g in grievances):
        return text
    return callback_complaint_description(catalog, ticket_id, grievances, *figures)


def searchable_description(text: str, words: Callable[[str], MessageCatalog] = catalog_for) -> str:
    """What the search index keeps of a ticket's description ``text``: a coded description worded in
    each supported locale (a Chinese desk's English reader finds "satisfaction", its Chinese readers
    "满意度" or "滿意度"), apart as fields are; any other description as stored. ``words`` gives the
    catalog of a locale: the desk's renderer's (``Renderer.catalog``), the shipped ones by default."""
    if not text.startswith(CODED_PREFIX):
        return text
    worded = [worded_description(words(locale), text) for locale in SUPPORTED_LOCALES]
    if worded[0] == text:  # not read back: indexed as stored, as it is shown
        return text
    return FIELD_SEPARATOR.join(dict.fromkeys(worded))
