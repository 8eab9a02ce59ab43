# mypy: disable-error-code="arg-type"
"""A repair point's registration and every change of it are audited like the other reference data (s22).

Repair points (seed 000 4.派工处理: 要求客户将产品送至指定维修地点) are reference data the heads keep, as
products, dealers and engineers are; every change of those leaves a ``MasterDataChange`` (who, when,
before → after), read with ``desk.master_data_history``. A repair point's address, hours or ``active``
flag changed without a trace: the customers told of it read one address, the stored point another, and
nobody could say who changed it or when. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales.domain.repair_points import RepairPoint
from aftersales.errors import PermissionDenied
from conftest import world_desk

PUDONG = RepairPoint("rp-pudong", "浦东维修点", "SH", "上海市浦东新区张江路 1 号", "周一至周六 9:00-18:00")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_every_change_of_a_repair_point_is_in_its_history(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        desk.repair_points.register(world.manager, PUDONG)
        moved = attrs.evolve(PUDONG, address="上海市浦东新区科苑路 8 号")
        desk.repair_points.register(world.department_head, moved, idempotency_key="rp-move")
        desk.repair_points.register(world.department_head, moved, idempotency_key="rp-move")  # a retry
        desk.repair_points.register(world.manager, moved)  # the same again: nothing changes

        history = desk.master_data_history(world.auditor, "repair_point", PUDONG.id)
        assert [(c.command, c.by.id) for c in history] == [
            ("register_repair_point", world.manager.id),
            ("register_repair_point", world.department_head.id),
        ]
        assert history[0].before is None and history[0].after["address"] == PUDONG.address
        assert history[1].changed == ("address",)
        assert history[1].before is not None and history[1].before["address"] == PUDONG.address
        assert history[1].after["address"] == moved.address
        with pytest.raises(PermissionDenied):  # the audit is the heads' and the auditors'
            desk.master_data_history(world.dealer_sh_staff, "repair_point", PUDONG.id)
