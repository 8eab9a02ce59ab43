"""Every ```python block of README.md and docs/**/*.md runs (a file's blocks share one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("path", [f for f in FILES if BLOCK.search(f.read_text(encoding="utf-8"))],
                         ids=lambda p: str(p.relative_to(ROOT)))  # fmt: skip
def test_examples_run(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for i, match in enumerate(BLOCK.finditer(path.read_text(encoding="utf-8"))):
        code = compile(match.group(1), f"{path.relative_to(ROOT)}[block {i}]", "exec")
        exec(code, namespace)


def test_the_workflow_diagrams_in_the_docs_are_the_ones_the_definitions_generate() -> None:
    """docs/concepts/workflow.md says its diagrams are generated (``aftersales diagram <name>``); they had
    drifted from the workflows (steps added since were missing). Each block must be today's output."""
    import io

    from aftersales.cli.diagram import print_diagram

    text = (Path(__file__).parent.parent / "docs" / "concepts" / "workflow.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    assert len(blocks) == 3
    for block, name in zip(blocks, ("ticket", "complaint", "materials"), strict=True):
        out = io.StringIO()
        print_diagram(name, out)
        assert block.strip() == out.getvalue().strip(), f"regenerate it: aftersales diagram {name}"
