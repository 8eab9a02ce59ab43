"""SLA terms a ticket carries from its intake: the targets an agreement sets, overriding the pack's.

A service contract (服务合同) may promise its own response, arrival and resolution times for the units it
covers; a generated maintenance visit (保养) is due by the end of its plan's due day, not within the
pack's repair targets. Which agreement applies is settled once, at intake (the call's local date), and
recorded in the ``opened`` event, so every later derivation — the stored due times, ``desk.sla``, the
sweep, the reports — reads the same terms from the event log without another lookup, and a contract
changed or cancelled later does not rewrite a past ticket's clock.

:func:`apply_terms` replaces the pack's targets by the terms' (only those the pack's decision has: a
remote plan gets no arrival target from a contract either) and adds one reason per target naming the
agreement. The seed 002 dealer contract (resolve within 24 h of the dealer learning of the call, 48 h at
most when approved) is not replaced: it is the dealer's obligation to the maker, not the customer's
agreement. When a contract sets the resolution of a ticket with a dealer, the dealer's target runs beside
it as ``dealer_resolution`` (same start, limit and extension), both are reported, and the ticket's stored
resolution due time is the earlier of the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaTarget, SlaTargets
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision

__all__ = ["PAYLOAD_KEY", "SlaTerm", "SlaTerms", "apply_terms", "terms_in"]

PAYLOAD_KEY = "sla_terms"
"""The key of the ``opened`` event's payload that holds the terms."""

_NAMES = ("response", "arrival", "resolution")
_BASES = ("working", "calendar")
_SOURCES = ("service_contract", "maintenance_visit")


@attrs.frozen
class SlaTerm:
    """One target the agreement sets: ``minutes`` of working (or wall-clock) time from the call.

    ``extend_minutes`` is the most it may be extended to (a postponed maintenance visit), ``None`` if not.
    """

    name: str = attrs.field(validator=attrs.validators.in_(_NAMES))
    minutes: int
    basis: str = attrs.field(default="working", validator=attrs.validators.in_(_BASES))
    extend_minutes: int | None = None

    def __attrs_post_init__(self) -> None:
        if type(self.minutes) is not int or self.minutes < 1:
            raise ValidationError("an SLA term is a whole number of minutes, at least one", field="minutes")
        if self.extend_minutes is not None and (
            type(self.extend_minutes) is not int or self.extend_minutes < self.minutes
        ):
            raise ValidationError("extend_minutes is at least minutes", field="extend_minutes")

    def target(self) -> SlaTarget:
        """The target the clock measures."""
        extended = timedelta(minutes=self.extend_minutes) if self.extend_minutes is not None else None
        return SlaTarget(self.name, timedelta(minutes=self.minutes), self.basis, extended_to=extended)


@attrs.frozen
class SlaTerms:
    """The agreement behind a ticket's targets: its kind (``source``), its id, and its terms."""

    source: str = attrs.field(validator=attrs.validators.in_(_SOURCES))
    id: str
    terms: tuple[SlaTerm, ...]

    def payload(self) -> dict[str, Any]:
        """JSON-ready, for the ``opened`` event."""
        return {
            "source": self.source,
            "id": self.id,
            "terms": [
                {"name": t.name, "minutes": t.minutes, "basis": t.basis, "extend_minutes": t.extend_minutes}
                for t in self.terms
            ],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SlaTerms:
        """Back from :meth:`payload`."""
        return cls(
            str(data["source"]),
            str(data["id"]),
            tuple(
                SlaTerm(str(t["name"]), int(t["minutes"]), str(t["basis"]), t.get("extend_minutes"))
                for t in data["terms"]
            ),
        )


def terms_in(payload: Mapping[str, Any] | None) -> SlaTerms | None:
    """The terms recorded in an ``opened`` event's payload, if any."""
    if not payload:
        return None
    raw = payload.get(PAYLOAD_KEY)
    return SlaTerms.from_payload(raw) if isinstance(raw, Mapping) else None


def apply_terms(decision: Decision[SlaTargets], terms: SlaTerms) -> Decision[SlaTargets]:
    """``decision`` with the pack's targets replaced by the terms', one reason per replaced target."""
    outcome = decision.outcome
    by_name = {t.name: t for t in terms.terms}
    reasons = list(decision.reasons)
    targets: list[SlaTarget] = []
    for target in outcome.targets:
        term = by_name.get(target.name)
        if term is None:
            targets.append(target)
            continue
        targets.append(term.target())
        if target.start == "dealer_dispatch" and target.name == "resolution":
            # Seed 002's 24 hours bind the dealer to the maker whatever the customer bought: the contract's
            # target is the customer's, the dealer's runs beside it, and the earlier due binds. (The
            # dealer's arrival, counted from the same notice since session 36, is replaced by the
            # contract's arrival: there is no second arrival clock.)
            targets.append(attrs.evolve(target, name="dealer_resolution"))
            reasons.append(Reason("sla_dealer_beside_contract", {"id": terms.id}))
        reasons.append(
            Reason(
                f"sla_{terms.source}",
                {"id": terms.id, "target": term.name, "basis": term.basis, "minutes": term.minutes},
            )
        )
    if len(reasons) == len(decision.reasons):
        return decision
    return Decision(attrs.evolve(outcome, targets=tuple(targets)), reasons, decision.policy)
