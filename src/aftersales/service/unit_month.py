"""The month a unit's sale is registered in (seed 004 第五条 1(6): 产品销售信息 … 每月反馈给总经理及相关部门).

The month's feedback counted the units sold by their purchase date: a unit bought on 28 March and
registered on 3 April, after March's feedback went out on 1 April, was in no month's feedback. As a
complaint entered late has been since session 27 (:mod:`aftersales.service.complaint_month`), such a
sale now counts in the first month whose feedback is still to send (:attr:`Asset.registered_month`,
stamped by the registration that first records the purchase date): its purchase month while that
month's feedback has not gone out — as before — else the month after the latest sent, under the month
gate, so the job sending a month waits for a registration under way, and sends it only if no sale was
registered in it after it read the month (:func:`units_sold_in`). The month is the desk's: kept on
every update and correction, never set by a host.
"""

from __future__ import annotations

from datetime import datetime, time

import attrs

from aftersales.domain.contact import zone
from aftersales.domain.products import Asset
from aftersales.errors import ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_month import registrations

__all__ = ["stamp_sale_month", "units_sold_in"]


def stamp_sale_month(uow: UnitOfWork, timezone: str, before: Asset | None, given: Asset) -> Asset:
    """``given`` (the unit about to be written over ``before``, the stored one) with the month its sale
    counts in: the stored month kept; stamped when this write first records a purchase date — the
    purchase month, or the first month after the latest whose feedback went out (months of
    ``timezone``, the desk's books); none while no purchase date is known, nor on a unit stored before
    session 37 with one (it counts in its purchase month, as it did). A month given other than the stored
    one is refused (``ValidationError`` on ``asset.registered_month``): only the desk registers."""
    stored = None if before is None else before.registered_month
    if given.registered_month not in (None, stored):
        raise ValidationError(
            "registered_month of a unit is set by the desk when its sale is registered",
            field="asset.registered_month",
        )
    if stored is not None or given.purchase_date is None:
        month = stored
    elif before is not None and before.purchase_date is not None:
        month = None  # sold before the desk recorded months: its purchase month, as read before
    else:
        bought = datetime.combine(given.purchase_date, time(), zone(timezone))
        month = registrations(uow, timezone)(bought)
    return given if given.registered_month == month else attrs.evolve(given, registered_month=month)


def units_sold_in(uow: UnitOfWork, month: str) -> int:
    """How many units' sales count in ``month`` (:meth:`Asset.sale_month`): the feedback job counts them
    again under the month gate, and a month that gained one since it was read is not sent so (the next
    run reads it again), as for complaints (:mod:`aftersales.service.complaint_month`)."""
    return sum(1 for asset in uow.assets.list() if asset.sale_month() == month)
