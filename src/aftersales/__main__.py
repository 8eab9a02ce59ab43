"""``python -m aftersales``: the command-line interface."""

from aftersales.cli import main

raise SystemExit(main())
