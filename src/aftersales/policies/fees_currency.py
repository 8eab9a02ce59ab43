"""The currency a desk's fees policy prices in: one reading for the fee desk, the budgets and the reports.

The library's own fees policy always names it (``[fees] currency``, default ``CNY``). A host's own
:class:`~aftersales.policies.fees.FeesPolicy` may not: its prices carry their currency, but the desk needs
one to write slips in and to read the month's money, the KPI costs and the budget in. Before session 38
each place read ``params.currency`` with a silent ``CNY`` fallback, so a host pricing in EUR had its slips
counted nowhere. Now it names its currency (a ``currency`` attribute, or ``params.currency``) or the desk
is refused at construction, naming ``fees.currency``.
"""

from __future__ import annotations

from aftersales.domain.money import currency_exponent
from aftersales.errors import ConfigurationError, UnknownCurrency

__all__ = ["fees_currency"]


def fees_currency(fees: object) -> str:
    """The ISO 4217 code ``fees`` prices in: its ``params.currency`` (the library's and a pack kind's
    parameters), else its own ``currency`` attribute (a host's policy). ``ConfigurationError`` naming
    ``fees.currency`` when it names none, or an unknown code."""
    params = getattr(fees, "params", None)
    for source in (params, fees):
        value = getattr(source, "currency", None) if source is not None else None
        if value is None:
            continue
        try:
            currency_exponent(value)
        except UnknownCurrency:
            raise ConfigurationError(
                f"the fees policy's currency is {value!r:.40}: an ISO 4217 code such as 'CNY' is expected",
                key="fees.currency",
            ) from None
        return str(value)
    name = getattr(fees, "name", type(fees).__name__)
    raise ConfigurationError(
        f"the fees policy {name!r:.60} names no currency: the desk writes slips and reads the month's money, "
        "the KPI costs and the budgets in it; give the policy a currency attribute (an ISO 4217 code) or "
        "params.currency",
        key="fees.currency",
    )
