"""Typed identifiers. ``NewType`` over ``str``: free at run time, distinct for the type checker."""

from __future__ import annotations

from typing import NewType

__all__ = [
    "AssetId",
    "ComplaintId",
    "CustomerId",
    "DealerId",
    "EngineerId",
    "MaterialsRequestId",
    "ProductId",
    "TicketId",
]

TicketId = NewType("TicketId", str)
CustomerId = NewType("CustomerId", str)
AssetId = NewType("AssetId", str)
ProductId = NewType("ProductId", str)
DealerId = NewType("DealerId", str)
EngineerId = NewType("EngineerId", str)
MaterialsRequestId = NewType("MaterialsRequestId", str)
ComplaintId = NewType("ComplaintId", str)
