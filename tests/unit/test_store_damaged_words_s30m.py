"""A damaged desk file is worded as damaged, not as "storage temporarily unavailable, retry" (session 30).

Why: opening (or reporting on) a SQLite file that is not a database, or a desk file whose pages are
damaged, raised a plain ``StorageError``, which ``render_error`` and the CLI word as "数据存储暂不可用，
请稍后重试" — but a retry never helps a damaged file. It is now a ``StoreDamaged`` (a ``StorageError``,
so handlers keep catching it), worded ``error.store_damaged`` in zh_Hans, zh_Hant and en: the file is
damaged or not a desk's database, restore a backup or use the right file. SQLite only: a PostgreSQL
store has no file to damage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from aftersales import StorageError, StoreDamaged, render_error
from aftersales.service.desk import ServiceDesk

from .cli_runs import MONTH, run_cli

WORDS = {
    "zh_Hans": "数据文件已损坏或不是售后服务数据库",
    "zh_Hant": "資料檔案已損壞或不是售後服務資料庫",
    "en": "The data file is damaged or is not an after-sales database",
}


def _noise(tmp_path: Path) -> Path:
    path = tmp_path / "noise.db"
    path.write_bytes(bytes(range(256)) * 20)
    return path


def _sqlite_header_then_noise(tmp_path: Path) -> Path:
    path = tmp_path / "torn.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x5a" * 5000)
    return path


def _damaged_desk(tmp_path: Path) -> Path:
    """A desk file whose header survives and whose other pages are overwritten."""
    path = tmp_path / "damaged.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\x5a" * (len(data) - 4096)
    path.write_bytes(bytes(data))
    return path


def _other_app(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    return path


FILES: list[Callable[[Path], Path]] = [_noise, _sqlite_header_then_noise, _damaged_desk, _other_app]


@pytest.mark.parametrize("make", FILES)
def test_opening_a_damaged_file_is_store_damaged_worded_as_such(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = make(tmp_path)
    before = path.read_bytes()
    with pytest.raises(StoreDamaged) as refused:
        ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    assert isinstance(refused.value, StorageError)  # handlers of StorageError keep catching it
    for locale, words in WORDS.items():
        said = render_error(refused.value, locale)
        assert said.startswith(words), (locale, said)
        assert "稍后重试" not in said and "稍後重試" not in said and "try again later" not in said
    assert path.read_bytes() == before  # nothing written


def test_a_store_error_that_is_not_damage_keeps_its_words() -> None:
    assert render_error(StorageError("connection lost"), "zh_Hans") == "数据存储暂不可用，请稍后重试"


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_the_cli_reports_a_damaged_desk_file_as_damaged(locale: str, tmp_path: Path) -> None:
    db = _damaged_desk(tmp_path)
    code, out, err = run_cli(["kpi", "--db", str(db), *MONTH, "--locale", locale])
    assert code != 0 and out == ""
    assert WORDS[locale] in err and "暂不可用" not in err and "暫不可用" not in err
