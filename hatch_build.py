"""Hatchling build hook: compile the gettext catalogs (``.po`` → ``.mo``) into the wheel.

The ``.po`` files are the source in git; the ``.mo`` files are build artifacts (git-ignored).
Editable installs skip the compile: at run time ``aftersales.i18n.catalog`` parses the ``.po`` in
memory when no current ``.mo`` is present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE_DIR = Path("src") / "aftersales" / "i18n" / "locale"
DOMAIN = "aftersales"


def compile_catalogs(locale_dir: Path, domain: str = DOMAIN) -> list[Path]:
    """Compile every ``<locale>/LC_MESSAGES/<domain>.po`` under ``locale_dir``; return the ``.mo`` paths.

    Fuzzy and untranslated entries are left out (as ``msgfmt`` does). A ``.po`` that does not parse
    fails the build with the file named.
    """
    written: list[Path] = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{domain}.po")):
        locale = po.parent.parent.name
        with po.open("rb") as source:
            try:
                catalog = read_po(source, locale=locale, domain=domain, abort_invalid=True)
            except Exception as exc:  # the build must stop, naming the file
                raise RuntimeError(f"{po}: {exc}") from exc
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles the catalogs before a wheel is built and lists the ``.mo`` files as artifacts."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for mo in compile_catalogs(root / LOCALE_DIR):
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
