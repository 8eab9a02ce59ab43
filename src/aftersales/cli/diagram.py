"""``aftersales diagram``: Mermaid from the workflow definitions themselves."""

from __future__ import annotations

from typing import TextIO

from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.workflow import Workflow
from aftersales.errors import ValidationError

__all__ = ["WORKFLOWS", "print_diagram"]

WORKFLOWS: dict[str, Workflow] = {"ticket": TICKET_WORKFLOW}


def print_diagram(name: str, out: TextIO) -> int:
    """Print the Mermaid diagram of workflow ``name``."""
    try:
        workflow = WORKFLOWS[name]
    except KeyError:
        raise ValidationError(f"unknown workflow {name!r}; known: {', '.join(sorted(WORKFLOWS))}") from None
    out.write(workflow.mermaid() + "\n")
    return 0
