"""Session 31 (f): the reporting schema exports what other modules and tests import, and the integration
tests import under plain ``pytest`` as under ``python -m pytest``.

``HELD_DEALER_REPORT_STEP`` and ``HELD_DEALER_FIRST_STEP`` were left out of
``reporting_sqlite_schema.__all__`` although a test imports the first; and the integration tests that
import ``tests.acceptance.conftest`` failed to collect under plain ``pytest`` (the checkout's root is on
``sys.path`` only under ``python -m``): ``pythonpath = ["."]`` in the pytest settings.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from aftersales.adapters import reporting_sqlite_schema

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_of_the_reporting_schema_is_exported() -> None:
    tree = ast.parse(Path(reporting_sqlite_schema.__file__).read_text(encoding="utf-8"))
    assigned = [t for node in tree.body if isinstance(node, ast.Assign) for t in node.targets]
    assigned += [node.target for node in tree.body if isinstance(node, ast.AnnAssign)]
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    names = {t.id for t in assigned if isinstance(t, ast.Name)} | set(defined)
    public = {n for n in names if not n.startswith("_")} - {"__all__"}
    assert public - set(reporting_sqlite_schema.__all__) == set()
    assert {"HELD_DEALER_REPORT_STEP", "HELD_DEALER_FIRST_STEP"} <= set(reporting_sqlite_schema.__all__)


def test_the_integration_tests_importing_the_acceptance_helpers_collect_under_plain_pytest() -> None:
    files = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests" / "integration").glob("test_*.py")
        if "from tests." in path.read_text(encoding="utf-8")
    )
    assert "tests/integration/test_held_dealer_upgrade_s29k.py" in files
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["PYTHONPATH"] = str(ROOT / "src")  # the tree under test, not the editable install's
    script = Path(sys.executable).with_name("pytest")  # the script: no checkout root on sys.path
    done = subprocess.run(
        [str(script), "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
