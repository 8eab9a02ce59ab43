"""``aftersales diagram``: Mermaid from the workflow definitions themselves."""

from __future__ import annotations

from typing import TextIO

from aftersales.domain.charges import QUOTE_WORKFLOW
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, RETURN_WORKFLOW
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.workflow import Workflow
from aftersales.errors import ValidationError, shown_repr

__all__ = ["WORKFLOWS", "print_diagram"]

WORKFLOWS: dict[str, Workflow] = {
    "ticket": TICKET_WORKFLOW,
    "complaint": COMPLAINT_WORKFLOW,
    "materials": MATERIALS_WORKFLOW,
    "part_return": RETURN_WORKFLOW,
    "quote": QUOTE_WORKFLOW,
}


def print_diagram(name: str, out: TextIO) -> int:
    """Print the Mermaid diagram of workflow ``name``."""
    try:
        workflow = WORKFLOWS[name]
    except KeyError:
        # Worded as the shared checks word a code not among the allowed (render_error knows the shape).
        known = ", ".join(repr(k) for k in sorted(WORKFLOWS))
        raise ValidationError(
            f"workflow must be one of {known}; got {shown_repr(name, 40)}",
            field="workflow",
            rule="one_of",
            rule_params={"allowed": ", ".join(sorted(WORKFLOWS))},
        ) from None
    out.write(workflow.mermaid() + "\n")
    return 0
