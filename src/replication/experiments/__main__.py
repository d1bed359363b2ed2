"""``python -m replication.experiments <chapter> [--preset paper]``: see :mod:`replication.experiments.headless`;
``python -m replication.experiments rehearse <chapter> [--preset paper]``: see :mod:`replication.experiments.rehearsal`;
``python -m replication.experiments why <chapter> [--preset cpu]``: see :mod:`replication.experiments.why`;
``python -m replication.experiments decide <chapter>``: see :mod:`replication.experiments.deciders`;
``python -m replication.experiments probe <claim key>``: see :mod:`replication.experiments.probes`.
"""

import sys

if sys.argv[1:2] == ["rehearse"]:
    from replication.experiments.rehearsal import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["why"]:
    from replication.experiments.why import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["decide"]:
    from replication.experiments.deciders import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["probe"]:
    from replication.experiments.probes import main

    sys.exit(main(sys.argv[2:]))

from replication.experiments.headless import main

sys.exit(main())
