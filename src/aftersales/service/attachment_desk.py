"""Ticket attachments (现场实物图片, 服务单, 书面报告, 发票): upload, scoped reads, removal, the report rule.

An upload streams into the :class:`~aftersales.ports.attachments.AttachmentStore` (hashing as it
goes, refused past the pack's size limit), its media type is sniffed from the bytes (a renamed
``.exe`` is refused), then an ``attach`` event links it to the ticket in one command. Reads are
scoped like the ticket. Removing one records a ``detach`` event; the bytes go when no live
attachment refers to them any more (:class:`AttachmentLink` documents count the references).
The pack's written-report rule (seed 002) is checked on the command path by :meth:`AttachmentDesk.check_step`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO, ClassVar

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.attachments import Attachment, AttachmentKind, check_sha256
from aftersales.domain.classification import Category
from aftersales.domain.events import TicketEvent
from aftersales.domain.media_types import sniff
from aftersales.domain.ticket import Ticket
from aftersales.domain.upload_extensions import check_upload_extension
from aftersales.domain.upload_names import check_upload_name
from aftersales.errors import ConfigurationError, NotFound, PermissionDenied, PluginError, ValidationError
from aftersales.policies.attachments import AttachmentRules
from aftersales.policies.chargeability import design_hazard_causes
from aftersales.policies.warranty import WarrantyPhase
from aftersales.ports.attachments import AttachmentStore, StoredBlob, iter_chunks, read_head
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated, validated_commands
from aftersales.service.blob_guard import delete_unused, hold_bytes
from aftersales.service.context import DeskContext
from aftersales.service.permissions import authorize
from aftersales.service.phase_feedback import phase_at_call
from aftersales.service.runner import Applied, CommandRunner, check_actor, idempotency_scope
from aftersales.service.views import CommandResult

__all__ = ["AttachmentDesk", "AttachmentLink"]


@attrs.define
class AttachmentLink:
    """One attachment of one ticket, by content hash: the reference count of the stored bytes."""

    DOCUMENT_KIND: ClassVar[str] = "attachment_link"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("sha256", "ticket_id", "live")

    id: str
    ticket_id: str
    sha256: str
    live: bool = True
    version: int = 0


_FAULT_CATEGORIES = frozenset({Category.REPAIR.code, Category.INSTALLATION.code})
"""Tickets about a problem with the unit (a fault, or one found while installing it): the ones whose
special-case SLA extension waits for a written report (``report_before_extension``)."""


@validated_commands
class AttachmentDesk:
    """Attachments of a desk's tickets. ``store`` is ``None`` when the desk has none configured."""

    def __init__(self, context: DeskContext, runner: CommandRunner, store: AttachmentStore | None) -> None:
        if store is not None and not isinstance(store, AttachmentStore):
            raise ConfigurationError("attachments must be an AttachmentStore", key="attachments")
        self.context = context
        self.runner = runner
        self._store = store
        rules = context.policies.extra.get("attachments")
        if rules is not None and not isinstance(rules, AttachmentRules):
            # An override the desk cannot use (a table of params, another object) is refused: it used
            # to be replaced by the defaults without a word, so its size and type limits were ignored.
            raise ConfigurationError(
                f"the attachments policy is an AttachmentRules (AttachmentRules(AttachmentParams(...)) "
                f"or the name of a registered implementation), got {type(rules).__name__}",
                key="attachments",
            )
        self.rules = rules if rules is not None else AttachmentRules()

    @property
    def store(self) -> AttachmentStore:
        """The attachment store; ``ConfigurationError`` when the desk has none."""
        if self._store is None:
            raise ConfigurationError(
                "this desk has no attachment store: pass attachments= to ServiceDesk.open "
                "(memory, SQLite and PostgreSQL stores have a default)",
                key="attachments",
            )
        return self._store

    # -- commands ----------------------------------------------------------------------------------

    def attach(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        kind: AttachmentKind | str,
        name: str,
        content: bytes | BinaryIO | Iterable[bytes],
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Store ``content`` (streamed) and attach it to the ticket as ``kind`` under ``name``.

        Refused before anything is stored when the actor may not attach to the ticket, the key is
        malformed, the bytes' sniffed type is one the pack does not accept or the name's extension says
        another type (:mod:`aftersales.domain.upload_extensions`); refused while streaming
        when it is too large (the store keeps nothing of it).
        """
        try:
            kind = AttachmentKind(kind)
        except ValueError:
            raise ValidationError(f"unknown attachment kind {kind!r}", field="kind") from None
        check_upload_name(name)
        self._precheck(actor, ticket_id)
        idempotency_scope(actor, "attach", idempotency_key)
        # Refused types are refused before a byte is stored: storing and dropping them left the
        # bytes' bookkeeping behind a command that changed nothing.
        head, chunks = read_head(iter_chunks(content))
        media_type = sniff(head)
        self.rules.check_type(media_type, name)
        check_upload_extension(name, media_type)  # a JPEG named .exe would be offered as a program
        store = self.store
        blob = _stored(store.put(chunks, max_size=self.rules.max_size))
        try:

            def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
                if kind is AttachmentKind.WRITTEN_REPORT and actor.ref.role is Role.CUSTOMER:
                    # The written report is the service side's feedback to the maker (seed 002:
                    # 对各级销售单位提出以下要求 … 需立即提供书面报告): a customer's upload would let the
                    # customer unblock the steps the report rule holds. Photos, slips, invoices are theirs.
                    raise PermissionDenied(
                        str(actor), "attach", ticket.id, rule="attach_kind", facts={"kind": kind.value}
                    )
                attachment = Attachment(
                    f"att-{len(ticket.events)}",
                    kind,
                    name,
                    media_type,
                    blob.size,
                    blob.sha256,
                    now,
                    actor.ref,
                )
                hold_bytes(uow, store, blob.sha256, now)
                ticket.attach(actor.ref, now, attachment)
                uow.documents.add(AttachmentLink(f"{ticket.id}/{attachment.id}", ticket.id, blob.sha256))
                return Applied()

            request = {"kind": kind.value, "name": name, "sha256": blob.sha256}
            return self.runner.execute(actor, "attach", ticket_id, apply, idempotency_key, request=request)
        except BaseException:
            self._drop_if_unused(blob.sha256)
            raise

    def remove(
        self,
        actor: Actor,
        ticket_id: str,
        attachment_id: str,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Detach one attachment (a ``detach`` event records it); its bytes go if nothing else uses them.

        A customer detaches only what a customer attached (``PermissionDenied`` for the staff's)."""
        return self._remove(actor, ticket_id, (attachment_id,), reason, idempotency_key)

    delete = remove
    """The same command as :meth:`remove` (the word hosts reach for first)."""

    def remove_all(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Detach every attachment of the ticket and delete their bytes (erasing personal data)."""

        return self._remove(actor, ticket_id, None, reason, idempotency_key)

    def _remove(
        self,
        actor: Actor,
        ticket_id: str,
        ids: tuple[str, ...] | None,
        reason: str | None,
        key: str | None,
    ) -> CommandResult:
        freed: list[str] = []

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            by = actor.ref  # in the role whose scope covers the ticket (the runner's authorize chose it)
            if by.role is Role.CUSTOMER:
                # The customer takes back what they gave, not the service's record of the job: the
                # engineer's photos and written report stay on file (seed 002: 维修记录…经客户确认后
                # 汇总至甲方处备案), whatever else the table lets a customer do on their ticket.
                for attachment in ticket.attachments:
                    theirs = attachment.added_by.role is Role.CUSTOMER
                    if (ids is None or attachment.id in ids) and not theirs:
                        raise PermissionDenied(str(actor), "detach", attachment.id)
            freed.extend(self.detach_all(uow, ticket, by, now, reason, ids))

        request = {"attachments": list(ids) if ids is not None else None, "reason": reason}
        result = self.runner.execute(actor, "detach", ticket_id, apply, key, request=request)
        self.delete_bytes(freed)
        return result

    def detach_all(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        by: ActorRef,
        now: datetime,
        reason: str | None,
        ids: tuple[str, ...] | None = None,
    ) -> list[str]:
        """Inside a command's transaction: detach ``ids`` (default: every attachment) of ``ticket`` with
        ``detach`` events, retire their links, and return the hashes no live link uses any more.

        The caller deletes those bytes (:meth:`delete_bytes`) once the transaction has committed, so a
        command that fails leaves every attachment readable. Erasing a customer uses it for each of
        their tickets.
        """
        freed: list[str] = []
        wanted = ids if ids is not None else tuple(a.id for a in ticket.attachments)
        for attachment_id in wanted:
            found = next((a for a in ticket.attachments if a.id == attachment_id), None)
            ticket.detach(by, now, attachment_id, reason)
            assert found is not None  # detach refused an unknown id
            link = uow.documents.get(AttachmentLink, f"{ticket.id}/{attachment_id}")
            link.live = False
            uow.documents.save(link)
            if not _linked(uow, found.sha256):
                freed.append(found.sha256)
        return freed

    @validated
    def delete_bytes(self, hashes: Iterable[str]) -> int:
        """Delete stored bytes no live link uses (after the detaching transaction committed)."""
        wanted = sorted({check_sha256(h, "hashes") for h in hashes})
        if not wanted:
            return 0
        store = self.store
        return sum(delete_unused(self.runner, store, h, _linked) for h in wanted)

    # -- reads ------------------------------------------------------------------------------------------

    def list(self, actor: Actor, ticket_id: str) -> tuple[Attachment, ...]:
        """The ticket's attachments, if ``actor`` may see the ticket."""
        with self.context.store() as uow:
            return self.runner.visible(uow, actor, ticket_id).attachments

    def open(self, actor: Actor, ticket_id: str, attachment_id: str) -> tuple[Attachment, BinaryIO]:
        """An attachment and its bytes as a binary file (close it), if ``actor`` may see the ticket."""
        for attachment in self.list(actor, ticket_id):
            if attachment.id == attachment_id:
                return attachment, self.store.open(attachment.sha256)
        raise NotFound("attachment", attachment_id)

    # -- the rule on the command path ---------------------------------------------------------------

    def report_rule(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> None:
        """A runner hook: refuse a step the pack blocks on an out-of-box ticket without its written report,
        and a special-case SLA extension without one (``report_before_extension``).

        A design hazard recorded in any phase counts as out of box (seed 002: 设计隐患问题,按第一阶段的方式
        处理). Both rules are about faults (seed 002: 发现问题时, 特殊情况): planned work such as a postponed
        maintenance visit moves its own SLA without a written report. The report rule holds every ticket
        on which a problem was found (:meth:`_problem_found`): a maintenance visit or an exchange that
        records a fault (a design hazard, a unit cracked at unboxing) needs the report like a repair."""
        params = self.rules.params
        if (
            params.report_before_extension
            and ticket.category.code in _FAULT_CATEGORIES
            and any(event.action == "extend_sla" for event in events)
        ):
            self.check_extension(ticket)
        if not params.report_for_out_of_box or not self._problem_found(ticket):
            return
        for event in events:
            if event.action in params.report_blocks:
                self.rules.check_step(
                    event.action,
                    self._out_of_box(uow, ticket),
                    ticket.attachments,
                    design_hazard=self._design_hazard(ticket),
                )
                return

    def check_extension(self, ticket: Ticket) -> None:
        """Refuse a special-case extension of ``ticket`` without a written report (pack rule); the
        runner hook above calls it for every ``extend_sla``, inside the command's transaction."""
        self.rules.check_extension(ticket.attachments)

    @staticmethod
    def _problem_found(ticket: Ticket) -> bool:
        """Whether the ticket reports a problem (seed 002: 在发现问题时): a repair call does; any other
        ticket — an installation job at delivery (安装调试), a maintenance visit, an exchange — only once a
        fault record says what was found."""
        return ticket.category.code == Category.REPAIR.code or bool(ticket.fault_records)

    def _design_hazard(self, ticket: Ticket) -> str | None:
        """The first design-hazard cause among the ticket's fault records (seed 002: 设计隐患问题,
        按第一阶段的方式处理), by the chargeability policy's codes; ``None`` when there is none."""
        hazards = design_hazard_causes(self.context.policies.chargeability)
        found = sorted(r.cause for r in ticket.fault_records if r.cause in hazards)
        return found[0] if found else None

    def _out_of_box(self, uow: UnitOfWork, ticket: Ticket) -> bool:
        return phase_at_call(self.context, uow, ticket) is WarrantyPhase.OUT_OF_BOX

    # -- helpers ---------------------------------------------------------------------------------------

    def _precheck(self, actor: Actor, ticket_id: str) -> None:
        check_actor(actor)
        with self.context.store() as uow:
            ticket = self.runner.load(uow, ticket_id)
            authorize(actor, "attach", ticket, self.runner.team_of_assignee(uow, ticket))

    def _drop_if_unused(self, sha256: str) -> None:
        delete_unused(self.runner, self.store, sha256, _linked)


def _linked(uow: UnitOfWork, sha256: str) -> bool:
    """Whether a live attachment links the bytes ``sha256``."""
    return bool(uow.documents.query(AttachmentLink, sha256=sha256, live=True))


def _stored(blob: object) -> StoredBlob:
    """The host's attachment store's answer to ``put``, checked: a ``StoredBlob`` with a hex SHA-256 and
    a size. Anything else is a ``PluginError`` (was an ``AttributeError`` on its ``head``, or a link to
    bytes nobody can find)."""
    if not isinstance(blob, StoredBlob):
        raise PluginError("attachments", "put", f"answered {type(blob).__name__}, not StoredBlob")
    try:
        check_sha256(blob.sha256)
    except ValidationError:
        raise PluginError(
            "attachments", "put", "answered a sha256 that is not 64 lower-case hex digits"
        ) from None
    if not isinstance(blob.size, int) or isinstance(blob.size, bool) or blob.size < 0:
        raise PluginError("attachments", "put", "answered a size that is no count of bytes")
    if not isinstance(blob.head, bytes):
        raise PluginError("attachments", "put", "answered a head that is not bytes")
    return blob
