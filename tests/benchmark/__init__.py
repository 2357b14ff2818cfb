# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance benchmark of csp.partnercenter against the Partner Center emulator.

Run ``python tests/benchmark/run.py --help`` (or ``python -m tests.benchmark``).
"""
