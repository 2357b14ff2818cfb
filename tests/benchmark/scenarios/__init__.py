# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's scenarios, one module each, in the order ``run.py`` runs them.

A scenario module has ``NUMBER`` (what ``--scenarios`` selects), ``TITLE`` (the table's
Scenario column), ``FULL`` and ``TINY`` (``--quick``) sizes as instances of a frozen
dataclass (they appear in the JSON's ``meta.sizes`` as ``s<NUMBER>_<field>``),
``run(bench, sizes)``, which adds its rows to ``bench`` (``measure.Bench``) and its derived
numbers to ``bench.derived``, and ``checks(bench, sizes, timing)``, which returns its
``checks.Check`` list.  Adding a scenario is adding its file and one line below.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict

SCENARIOS = (
    "s1_noop",
    "s2_create",
    "s3_fleet",
    "s4_many_tasks",
    "s5_large_tenant",
    "s6_conflict_lookups",
    "s7_fleet_scale",
    "s8_shared_throttle",
    "s9_graph_noop",
)


def load() -> list:
    return [importlib.import_module("." + name, __name__) for name in SCENARIOS]


def sizes(scenarios: list, quick: bool) -> dict:
    """Every scenario's sizes flattened: ``{"s1_existing": 1000, ...}``."""
    out = {}
    for scenario in scenarios:
        for name, value in asdict(scenario.TINY if quick else scenario.FULL).items():
            out["s%s_%s" % (scenario.NUMBER, name)] = value
    return out
