"""`python -m pos.cli`: the `pos` command without its console script (child processes)."""

import sys

from pos.cli import main

sys.exit(main())
