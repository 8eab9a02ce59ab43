"""The materials desk: parts requests on tickets, old-part returns, the loan ledgers, chargebacks.

``desk.materials`` (a ``MaterialsDesk(context, runner)``) works over the desk's store, clock and
policies. Requests, returns and ledgers are documents (optimistic concurrency). Every command runs
through the command runner, in one unit of work, and changes nothing when it raises.
Document numbers (pick slips, shipping notes, returns) come from ``ids`` (a callable ``kind → number``),
else the desk's ``IdGenerator``, else :func:`aftersales.service.numbering.next_number` in the same
transaction.
"""

from __future__ import annotations

from aftersales.service.arguments import validated_commands
from aftersales.service.materials_issue import IssueFlow
from aftersales.service.materials_ledger_jobs import LedgerJobs
from aftersales.service.materials_money import MoneyFlow
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.materials_reads import LedgerSummary, MaterialsReads
from aftersales.service.materials_returns import ReturnFlow
from aftersales.service.unused_part_refund import UnusedRefund

__all__ = ["LedgerSummary", "MaterialsDesk", "MaterialsParams", "UnusedRefund"]


@validated_commands
class MaterialsDesk(IssueFlow, MoneyFlow, ReturnFlow, LedgerJobs, MaterialsReads):
    """Materials commands and queries over one context and runner (``desk.materials``).

    ``chargeability`` and ``fees`` default to the desk's policies; quotes price parts at retail,
    chargebacks at cost (seed 002: the maker charges dealers at cost). ``params`` default to the
    desk's settings (``ServiceDesk.open(settings={"materials": MaterialsParams(...)})``).
    """
