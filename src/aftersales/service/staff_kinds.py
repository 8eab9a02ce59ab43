"""Which of the company's own staff a person is, as the staff registry says (seed 001 六(三) 1, 二(二) 1).

Why: who may appraise a person follows their kind — the team's ``[staff] appraisers`` for engineers and
agents, ``[staff] manager_appraisers`` for a head of the team (售后团队成员的考核由售后经理负责; the 售后经理
reports to the 上级, who appraises them). The kind was the filer's word alone, so a manager filed as an
agent was appraised by the agents' appraisers (another manager), bypassing ``manager_appraisers``.

The registry is what the desk knows of the person besides the filing: the store's engineers (checked by
the staff desk: an engineer's id is filed as an engineer), the host's staff directory (``"manager:m1"``:
a head role makes a manager, ``"agent:a1"`` an agent, ``"engineer:e1"`` an engineer), and for a person
neither lists, their latest appraisal (or incentive/sanction) kept: one person, one kind, until the host's
directory says otherwise (a promotion is the host's word, not the filer's). A filing under another kind is
a ``ValidationError`` naming the field; nothing is written.

Trainings are not read (session 29 f): seed 001 七 trains the team (定期组织…培训, 调整培训内容, 外部培训)
but ties no kind of work, nor who appraises whom, to a training or a certificate.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.domain.actors import HEADS, Role
from aftersales.domain.staff_records import StaffAppraisal, StaffKind, StaffMeasure
from aftersales.errors import ValidationError
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["check_registered_kind", "directory_kind"]

_BY_RANK = ((HEADS, StaffKind.MANAGER), (frozenset({Role.AGENT}), StaffKind.AGENT),
            (frozenset({Role.ENGINEER}), StaffKind.ENGINEER))  # fmt: skip
"""A person listed under several roles is of the highest: a head who also takes calls is a head."""


def directory_kind(people: Iterable[str], staff_id: str) -> StaffKind | None:
    """The kind the host's staff directory gives ``staff_id`` (its entries are ``"role:id"``), or ``None``."""
    roles = set()
    for entry in people:
        role, _, person = entry.partition(":")
        if person == staff_id:
            roles.add(Role(role))
    return next((kind for ranked, kind in _BY_RANK if roles & ranked), None)


def _filed_kind(uow: UnitOfWork, staff_id: str) -> StaffKind | None:
    """The kind of ``staff_id``'s latest appraisal, else of their latest incentive or sanction."""
    appraisals = uow.documents.query(StaffAppraisal, staff_id=staff_id)
    if appraisals:
        return max(appraisals, key=lambda a: a.month).kind
    measures = uow.documents.query(StaffMeasure, staff_id=staff_id)
    if measures:
        return max(measures, key=lambda m: (m.decided_on, m.id)).kind
    return None


def check_registered_kind(
    uow: UnitOfWork, people: Iterable[str], staff_id: str, kind: StaffKind, field: str
) -> None:
    """Refuse filing ``staff_id`` as ``kind`` when the directory, or else their records, says another kind
    (``ValidationError`` naming ``field``)."""
    listed = directory_kind(people, staff_id)
    registered = listed if listed is not None else _filed_kind(uow, staff_id)
    if registered is None or registered is kind:
        return
    where = "the staff directory lists" if listed is not None else "earlier records file"
    raise ValidationError(
        f"{staff_id} is filed as {kind.value} but {where} them as {registered.value}: a person is "
        f"filed under one kind (the kind decides who appraises them)",
        field=field,
    )
