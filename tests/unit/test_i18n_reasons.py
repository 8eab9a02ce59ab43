"""Reasons in words, with a readable fallback for unknown codes."""

from __future__ import annotations

from aftersales.domain.reasons import Reason
from aftersales.i18n import reason_fallback, render_reason


def test_known_reason_with_labelled_and_numeric_params() -> None:
    assert render_reason(Reason("severity", {"severity": "high"}), "zh_Hans") == "严重程度：严重"
    assert render_reason(Reason("severity", {"severity": "high"}), "zh_TW") == "嚴重程度：嚴重"
    assert render_reason(Reason("severity", {"severity": "high"}), "en") == "severity is high"
    assert render_reason(Reason("units_affected", {"units": 1200}), "en") == "1,200 units are affected"
    assert render_reason(Reason("impact_scope", {"scope": "site"}), "zh_Hans") == "影响范围：整个现场"


def test_unknown_code_falls_back_to_code_and_params() -> None:
    reason = Reason("made_up_rule", {"b": 2, "a": "x", "c": None})
    assert render_reason(reason, "zh_Hans") == "made_up_rule(a=x, b=2, c=None)"
    assert render_reason(Reason("bare_code"), "en") == "bare_code"
    assert reason_fallback(reason) == "made_up_rule(a=x, b=2, c=None)"


def test_entry_needing_a_missing_param_falls_back() -> None:
    assert render_reason(Reason("severity"), "en") == "severity"


def test_unlabelled_code_value_is_shown_verbatim() -> None:
    assert render_reason(Reason("no_dealer", {"region": "华东"}), "zh_Hans") == "华东 地区没有负责的经销商"
