"""``python -m replication.experiments <chapter> [--preset paper]``: see :mod:`replication.experiments.headless`."""

import sys

from replication.experiments.headless import main

sys.exit(main())
