"""A customer is registered with a way to reach them (seed 003 (二)2 需详细记录客户信息; seed 001 三(二)1
对反馈信息进行详细记录,包括客户基本信息).

A customer with no phone, WeChat, e-mail or address can be told nothing: no progress note, no callback,
no survey, no visit reaches them, and every one of those was silently skipped later. So the desk's
registration refuses such a record, naming ``contact``. Records the library itself empties stay as they
are: a customer whose personal data was erased (PIPL) keeps no contact on purpose, and giving that record
back unchanged is no new registration.
"""

from __future__ import annotations

from aftersales.domain.erasure import ERASED
from aftersales.domain.parties import Customer
from aftersales.errors import ValidationError

__all__ = ["check_reachable"]


def check_reachable(customer: Customer) -> None:
    """Refuse ``customer`` without a phone, WeChat, e-mail or address (``ValidationError`` ``contact``)."""
    if customer.name == ERASED:
        return  # the erased record: emptied on purpose (register_customer refuses any change to it)
    contact = customer.contact
    if any((contact.phone, contact.wechat, contact.email, contact.address)):
        return
    raise ValidationError(
        "a customer is registered with a way to reach them: a phone, WeChat, e-mail or address "
        "(callbacks, notices and visits need one)",
        field="contact",
    )
