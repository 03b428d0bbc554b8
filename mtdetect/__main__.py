"""``python -m mtdetect``: the command line."""

from .cli import main

raise SystemExit(main())
