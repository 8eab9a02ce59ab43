"""Loading catalogs and building a renderer refuse what is not a catalog, by name (session 18).

``load_catalog(locale, directory)`` joined the locale into the path as given, so ``"../../etc"`` read a
catalog from outside the folder; a folder given as text failed with a TypeError. ``Renderer(catalogs=…)``
took anything: a catalog that was a string failed at the first message (AttributeError), a list at once
(TypeError).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n import LOCALE_DIR, Renderer, load_catalog, load_catalogs


@pytest.mark.parametrize("locale", ["../../etc", "en/../zh_Hans", "/etc", "", "en\x00", None])
def test_a_locale_that_is_a_path_is_refused(locale: object, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        load_catalog(locale, tmp_path)  # type: ignore[arg-type]
    assert refused.value.field == "locale"


def test_a_locale_cannot_read_a_catalog_from_outside_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "LC_MESSAGES"
    outside.mkdir()
    (outside / "aftersales.po").write_bytes(
        (LOCALE_DIR / "en" / "LC_MESSAGES" / "aftersales.po").read_bytes()
    )
    inside = tmp_path / "locale"
    inside.mkdir()
    with pytest.raises(ValidationError):
        load_catalog("..", inside)


def test_a_folder_given_as_text_is_a_path() -> None:
    assert load_catalog("zh_Hant", str(LOCALE_DIR)).text("state.closed") == "已關閉"
    assert load_catalogs(str(LOCALE_DIR))["en"].text("priority.critical")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="no catalog"):
        load_catalog("en", "/nonexistent/aftersales-locale")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as refused:
        load_catalog("en", 5)  # type: ignore[arg-type]
    assert refused.value.key == "directory"


@pytest.mark.parametrize("catalogs", [{"en": "words"}, [("en", "words")], {1: None}, "en"])
def test_a_renderer_refuses_what_is_not_catalogs(catalogs: object) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Renderer(catalogs=catalogs)  # type: ignore[arg-type]
    assert refused.value.key == "catalogs"


def test_a_renderer_over_loaded_catalogs_still_renders() -> None:
    renderer = Renderer(catalogs=load_catalogs())
    renderer.check()
    rendered = renderer.render(
        "ticket_assigned", "zh_TW", "Asia/Taipei", {"ticket_id": "T-1", "assignee_name": "趙工"}
    )
    assert rendered.subject.startswith("您的工單 T-1") or "T-1" in rendered.subject
