"""Typed errors in the words of the person who met them (``render_error``), in the three catalogs.

The errors' messages are English for developers; a host showing a refusal to an agent in Shanghai, a
dealer in Taipei or a customer needs it in their language, from the facts the error carries.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

import aftersales.errors as errors
from aftersales import render_error
from aftersales.domain.money import Money
from aftersales.errors import AftersalesError, ValidationError
from aftersales.i18n import error_reason

CJK = re.compile(r"[\u4e00-\u9fff]")

SAMPLES: dict[str, AftersalesError] = {
    "AftersalesError": errors.AftersalesError("something"),
    "AlreadyErased": errors.AlreadyErased("cust-9", "ER-1", "2026-03-02"),
    "AttachmentRequired": errors.AttachmentRequired("need it", kind="written_report", step="resolve"),
    "CalendarDataMissing": errors.CalendarDataMissing(date(2028, 1, 3), date(2027, 12, 31)),
    "ConcurrencyConflict": errors.ConcurrencyConflict("ticket", "SR-1", 3, 4),
    "ConfigurationError": errors.ConfigurationError("bad", file="pack.toml", key="sla.response"),
    "CurrencyMismatch": errors.CurrencyMismatch("CNY", "USD"),
    "CustomerErased": errors.CustomerErased("cust-9"),
    "DeliveryError": errors.DeliveryError("smtp down"),
    "DuplicateError": errors.DuplicateError("ticket SR-1 already exists"),
    "ErasedIdReused": errors.ErasedIdReused("cust-9"),
    "FaultRecordRequired": errors.FaultRecordRequired(
        workflow="ticket", state="in_progress", ticket_id="SR-7", command="resolve", category="repair"
    ),
    "IdempotencyKeyReused": errors.IdempotencyKeyReused("triage", "k-1"),
    "InvalidMoney": errors.InvalidMoney("not finite", field="amount"),
    "InvalidStoreOption": errors.InvalidStoreOption("bad", option="pool_max"),
    "InvalidTransition": errors.InvalidTransition("ticket", "closed", "cancel", ticket_id="SR-2"),
    "LegalHold": errors.LegalHold("cust-9", "unpaid_fee_slip", "FS-3"),
    "LockOrderConflict": errors.LockOrderConflict("ticket", "SR-1", "SR-3"),
    "OutOfBounds": errors.OutOfBounds("batch", 0, 1, 10_000),
    "NaiveDatetimeError": errors.NaiveDatetimeError("at"),
    "NotFound": errors.NotFound("ticket", "SR-404"),
    "OpenTicketsBlockErasure": errors.OpenTicketsBlockErasure("cust-9", ("SR-2", "SR-5")),
    "PermissionDenied": errors.PermissionDenied("engineer:e1", "cancel", "SR-1"),
    "PluginError": errors.PluginError("policies.priority", "decide", "answered str, not Decision"),
    "PolicyError": errors.PolicyError("closed", code="ticket_closed"),
    "ReadOnlyError": errors.ReadOnlyError("tickets.save"),
    "RemedyBeyondAuthority": errors.RemedyBeyondAuthority(
        "agent:a1", "CP-1", field="cost", kind="gift", asked=Money("110", "CNY"), limit=Money("100", "CNY")
    ),
    "SlaExtensionRefused": errors.SlaExtensionRefused("SR-5", "resolution", "72h", "48h"),
    "StorageError": errors.StorageError("disk gone"),
    "StoreBusy": errors.StoreBusy("locked"),
    "UnknownCurrency": errors.UnknownCurrency("XXY"),
    "ValidationError": errors.ValidationError("too long", field="description"),
}


def test_every_error_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(errors.__all__)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_every_error_kind_is_worded_in_every_catalog(name: str, locale: str) -> None:
    error = SAMPLES[name]
    text = render_error(error, locale)
    assert text and text != str(error) and "{" not in text
    assert bool(CJK.search(text)) == locale.startswith("zh")
    # The facts a person acts on are in the words (a hold names its record; who is being erased, the
    # person erasing knows).
    for fact in ("SR-2", "SR-5", "SR-7", "SR-404", "FS-3", "cust-9", "k-1", "description", "pool_max"):
        if fact in str(error) and not (name == "LegalHold" and fact == "cust-9"):
            assert fact in text


def test_codes_inside_the_words_are_labelled() -> None:
    closed = SAMPLES["InvalidTransition"]
    assert render_error(closed, "zh_Hans") == "SR-2：工单处于“已关闭”状态，不能执行“取消”"
    assert "「已關閉」" in render_error(closed, "zh_Hant")
    assert "“closed”" in render_error(closed, "en")
    assert "解决时限" in render_error(SAMPLES["SlaExtensionRefused"], "zh_Hans")
    assert "书面报告" in render_error(SAMPLES["AttachmentRequired"], "zh_Hans")


def test_a_policy_refusal_is_worded_by_its_code_or_as_a_refusal() -> None:
    assert render_error(SAMPLES["PolicyError"], "zh_Hans") == "工单已关闭，请先重新打开"
    unknown = errors.PolicyError("new rule", code="some_future_rule")
    assert render_error(unknown, "zh_Hans") == "按现行规则无法办理"
    assert error_reason(unknown).code == "policy_some_future_rule"


def test_a_hold_without_words_of_its_own_is_still_a_hold_naming_its_record() -> None:
    text = render_error(errors.LegalHold("c", "court_order", "CASE-1"), "zh_Hans")
    assert "CASE-1" in text and "法定保留" in text


def test_the_most_specific_kind_decides() -> None:
    fault = SAMPLES["FaultRecordRequired"]
    assert "故障记录" in render_error(fault, "zh_Hans")  # not worded as any refused step
    assert error_reason(errors.InvalidTransition("ticket", "new", "resolve")).code == "invalid_step"


def test_only_the_librarys_errors_are_rendered() -> None:
    with pytest.raises(ValidationError) as caught:
        render_error(ValueError("x"), "zh_Hans")  # type: ignore[arg-type]
    assert caught.value.field == "error"
    with pytest.raises(ValidationError) as bad_locale:
        render_error(SAMPLES["NotFound"], "../etc")
    assert bad_locale.value.field == "locale"


def _policy_codes() -> set[str]:
    """Every ``code=`` a ``PolicyError`` is raised with in the library's source."""
    import ast
    from pathlib import Path

    import aftersales

    found: set[str] = set()
    for path in Path(aftersales.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PolicyError":
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        found.add(keyword.value.value)
    return found


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_every_policy_refusal_the_library_raises_has_words_of_its_own(locale: str) -> None:
    codes = _policy_codes()
    assert {"ticket_closed", "payment_before_shipping", "no_warranty_terms"} <= codes  # the scan works
    generic = render_error(errors.PolicyError("x", code="some_future_rule"), locale)
    unworded = sorted(c for c in codes if render_error(errors.PolicyError("x", code=c), locale) == generic)
    assert unworded == []
