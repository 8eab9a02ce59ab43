"""The domain stays pure: no clock reads, no I/O, no logging (import-linter checks the imports too)."""

from __future__ import annotations

import re
from pathlib import Path

import aftersales

SRC = Path(aftersales.__file__).parent
CLOCK_READS = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic|time\.perf_counter)\("
)
IMPURE_IMPORTS = re.compile(
    r"^\s*(import|from)\s+(os|sqlite3|psycopg|logging|requests|socket|random)\b", re.M
)


def test_domain_and_policies_read_no_clock_and_do_no_io() -> None:
    offenders = []
    for package in ("domain", "policies"):
        for path in sorted((SRC / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {m.group(0)}" for m in CLOCK_READS.finditer(text)]
            offenders += [f"{path.name}: {m.group(0).strip()}" for m in IMPURE_IMPORTS.finditer(text)]
    assert offenders == []


def test_public_api_is_exported_and_typed() -> None:
    assert (SRC / "py.typed").exists()
    missing = [name for name in aftersales.__all__ if not hasattr(aftersales, name)]
    assert missing == []
    exported = [getattr(aftersales, name) for name in aftersales.__all__]
    undocumented = [obj for obj in exported if isinstance(obj, type) and not (obj.__doc__ or "").strip()]
    assert undocumented == []
