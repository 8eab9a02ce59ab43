"""The attachments policy kind: what a pack accepts as attachments, and when a written report is required.

Seed 002 (卫浴, 售后服务质量反馈系统): "开箱期的产品…在发现问题时,需立即提供书面报告,
必要时还需要提供现场实物图片" — an out-of-box fault needs a written report before the job is done.
``report_for_out_of_box`` turns the rule on (the sanitary-ware pack does); a design hazard (设计隐患) found
in or out of warranty is handled as out of box ("按第一阶段的方式处理") and needs the same report.
``report_blocks`` names the workflow steps (dispatching is ``assign``) refused with
:class:`~aftersales.errors.AttachmentRequired` until a written report
is attached. The default holds the dispatch too (a host's stricter choice); the sanitary-ware pack holds
only ``resolve`` and ``close``: the report is made on site, with the site's photos, and the dealer's 24
hours (分工 6) do not wait for it.
``report_before_extension`` asks the same before a special-case SLA extension, a host's choice (seed
002's 特殊情况不得超过48小时 names a cap and asks no report: its pack leaves it off); the SLA desk calls
:func:`written_report_missing` for it.

Limits: ``max_size_mb`` per file, ``media_types`` the sniffed types accepted (executables never are).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.attachments import Attachment, AttachmentKind
from aftersales.domain.bounds import check_bounded
from aftersales.domain.media_types import EXECUTABLE_TYPES, SNIFFED_TYPES
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import AttachmentRequired, ValidationError
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params
from aftersales.policies.params import listed, true_or_false

__all__ = ["KIND", "AttachmentParams", "AttachmentRules", "written_report_missing"]

_DEFAULT_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "image/tiff",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "video/mp4",
    "video/quicktime",
)


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_bounded(value, attribute.name, 10_000)  # megabytes


def _types(instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    bad = sorted(set(value) & EXECUTABLE_TYPES)
    if bad:
        raise ValidationError(f"executable types cannot be allowed: {', '.join(bad)}", field=attribute.name)
    if not value:
        raise ValidationError("allow at least one media type", field=attribute.name)
    unknown = sorted(set(value) - SNIFFED_TYPES)
    if unknown:  # an upload is never found to be of such a type: allowing it allows nothing
        raise ValidationError(
            f"{attribute.name}: {', '.join(unknown)} is not a type uploads are recognised as; known: "
            f"{', '.join(sorted(SNIFFED_TYPES - EXECUTABLE_TYPES))}",
            field=attribute.name,
        )


def _steps(instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    known = TICKET_WORKFLOW.triggers
    for step in value:
        if step not in known:
            raise ValidationError(
                f"{attribute.name}: {step!r} is not a ticket step; known: {', '.join(sorted(known))}",
                field=attribute.name,
            )


@refused_typed
@attrs.frozen
class AttachmentParams:
    """The ``[attachments]`` section of a pack."""

    max_size_mb: int = attrs.field(default=25, validator=_positive)
    media_types: tuple[str, ...] = attrs.field(default=_DEFAULT_TYPES, validator=_types)
    report_for_out_of_box: bool = attrs.field(default=False, validator=true_or_false)
    report_before_extension: bool = attrs.field(default=False, validator=true_or_false)
    report_blocks: tuple[str, ...] = attrs.field(
        default=("assign", "start_work", "resolve", "close"), converter=listed, validator=_steps
    )


def written_report_missing(attachments: Iterable[Attachment]) -> bool:
    """True when none of ``attachments`` is a written report (书面报告) the service side attached.

    Seed 002 asks the report of the sales and service units, as their feedback to the maker
    (对各级销售单位提出以下要求 … 开箱期的产品,在发现问题时,需立即提供书面报告; 售后服务质量反馈系统:
    产品的信息反馈), so one a customer attached is not it (the desk refuses such uploads; this also
    holds for a stored or imported one)."""
    return not any(
        a.kind is AttachmentKind.WRITTEN_REPORT and a.added_by.role is not Role.CUSTOMER for a in attachments
    )


class AttachmentRules:
    """The default attachments policy: limits and the written-report rule of the pack."""

    name = "builtin.attachments"

    def __init__(self, params: AttachmentParams | None = None) -> None:
        self.params = own_params(params, AttachmentParams, "attachments")

    @property
    def max_size(self) -> int:
        """The largest file accepted, in bytes."""
        return self.params.max_size_mb * 1024 * 1024

    def check_type(self, media_type: str, name: str) -> None:
        """Refuse a sniffed type the pack does not accept (``ValidationError`` naming ``media_type``)."""
        if media_type in EXECUTABLE_TYPES or media_type not in self.params.media_types:
            raise ValidationError(
                f"{name!r} is {media_type}, which this desk does not accept as an attachment",
                field="media_type",
            )

    def check_step(
        self,
        command: str,
        out_of_box: bool,
        attachments: Iterable[Attachment],
        *,
        design_hazard: str | None = None,
    ) -> None:
        """Refuse ``command`` on an out-of-box ticket without a written report (when the pack says so).

        ``design_hazard`` is the design-hazard cause (设计隐患) recorded on the ticket, if any: seed 002
        handles one "按第一阶段的方式处理", so it needs the same written report in any phase.
        """
        if not (
            self.params.report_for_out_of_box
            and (out_of_box or design_hazard is not None)
            and command in self.params.report_blocks
            and written_report_missing(attachments)
        ):
            return
        what = "an out-of-box fault" if out_of_box else f"a design hazard ({design_hazard}, 设计隐患)"
        raise AttachmentRequired(
            f"{what} needs a written report (书面报告) attached before {command}",
            kind=AttachmentKind.WRITTEN_REPORT.value,
            step=command,
        )

    def check_extension(self, attachments: Iterable[Attachment]) -> None:
        """Refuse a special-case SLA extension without a written report (when the pack says so)."""
        if self.params.report_before_extension and written_report_missing(attachments):
            raise AttachmentRequired(
                "a special-case extension needs a written report (书面报告) attached first",
                kind=AttachmentKind.WRITTEN_REPORT.value,
                step="extend_sla",
            )


KIND = PolicyKind("attachments", AttachmentParams, AttachmentRules)
