"""Catalogs: completeness across locales, .po fallback, .mo compile by the hatch hook."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, ImpactScope, Plan, Priority, Severity
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ConfigurationError
from aftersales.i18n import (
    LOCALE_DIR,
    NOTIFICATION_KINDS,
    SUPPORTED_LOCALES,
    catalog_path,
    load_catalog,
    load_catalogs,
)
from aftersales.i18n.format import DURATION_MESSAGES
from aftersales.i18n.values import label_msgid

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hatch_build", ROOT / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _template_ids() -> set[str]:
    with (LOCALE_DIR / "aftersales.pot").open("rb") as fp:
        pot = read_po(fp)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}


def test_every_msgid_is_translated_in_every_locale() -> None:
    wanted = _template_ids()
    assert len(wanted) > 100
    for name in SUPPORTED_LOCALES:
        catalog = load_catalog(name)  # no fallback: each catalog must stand alone
        missing = sorted(wanted - catalog.msgids)
        assert missing == [], f"{name} lacks {missing}"
        assert sorted(catalog.msgids - wanted) == [], f"{name} has entries missing from the .pot"


def test_catalog_covers_notifications_labels_and_durations() -> None:
    ids = _template_ids()
    for kind in NOTIFICATION_KINDS.values():
        assert {kind.subject_msgid, kind.body_msgid} <= ids
    labelled = [*TicketState, *Priority, *Severity, *Plan, *Channel, *Role, *ImpactScope, *Category.builtin()]
    assert {label_msgid(v) for v in labelled} <= ids
    assert set(DURATION_MESSAGES) <= ids


def test_chinese_catalogs_are_in_their_script() -> None:
    hans, hant = load_catalog("zh_Hans"), load_catalog("zh_Hant")
    assert hans.text("state.closed") == "已关闭"
    assert hant.text("state.closed") == "已關閉"
    assert hans.text("notification.ticket_received.subject") != hant.text(
        "notification.ticket_received.subject"
    )


def test_loads_from_po_without_mo(tmp_path: Path) -> None:
    shutil.copytree(LOCALE_DIR, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    catalogs = load_catalogs(tmp_path / "locale")
    assert {c.source for c in catalogs.values()} == {"po"}
    assert catalogs["zh_Hans"].text("priority.critical") == "特急"
    assert catalogs["en"].plural("duration.hour", 1) == "{count} hour"
    assert catalogs["en"].plural("duration.hour", 3) == "{count} hours"
    assert catalogs["zh_Hant"].plural("duration.hour", 3) == "{count} 小時"


def test_hook_compiles_mo_and_loader_prefers_it(tmp_path: Path) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    written = _hook().compile_catalogs(locale_dir)
    assert sorted(p.parent.parent.name for p in written) == sorted(SUPPORTED_LOCALES)
    assert all(p.suffix == ".mo" and p.stat().st_size > 0 for p in written)
    from_mo = load_catalog("zh_Hans", locale_dir)
    from_po = (
        load_catalog("zh_Hans", LOCALE_DIR)
        if not catalog_path("zh_Hans").with_suffix(".mo").exists()
        else None
    )
    assert from_mo.source == "mo"
    assert from_mo.text("state.in_progress") == "处理中"
    if from_po is not None:
        assert from_mo.msgids == from_po.msgids


def test_stale_mo_is_ignored(tmp_path: Path) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    _hook().compile_catalogs(locale_dir)
    po = catalog_path("en", locale_dir)
    po.write_text(po.read_text(encoding="utf-8").replace('"critical"', '"top"', 1), encoding="utf-8")
    mo = catalog_path("en", locale_dir, ".mo")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    catalog = load_catalog("en", locale_dir)
    assert catalog.source == "po"
    assert catalog.text("priority.critical") == "top"


def test_missing_catalog_and_message_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no catalog"):
        load_catalog("en", tmp_path)
    with pytest.raises(ConfigurationError, match="no_such_message"):
        load_catalog("en").text("no_such_message")


def test_missing_entry_falls_back_to_english() -> None:
    catalogs = load_catalogs()
    assert catalogs["zh_Hans"].fallback is catalogs["en"]
    assert catalogs["en"].get("nothing.here") is None
