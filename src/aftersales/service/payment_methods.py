"""The payment methods a desk accepts: its fees policy's list (``[fees] payment_methods``) or the default.

Every command that records money — a payment on a slip, a quote or a parts request, a refund, the way
of paying agreed on a slip — checks its method here, before anything runs, so a method the books do not
know is refused naming the argument (``ValidationError``, rule ``one_of``) and nothing changes.
"""

from __future__ import annotations

from aftersales.domain.payment_methods import DEFAULT_PAYMENT_METHODS, check_payment_method
from aftersales.service.context import DeskContext

__all__ = ["accepted_methods", "check_method"]


def accepted_methods(context: DeskContext) -> tuple[str, ...]:
    """The desk's payment methods: its fees policy's ``params.payment_methods`` when it has them (a host's
    own policy without such params takes the default list)."""
    params = getattr(context.policies.fees, "params", None)
    found = getattr(params, "payment_methods", None)
    if isinstance(found, tuple) and found and all(isinstance(m, str) for m in found):
        return found
    return DEFAULT_PAYMENT_METHODS


def check_method(context: DeskContext, method: object, field: str) -> str:
    """``method`` if the desk accepts it, else ``ValidationError`` naming ``field``."""
    return check_payment_method(method, accepted_methods(context), field)
