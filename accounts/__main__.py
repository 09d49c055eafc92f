"""`python -m accounts`."""

import sys

from accounts.cli import main

sys.exit(main())
