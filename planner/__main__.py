"""``python -m planner``: the ``planner`` command line."""

import sys

from planner.cli import main

sys.exit(main())
