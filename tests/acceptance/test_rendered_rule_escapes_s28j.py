"""An error's rule shown to a person escapes control and format characters (session 28 j).

Session 28 made ``render_error`` name the rule (the English message, ``error.validation_rule`` /
``configuration_rule`` words) beside the field. A rule may quote what a person typed: an appraisal's metric
named with a right-to-left override (``满意度\\u202e%001``) or a pack file's quoted key with one, and the
rendered words carried the override (or an escape sequence) to the page or terminal they are shown on,
where it reorders or drives what follows — before session 28 only the field was shown. Now each control or
format character of the rule, the field and the key is written as its escape (as the CLI's error lines do,
``cli/terminal_text``); ``str(error)`` keeps the message as it was. Memory, SQLite, PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.registry import Registry
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

LOCALES = ("zh_Hans", "zh_Hant", "en")
CONTROLS = ("\u202e", "\x1b", "\u2028", "\x07")


def _shown_plainly(words: str) -> None:
    assert not any(c in words for c in CONTROLS), ascii(words)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_metric_named_with_an_override_is_shown_escaped(backend: str, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 4, 30, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=clock) as desk,
    ):
        with pytest.raises(ValidationError) as refused:
            desk.staff_records.appraise(
                Actor.manager("mgr-1"),
                "a7",
                "2026-03",
                kind="agent",
                score=80,
                metrics={"满意度\u202e%001": "1" + "0" * 30},
            )
        assert refused.value.field == "metrics" and "\u202e" in str(refused.value)
        for locale in LOCALES:
            words = render_error(refused.value, locale)
            _shown_plainly(words)
            assert "满意度\\u202e%001" in words


def test_a_pack_key_with_an_override_is_shown_escaped(tmp_path: Path) -> None:
    pack = tmp_path / "bidi.toml"
    pack.write_text(
        '[pack]\nname = "bidi"\nextends = "sanitary_ware"\n\n[dealer_reports]\n"due\\u202eday" = 4\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(pack))
    assert refused.value.key == "dealer_reports.due\u202eday"
    for locale in LOCALES:
        words = render_error(refused.value, locale)
        _shown_plainly(words)
        assert "due\\u202eday" in words


def test_text_without_controls_is_shown_as_it_is() -> None:
    error = ValidationError("a contact records what was said (seed 001: 沟通内容): give note", field="note")
    assert "（seed" not in render_error(error, "en")
    assert "seed 001: 沟通内容" in render_error(error, "zh_Hans")
    _shown_plainly(render_error(ValidationError("bell \x07 \x1b[2J", field="f\u2028"), "en"))
