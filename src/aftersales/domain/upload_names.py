"""The name a new attachment is uploaded under: a file name people will see and download.

Why a rule of its own: the name is shown in lists and handed to a browser's or a file manager's download
(``Content-Disposition``), where a bidi control reorders what follows it — ``"\\u202egpj.exe"`` is shown
as ``exe.jpg`` — so the name would say another file than the one stored (session 34). The pages the
library draws escape such characters (:mod:`aftersales.domain.shown_text`), a host's download dialog does
not. Refused on upload only: names already stored keep reading as they are.
"""

from __future__ import annotations

from aftersales.domain.attachments import check_name
from aftersales.domain.shown_text import BIDI_CONTROLS
from aftersales.errors import ValidationError

__all__ = ["check_upload_name"]


def check_upload_name(value: object) -> str:
    """``value`` if it can name a new attachment (:func:`~aftersales.domain.attachments.check_name`, and
    no bidi embedding, override or isolate control), else ``ValidationError`` naming ``name``."""
    name = check_name(value)
    found = BIDI_CONTROLS.search(name)
    if found is not None:
        raise ValidationError(
            f"an attachment name holds no bidi control (U+{ord(found.group()):04X} reorders what follows "
            "it, so the name would show another file type)",
            field="name",
            rule="control",
        )
    return name
