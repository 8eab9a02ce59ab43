"""The invoicing port: the host's finance system issues invoices (finance systems differ).

The library collects fee slips into an :class:`InvoiceRequest` and hands it to an
:class:`InvoiceIssuer` after its own transaction committed, so a failing finance system never loses a
slip: the request stays recorded (``failed``) and :meth:`aftersales.service.fee_desk.FeeDesk.
retry_invoices` sends it again. ``request.id`` is stable across retries, so the host can make issuing
idempotent on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from aftersales.domain.charges import ChargeLine
from aftersales.domain.money import Money

__all__ = ["InvoiceIssuer", "InvoiceRequest", "IssuedInvoice"]


@attrs.frozen
class InvoiceRequest:
    """What finance needs to issue one invoice over one or more fee slips of one payer.

    ``payer_kind`` ``customer``: made out to the end customer ``customer_id`` for the work of the dealer
    ``dealer_id`` (who charged it; ``None``: the maker's own work). ``payer_kind`` ``dealer``: made out to
    the dealer ``payer_id`` for the materials it bought from the maker (``customer_id`` is ``None``).
    """

    id: str
    customer_id: str | None
    slip_ids: tuple[str, ...]
    lines: tuple[ChargeLine, ...]
    total: Money
    requested_at: datetime
    title: str = ""
    tax_id: str = ""
    dealer_id: str | None = None
    payer_kind: str = "customer"
    payer_id: str | None = None


@attrs.frozen
class IssuedInvoice:
    """Finance's answer: the invoice number and when it was issued."""

    invoice_number: str
    issued_at: datetime


@runtime_checkable
class InvoiceIssuer(Protocol):
    """Issues invoices in the host's finance system."""

    def issue(self, request: InvoiceRequest) -> IssuedInvoice:
        """Issue the invoice for ``request`` (idempotent on ``request.id``); raise on failure."""
        ...
