"""The rule codes a refusal carries, and the figures each names: the ``error_rule.<code>`` catalog words.

Why: :func:`~aftersales.i18n.render_error` names the rule a ``ValidationError`` or a
``ConfigurationError`` broke (session 28). Session 29 found the code by matching the English message
against regular expressions, so a message reworded in English silently lost its Chinese words and a host
could not switch on the rule. The code is now carried by the error itself (``err.rule``, with
``err.rule_params``), passed where the shared checks refuse (``domain/validation``, ``domain/text``,
:class:`~aftersales.errors.OutOfBounds`, the pack loader's bounds…); the English is no longer read.

A rule without a code (the long tail of one-off sentences, or a host's own ``ValidationError``) is the
documented fallback: it is shown as the code that refused wrote it, inside the locale's sentence around
the field or key (``error.validation_rule`` / ``error.configuration_rule``), escaped and bounded —
never dropped, since it is the only statement of what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["RULE_CODES", "RULE_PARAM_LIMIT"]

RULE_CODES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        code: frozenset(params)
        for code, params in {
            "text": (),
            "empty": (),
            "too_long": ("most",),
            "one_of": ("allowed",),
            "true_or_false": (),
            "date": (),
            "datetime": (),
            "snake_code": (),
            "month": (),
            "survey_period": (),  # a survey campaign's period (domain/survey_campaigns.checked_period)
            "number": (),
            "money": (),
            "positive": (),
            "non_negative": (),
            "at_least": ("least",),
            "too_many": ("most",),
            "collection": (),
            "wrong_type": ("expected",),  # a record or value of another class (the class's name)
            "id": (),
            "control": (),
            "invisible": (),
            "whole_number": ("least", "most"),
            "between": ("least", "most"),  # a number, not necessarily whole (a dispatch weight)
            "duration": (),
            "positive_duration": (),
            "time_zone": (),
            "unknown_pack": ("allowed",),
            # The store moved to another calendar, SLA or callback policy since this desk opened (the
            # guards of service/calendar_stamp): the operator's next step, not the fingerprints.
            "stamp_calendar": (),
            "stamp_sla": (),
            "stamp_callback": (),
            # A complaint's callback the pack owes, not left to the host (service/complaint_callback_owed).
            "complaint_survey_owed": (),
            "complaint_callback_owed": (),
            # A complaint's callback put off by hand past the pack's days (service/callback_plan).
            "complaint_callback_window": (),
            # A customer's own filing dated before it reached the desk (service/intake).
            "received_by_staff": (),
            # An amount with more decimal places than its currency's minor unit (a pack's price row).
            "minor_unit": ("unit",),
            # A record of a staff member whose data was erased (service/staff_erasure: PIPL art. 47).
            "staff_erased": (),
            # A record of a staff member dated after the day they left (service/staff_erasure).
            "staff_left": (),
            # A departure dated before a record already kept of the person (service/staff_erasure).
            "staff_records_after": (),
            # A monthly report of a month not over yet (service/report_commands).
            "month_not_over": (),
            # A contact's preferred channels reach nobody (SMS with only a landline: domain/contact).
            "channels_unreachable": ("channels",),
            # A date or instant outside the years the library accepts (domain/validation).
            "year_range": ("least", "most"),
            # A materials step on a ticket whose finding is no fault (domain/no_fault_parts: 故障不属实).
            "no_fault_no_parts": (),
            # A fault cause standing for a built-in cause under a shorter name (policies/fault_catalog:
            # ``misuse`` for ``misuse_against_manual``, seed 002 材料收费 b ①).
            "cause_code_of_pack": ("expected",),
            # A short cause that reads as a built-in cause and as another (``force``: 不可抗力 or 外力):
            # the refusal names both codes a host may mean (policies/fault_catalog).
            "cause_code_ambiguous": ("expected", "other"),
            # An upload named with the extension of another type than its bytes (domain/upload_extensions).
            "extension_contradicts": ("extension", "sniffed", "expected"),
            # A pack's [pack] unset (policies/pack_unset): an entry that is no dotted key, a key the parent
            # pack does not set (or any, in a pack extending none), a key its table cannot do without.
            "unset_malformed": (),
            "unset_not_inherited": (),
            "unset_required": (),
            # A pack table read alone (policies/pack parse_pack) whose [pack] extends names a parent.
            "extends_not_applied": (),
            # A fee slip whose credit slips paid back every line it charged, named for an invoice
            # (service/invoice_net: 工作程序 c ② 集中开发票 after a refund).
            "slip_paid_back": (),
            # An invoice's title or tax number given with a slip whose invoice is not asked now
            # (service/fee_desk issue_slip: 工作程序 c ② 等用户需集中开发票时).
            "invoice_details_unused": (),
            # A complaint or a quality incident linked again to tickets it is already about
            # (service/complaint_intake, service/quality_incidents).
            "already_linked": (),
            # Two shifts of one agent at once in a plan (domain/agent_shifts: seed 003 二 1 轮班制).
            "shifts_overlap": (),
            # An engineer's absence sharing an instant with one recorded (domain/availability,
            # service/engineer_status: seed 003's dispatch picks someone who can go).
            "absences_overlap": (),
            # A materials request's part the parts price list does not price (service/materials_issue).
            "unknown_part": ("part",),
            # A datetime with no time zone where an instant is due (errors.NaiveDatetimeError).
            "naive_datetime": (),
            # An escalation the actor's role shares, already taken up by another
            # (service/complaint_escalation: seed 004 第八条 2(5), a crisis told to the centre's head and
            # the general manager alike).
            "escalation_taken_up": ("by",),
        }.items()
    }
)
"""Each rule code the library raises and the names of the figures its words use (``rule_params``).

Hosts switch on these codes (``docs/embedding.md``); a code stays once published."""

RULE_PARAM_LIMIT = 160
"""Characters of a text figure shown (a list of allowed codes); the message keeps it whole."""
