"""``python -m partnercenter_emulator``: the emulator's command line (``pcemu --help``)."""

import sys

from .cli import main

sys.exit(main())
