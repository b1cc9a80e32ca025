"""`python -m pe_sim ...`: the same command line as the `pe-sim` script (pyproject's [project.scripts]),
for machines where the script's folder is not on PATH."""

import sys

from pe_sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
