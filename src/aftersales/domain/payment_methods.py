"""The ways of paying the money side accepts (seed 002 材料收费 2 b: 填注付款方式信息; 发料 2 b: 付款方式).

One list for every path that records money — a payment on a slip or a quote, a refund — so a slip
never carries a way of paying the books do not know (``Wechat``, ``wechat_pay`` and ``weixin`` were
three methods to the monthly figures). A pack may name its own list (``[fees] payment_methods``); a
list that is not one is refused when the pack loads.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.text import CODE_PATTERN
from aftersales.errors import ValidationError

__all__ = ["DEFAULT_PAYMENT_METHODS", "check_payment_method", "payment_methods"]

DEFAULT_PAYMENT_METHODS: tuple[str, ...] = ("cash", "transfer", "wechat", "alipay", "card")
"""Cash (slips' default), bank transfer (refunds' default), WeChat Pay, Alipay, bank card."""


def payment_methods(value: object, field: str = "payment_methods") -> tuple[str, ...]:
    """A configured list of payment methods: snake_case codes, at least one, each once (kept in order)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError(f"{field} is a list of payment method codes", field=field)
    if not value:
        raise ValidationError(f"{field} names no way of paying: no money could be recorded", field=field)
    for item in value:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"{field}: {item!r:.40} is not a snake_case code", field=field, rule="snake_code"
            )
    return tuple(dict.fromkeys(value))


def check_payment_method(method: object, allowed: Sequence[str], field: str) -> str:
    """``method`` if it is one of ``allowed``, else ``ValidationError`` naming ``field`` (rule ``one_of``)."""
    if not isinstance(method, str) or method not in allowed:
        raise ValidationError(
            f"{field} is one of {', '.join(allowed)}, got {method!r:.40}",
            field=field,
            rule="one_of",
            rule_params={"allowed": ", ".join(allowed)},
        )
    return method
