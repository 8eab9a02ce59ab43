"""An in-memory :class:`~aftersales.ports.invoicing.InvoiceIssuer` for tests and demos."""

from __future__ import annotations

from aftersales.errors import StorageError
from aftersales.ports.invoicing import InvoiceRequest, IssuedInvoice

__all__ = ["MemoryInvoiceIssuer"]


class MemoryInvoiceIssuer:
    """Issues numbered invoices in memory, idempotent on the request id; can be told to fail."""

    def __init__(self, prefix: str = "INV") -> None:
        self.prefix = prefix
        self.issued: dict[str, tuple[InvoiceRequest, IssuedInvoice]] = {}
        self.fail_next = 0

    def issue(self, request: InvoiceRequest) -> IssuedInvoice:
        """Issue (or return the invoice already issued for) ``request``."""
        if request.id in self.issued:
            return self.issued[request.id][1]
        if self.fail_next > 0:
            self.fail_next -= 1
            raise StorageError("finance system unavailable")
        invoice = IssuedInvoice(f"{self.prefix}{len(self.issued) + 1:08d}", request.requested_at)
        self.issued[request.id] = (request, invoice)
        return invoice
