"""Start the Partner Center emulator: ``python tests/emulator/pcemu.py --help``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from partnercenter_emulator.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
