"""Session 26 (j): a bad linked callback setting is refused naming the key the pack file wrote.

``[callback] service_from`` / ``[sla] callback_from`` (seed 003 二 5: 工程师将处理结果录入系统,
客服专员在24小时内对客户进行回访) are one setting written in either section: a value named in one
follows to the other. A bad
value written as ``[sla] callback_from`` followed first and was refused as ``callback.service_from`` — a key
the author never typed (likewise ``sla.callback_hours`` and ``sla.complaint_callback_days``). The
``ConfigurationError`` now names the key written, in a direct pack file or an ``extends`` child.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError
from aftersales.service.desk import ServiceDesk


def _pack(tmp_path: Path, text: str, parent: str = "office_equipment") -> str:
    path = tmp_path / "host.toml"
    path.write_text(f'[pack]\nname = "a_company"\nextends = "{parent}"\n\n{text}', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("parent", ["office_equipment", "sanitary_ware"])
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[sla]\ncallback_from = "work_done "\n', "sla.callback_from"),
        ('[sla]\ncallback_from = "WORK_DONE"\n', "sla.callback_from"),
        ('[sla]\ncallback_from = ""\n', "sla.callback_from"),
        ("[sla]\ncallback_hours = 0\n", "sla.callback_hours"),
        ("[sla]\ncomplaint_callback_days = 0\n", "sla.complaint_callback_days"),
        ('[callback]\nservice_from = "signature"\n', "callback.service_from"),
        ("[callback]\nservice_within_hours = 0\n", "callback.service_within_hours"),
        (
            '[callback]\nservice_from = "acceptance"\n[sla]\ncallback_from = "work_done"\n',
            "callback.service_from",
        ),
    ],
)
def test_a_bad_callback_setting_is_refused_naming_the_key_the_file_wrote(
    tmp_path: Path, parent: str, text: str, key: str
) -> None:
    path = _pack(tmp_path, text, parent)
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=path).shutdown()
    assert refused.value.key == key
    assert refused.value.file == path
    assert f"{path}:{key}: " in str(refused.value)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('[sla]\ncallback_from = "acceptance"\n', "acceptance"),
        ('[callback]\nservice_from = "acceptance"\n', "acceptance"),
        ('[sla]\ncallback_from = "work_done"\n[callback]\nservice_from = "work_done"\n', "work_done"),
    ],
)
def test_a_good_callback_start_written_in_either_section_holds_for_both(
    tmp_path: Path, text: str, start: str
) -> None:
    with ServiceDesk.open("memory://", pack=_pack(tmp_path, text)) as desk:
        assert desk.policies.callback.params.service_from == start  # type: ignore[attr-defined]
        assert desk.policies.sla.params.callback_from == start  # type: ignore[attr-defined]
