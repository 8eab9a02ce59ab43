"""``aftersales diagram``: Mermaid from the workflow definitions themselves."""

from __future__ import annotations

from typing import TextIO

from aftersales.domain.charges import QUOTE_WORKFLOW
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, RETURN_WORKFLOW
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.workflow import Workflow
from aftersales.errors import ValidationError

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
        raise ValidationError(f"unknown workflow {name!r}; known: {', '.join(sorted(WORKFLOWS))}") from None
    out.write(workflow.mermaid() + "\n")
    return 0
