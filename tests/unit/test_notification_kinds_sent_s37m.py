"""Every notification kind the library declares is one something sends (session 37 m).

``complaint_update`` was declared and worded in three catalogs, but no command sent it: the complaint's
customer hears of its progress through ``complaint_progress_note``, ``complaint_outcome`` and the other
complaint twins (:mod:`aftersales.service.record_words`). A kind nobody sends is words to maintain that
no reader ever gets, and a host reading the catalog would expect a message that never comes.

The library's code is read as text (nothing is run): a kind is sent if its name is quoted outside the
declarations, or is ``complaint_<kind>`` of such a kind (the SLA notices name a complaint's twin by
that prefix).
"""

from __future__ import annotations

from pathlib import Path

from aftersales.i18n.notifications import NOTIFICATION_KINDS

SRC = Path(__file__).resolve().parents[2] / "src" / "aftersales"
DECLARED = SRC / "i18n" / "notifications.py"


def test_every_declared_notification_kind_is_sent_by_something() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p != DECLARED)
    named = {kind for kind in NOTIFICATION_KINDS if f'"{kind}"' in code or f"'{kind}'" in code}
    twins = {f"complaint_{kind}" for kind in named}
    assert sorted(set(NOTIFICATION_KINDS) - named - twins) == []
