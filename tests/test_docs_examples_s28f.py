"""The examples tests/test_docs.py does not run (it runs the ```python blocks): the shell commands of
docs/getting-started.md, the pack sections shown in docs/concepts, the operator's calendar steps of
docs/concepts/calendars-and-sla.md, and the syntax of the ```py sketches (session 28, f).

Why: a host copies these as they are; nothing checked them, so a renamed option, a key a pack refuses or a
changed loader would have stayed in the docs. Not run here, with why: README's and getting-started's
``make demo``/``make test`` (they build a virtualenv and run the whole suite), operations.md's
``scripts/make_old_store_fixtures.py`` (it needs the full git history and ``pg_dump``), and the ```py
sketches' bodies (Django, SMTP servers, secrets from the environment: their syntax is checked).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.cli import main
from aftersales.policies.registry import Registry
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""A month before the package's official data ends: next year's dues are provisional."""
CONCEPTS = sorted((ROOT / "docs" / "concepts").glob("*.md"))


def _blocks(path: Path, fence: str) -> list[str]:
    """The bodies of ``path``'s blocks fenced ```<fence> (indented ones dedented by their fence's indent)."""
    found = []
    for indent, body in re.findall(
        rf"^( *)```{fence}\n(.*?)^\1```", path.read_text(encoding="utf-8"), re.S | re.M
    ):
        found.append("\n".join(line.removeprefix(indent) for line in body.splitlines()))
    return found


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def test_the_getting_started_shell_commands_run(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ServiceDesk.open("sqlite:///service.db", pack="sanitary_ware").shutdown()
    commands = [
        line.split("#", 1)[0].strip()
        for block in _blocks(ROOT / "docs" / "getting-started.md", "bash")
        for line in block.splitlines()
        if line.startswith("aftersales ")
    ]
    assert len(commands) >= 6
    for command in commands:
        assert main(shlex.split(command)[1:]) == 0, command
    out = capsys.readouterr().out
    assert "材料费：预算 ¥12,000.00" in out  # the budget drafted, approved and listed


def _pack_sections() -> list[tuple[str, str]]:
    return [
        (f"{path.name}[{i}]", body)
        for path in CONCEPTS
        for i, body in enumerate(_blocks(path, "toml"))
        if "known_from" not in body  # a holiday notice, not a pack section (below)
    ]


@pytest.mark.parametrize(("where", "body"), _pack_sections(), ids=[w for w, _ in _pack_sections()])
def test_a_pack_section_shown_in_the_concepts_loads(tmp_path: Path, where: str, body: str) -> None:
    path = tmp_path / "shown.toml"
    path.write_text(f'[pack]\nname = "shown"\nextends = "sanitary_ware"\n\n{body}\n', encoding="utf-8")
    policies = Registry.discover().resolve(str(path))
    assert policies.pack == "shown", where


def test_the_operators_calendar_steps_run(in_tmp: Path) -> None:
    page = ROOT / "docs" / "concepts" / "calendars-and-sla.md"
    (notice,) = [b for b in _blocks(page, "toml") if "known_from" in b]
    (in_tmp / "cn-2027.toml").write_text(notice, encoding="utf-8")
    (step,) = [b for b in _blocks(page, "text") if "TomlHolidays.from_file" in b]
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(START))
    namespace: dict[str, object] = {"desk": desk, "manager": Actor.manager("m1")}
    exec(compile(step, f"{page.name}[operator step 2]", "exec"), namespace)
    assert namespace["report"].official_until.year == 2027  # type: ignore[attr-defined]
    desk.shutdown()


@pytest.mark.parametrize("path", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: p.name)
def test_the_py_sketches_are_python(path: Path) -> None:
    for i, body in enumerate(_blocks(path, "py")):
        compile(body, f"{path.name}[py {i}]", "exec")
