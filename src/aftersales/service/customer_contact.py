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

__all__ = ["check_reachable", "check_reachable_against"]


def check_reachable(customer: Customer) -> None:
    """Refuse ``customer`` without a phone, WeChat, e-mail or address (``ValidationError`` ``contact``).

    A record named as erased is left to :func:`check_reachable_against`, which sees the stored one.
    """
    if customer.name == ERASED:
        return  # maybe the erased record given back: judged with the store (check_reachable_against)
    _reachable(customer)


def check_reachable_against(customer: Customer, before: Customer | None) -> None:
    """Refuse a record named as erased unless it is the stored erased record given back unchanged.

    Only the erasure empties a customer on purpose; a new or live customer that merely carries the
    erased name is a registration like any other and needs a way to reach them (session 32 i: a new
    id named ``[erased]`` with no contact was registered).
    """
    if customer.name != ERASED:
        return  # checked before the store was read (check_reachable)
    if before is not None and before.name == ERASED and customer == before:
        return
    _reachable(customer)


def _reachable(customer: Customer) -> None:
    contact = customer.contact
    # Blank text reaches nobody: an address of spaces is no address (a phone, WeChat id and e-mail
    # of blanks are refused by Contact itself).
    address = contact.address.strip() if contact.address is not None else None
    if any((contact.phone, contact.wechat, contact.email, address)):
        return
    raise ValidationError(
        "a customer is registered with a way to reach them: a phone, WeChat, e-mail or address "
        "(callbacks, notices and visits need one)",
        field="contact",
    )
