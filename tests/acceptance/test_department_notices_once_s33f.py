"""A department assigned to a ticket or complaint again is not told again (session 33, f).

Before: ``assign_departments`` notified every department it named, so a coordinator adding one department
and naming the others again (or pressing twice) told the departments already working on it a second time.
Seed 001 三(四)2 (售后经理应组织相关部门进行协调处理) and seed 004 (工程部和监理部门是危机事件处理的协助
部门) bring a department in once; the assignment is recorded each time, with its note. Memory, SQLite,
PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_coordination import MANAGER, _complaint, _desk, _sent, _service_ticket

from conftest import store_url

BACKENDS = ["memory", "sqlite", "postgres"]
ENG, QS = "eng@example.cn", "qs@example.cn"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_s_department_is_told_once_when_first_brought_in(backend: str, tmp_path: Path) -> None:
    with store_url(backend, tmp_path) as url, _desk(url) as desk:
        tid = _service_ticket(desk)
        desk.coordination.assign_departments(MANAGER, tid, ["eng"], note="网络部分")
        assert (_sent(desk, ENG), _sent(desk, QS)) == (1, 0)
        again = desk.coordination.assign_departments(MANAGER, tid, ["eng", "qs"], note="加上监理")
        assert again.events[-1].action == "assign_departments"  # recorded, with its note
        assert again.events[-1].reason == "加上监理"
        assert (_sent(desk, ENG), _sent(desk, QS)) == (1, 1)
        desk.coordination.assign_departments(MANAGER, tid, ["qs"])
        assert (_sent(desk, ENG), _sent(desk, QS)) == (1, 1)
        assert desk.coordination.assigned(MANAGER, tid) == ("eng", "qs")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_s_department_is_told_once_too(backend: str, tmp_path: Path) -> None:
    with store_url(backend, tmp_path) as url, _desk(url) as desk:
        cid = _complaint(desk)
        desk.complaints.assign_departments(MANAGER, cid, ["eng"], note="协助调查")
        desk.complaints.assign_departments(MANAGER, cid, ["eng", "qs"], note="协助调查")
        assert (_sent(desk, ENG), _sent(desk, QS)) == (1, 1)
