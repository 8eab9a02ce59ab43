"""A workbook's sheet names are ones Excel opens (session 30, g).

Why: the sheet names were cut to 28 characters with ``[]:*?/\\`` replaced, and made unique by exact
spelling. Excel also compares names without case ("Faults" and "faults" are one sheet: openpyxl renamed
the second "faults1"), refuses a name starting or ending with an apostrophe and the name "History", and a
control character makes the workbook XML unreadable. A table's title is the host's when it builds its own
document, so each is made a name Excel takes.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from aftersales.reports.xlsx import _sheet_name

FORBIDDEN = set("[]:*?/\\")


def _valid(name: str) -> bool:
    return (
        1 <= len(name) <= 31
        and not FORBIDDEN & set(name)
        and not name.startswith("'")
        and not name.endswith("'")
        and name.casefold() != "history"
        and all(ord(c) >= 0x20 for c in name)
    )


@pytest.mark.parametrize(
    "titles",
    [
        ["Faults", "faults", "FAULTS"],
        ["'quoted'", "'", "''"],
        ["History", "history"],
        ["a\x01b", "\x7f", "tab\there"],
        ["x" * 40, "x" * 40, "x" * 40],
        ["", "Sheet", "sheet"],
        ["故障[分析]:*?/\\" * 3, "故障[分析]:*?/\\" * 3],
    ],
)
def test_every_name_is_one_excel_takes_and_unique_without_case(titles: list[str]) -> None:
    used: set[str] = set()
    names = [_sheet_name(title, used) for title in titles]
    assert all(_valid(name) for name in names), names
    assert len({name.casefold() for name in names}) == len(names), names
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in names:
        book.create_sheet(name)
    assert book.sheetnames == names  # openpyxl renamed none of them
    buffer = io.BytesIO()
    book.save(buffer)
    assert openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).sheetnames == names


def test_a_plain_title_is_kept() -> None:
    used: set[str] = set()
    assert [_sheet_name(t, used) for t in ("报表说明", "售后服务关键指标", "Pareto chart")] == [
        "报表说明",
        "售后服务关键指标",
        "Pareto chart",
    ]
