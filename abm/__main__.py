"""``python -m abm``: the ``abm`` command line."""

import sys

from abm.cli import main

sys.exit(main())
