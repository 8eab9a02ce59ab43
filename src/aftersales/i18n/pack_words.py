"""A desk's pack vocabulary: the pack's own words for the codes it defines, for every edge that shows them.

The domain speaks in codes (a reason says ``cause_not_chargeable(cause="flush_valve_worn")``); the edge
renders words. The message catalogs word the library's codes, but a pack defines codes of its own — its
fault symptoms, causes and actions (``[faults]``, seed 002 故障描述 → 故障原因 → 处理措施), each with
Chinese and English labels. Before session 39 only the charge-sheet paper read those labels: a ticket's
"why" (``TicketView.reasons``, ``to_dict``), its notices and the FastAPI example showed
``故障原因"flush_valve_worn"不属收费范围``. :class:`PackWords` is the one place that knows them; each
renderer of reasons (:class:`~aftersales.i18n.reasons.ReasonRenderer`) asks it first. A code the pack does
not label still reads as the catalogs word it, else as itself.

Products, part numbers and fee kinds are no pack vocabulary: a product is master data named by its id
in a notice, a part by the maker's own number (``WN-CB-01``, as printed on it), a fee kind by the
catalogs (``charge_kind.*``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from aftersales.domain.call_shape import host_factories
from aftersales.policies.fault_catalog import FaultCatalog, pack_fault_catalog

__all__ = ["PARAM_FAULT_FIELDS", "PackWords", "pack_words"]

PARAM_FAULT_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "symptom": ("symptom",),
        # A chargeable cause, else a batch incident's shared problem in the pack's batch dimension (a
        # symptom when the pack groups by symptom): the fault lists tried in that order.
        "cause": ("cause", "symptom"),
        "action": ("action",),
    }
)
"""Reason parameters carrying a fault code, and the pack's fault lists that may label them."""


@host_factories
class PackWords:
    """The pack's labels of its own codes (its fault catalog), looked up per locale.

    Equal (and hashed) by the catalog it reads, so every desk of one pack shares the renderers built
    for it.
    """

    __slots__ = ("faults",)

    def __init__(self, faults: FaultCatalog) -> None:
        self.faults = faults

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackWords) and other.faults is self.faults

    def __hash__(self) -> int:
        return id(self.faults)

    def __repr__(self) -> str:
        return f"PackWords({self.faults.name!r})"

    def label(self, key: str, code: str, locale: str) -> str | None:
        """The pack's label of the code ``code`` a parameter ``key`` carries, in ``locale``
        (``zh_Hans``, ``zh_Hant``, ``en``; else its English label), or ``None`` when the pack has none."""
        for field in PARAM_FAULT_FIELDS.get(key, ()):
            found = self.faults.find(field, code, locale)
            if found is not None:
                return found
        return None

    def codes(self, locale: str) -> Callable[[str, str], str | None]:
        """``codes(key, value)`` for a :class:`~aftersales.i18n.reasons.ReasonRenderer` of ``locale``."""

        def own(key: str, value: str) -> str | None:
            return self.label(key, value, locale) if key in PARAM_FAULT_FIELDS else None

        return own


def pack_words(policies: object) -> PackWords | None:
    """The pack vocabulary of a desk's ``policies`` (a ``PolicySet``), or ``None`` when its pack defines no
    codes of its own (no ``[faults]``): then the catalogs word every code."""
    extra = getattr(policies, "extra", None)
    if not isinstance(extra, Mapping):
        return None
    found = pack_fault_catalog(extra)
    return None if found is None else PackWords(found)
