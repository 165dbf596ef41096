"""`python -m bench.load`: see bench/load/run.py."""

import sys

from bench.load.run import main

sys.exit(main())
