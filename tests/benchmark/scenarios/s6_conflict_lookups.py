# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 6, conflict lookups: creates that meet 409 for users that exist but are not listed yet.

A first (setup) run creates the declared users while the emulator's ``replication_lag`` is a
few seconds; the measured run, started right after it, does not see them in its listing,
POSTs them, gets a 409 conflict for each and looks them up until they show up.  The module
waits for a conflicting user along its ``LOOKUP_WAITS`` schedule (the last wait repeating
until ``retry_budget`` runs out); the target is that
those lookups are shared: one re-listing per round for all waiting users, not one per user.
"""

from __future__ import annotations

import ast
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from ..checks import Check
from ..common import customer_id, customer_seed, module_play, new_users, pages
from ..measure import is_deleted_listing

NUMBER = "6"
TITLE = "6 conflict lookups"
# LOOKUP_WAITS of plugins/module_utils/_executor.py when this was written; the collection's
# own value is read from its source when it is there (VISIBILITY_DELAYS in older versions, a
# fixed window of four waits).
DEFAULT_DELAYS = (1, 2, 4, 8, 10)
SCHEDULE_NAMES = ("LOOKUP_WAITS", "VISIBILITY_DELAYS")
RETRY_BUDGET = 120.0  # the module's default: the look-ups stop when it runs out


@dataclass(frozen=True)
class Sizes:
    existing: int
    declared: int
    replication_lag: int  # seconds the setup run's users stay out of listings


FULL = Sizes(existing=5000, declared=20, replication_lag=9)
TINY = Sizes(existing=600, declared=4, replication_lag=4)


def visibility_delays(collections: str):
    """The module's wait schedule after a conflict, read from the collection's module_utils.

    Returns ``(delays, where)``; ``DEFAULT_DELAYS`` and ``"default"`` when no module_utils
    file assigns ``LOOKUP_WAITS`` (or the older ``VISIBILITY_DELAYS``) a literal.
    """
    for base in collections.split(os.pathsep):
        folder = Path(base) / "ansible_collections" / "csp" / "partnercenter" / "plugins" / "module_utils"
        for path in sorted(folder.glob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, ValueError):
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) in SCHEDULE_NAMES
                                                        for t in node.targets):
                    try:
                        return tuple(float(d) for d in ast.literal_eval(node.value)), "plugins/module_utils/" + path.name
                    except (TypeError, ValueError):
                        pass
    return DEFAULT_DELAYS, "default"


def wait_rounds(invisible_s, delays, budget=RETRY_BUDGET) -> int:
    """Re-listings one shared lookup needs when it lists right after the first conflict and again
    after each delay until the users are visible, ``invisible_s`` seconds after that conflict
    (every round within ``budget`` when they stay invisible longer; the last delay repeats).  The
    time a listing takes is left out, which can only make this larger than the rounds really needed."""
    elapsed, rounds = 0.0, 1
    waits = list(delays)
    while elapsed < invisible_s and elapsed < budget:
        elapsed += min(waits.pop(0) if len(waits) > 1 else waits[0], budget - elapsed)
        rounds += 1
    return rounds


def _time(record):
    """The arrival time of a logged request (the emulator's wall clock, ms), or None."""
    try:
        stamp = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except (KeyError, TypeError, ValueError):
        return None
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def _is_first_page(record) -> bool:
    query = dict((str(k).lower(), v) for k, v in (record.get("query") or {}).items())
    return not query.get("seekoperation") and not is_deleted_listing(record)


def run(bench, s: Sizes) -> None:
    name = "s6cust"
    cid = customer_id(name)
    latency = bench.latency_ms / 1000.0
    host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": new_users(name, s.declared)}}
    bench.reset([customer_seed(name, s.existing)], **bench.config(replication_lag=s.replication_lag))
    cache = bench.cache_dir("s6")
    setup = bench.row("s6.setup", TITLE, "setup: first run creates %d users (replication_lag %d s)"
                      % (s.declared, s.replication_lag), "cold (fresh dir)")
    setup.runs.append(bench.run("s6 setup (creates)", module_play(), host, cache))
    row = bench.row("s6.conflicts", TITLE, "%d existing, %d declared that exist but are not listed yet"
                    % (s.existing, s.declared), "warm (setup run)")
    measured = bench.run("s6 conflict lookups", module_play(), host, cache)
    row.runs.append(measured)
    active = bench.active_users(cid)

    # When the setup run's users show up (the last one; each at its create + latency + lag) and
    # when the measured run's first create was refused.
    created = [_time(r) for r in setup.runs[-1].records if r.get("route") == "create_user" and r.get("status") in (200, 201)]
    conflicts = [r for r in measured.records if r.get("route") == "create_user" and r.get("status") == 409]
    conflict_times = [_time(r) for r in conflicts]
    invisible_s = None
    if created and conflicts and None not in created + conflict_times:
        visible_at = max(created) + latency + s.replication_lag + 0.05
        invisible_s = visible_at - (min(conflict_times) + latency)
    delays, source = visibility_delays(bench.collections)
    if not conflicts:
        rounds = 0
    else:
        rounds = wait_rounds(invisible_s if invisible_s is not None else float("inf"), delays)
    per_walk = pages(s.existing + s.declared)
    bound = (rounds + 1) * per_walk
    walks = sum(1 for r in measured.records if r.get("route") == "list_users" and _is_first_page(r))
    lists = measured.requests.get("list", 0)
    derived = dict(existing=s.existing, declared=s.declared, replication_lag_s=s.replication_lag,
                   conflicts=len(conflicts), invisible_after_first_conflict_s=invisible_s,
                   visibility_delays=list(delays), visibility_delays_from=source, wait_rounds=rounds,
                   pages_per_listing=per_walk, list_bound=bound, list=lists, listings=walks,
                   total=measured.requests.get("total"), wall_s=measured.wall, active_after=active,
                   setup_creates=setup.requests.get("create"))
    bench.derived["s6"] = derived
    row.extra.update(conflicts=len(conflicts), wait_rounds=rounds, list_bound=bound, listings=walks,
                     active_after=active)
    row.notes.append("%d x 409; %d list requests in %d listings, bound (%d rounds + 1) x %d pages = %d; "
                     "%s requests in all" % (len(conflicts), lists, walks, rounds, per_walk, bound,
                                             measured.requests.get("total")))
    if invisible_s is not None:
        row.notes.append("users invisible %.1f s after the first 409 (delays %s, %s)"
                         % (invisible_s, "/".join("%g" % d for d in delays), source))


def checks(bench, s: Sizes, timing: bool) -> list:  # pylint: disable=unused-argument
    d = bench.derived.get("s6")
    if d is None:
        return []
    measured = bench.get("s6.conflicts").requests
    writes_ok = (d["setup_creates"] == s.declared and measured.get("writes") == measured.get("create")
                 and d["active_after"] == s.existing + s.declared)
    return [
        Check("conflict lookups: %d users created once, the second run writes nothing but its POSTs" % s.declared,
              writes_ok, "setup creates %s; second run %s writes, %s creates; %s active users afterwards (of %d)" % (
                  d["setup_creates"], measured.get("writes"), measured.get("create"), d["active_after"],
                  s.existing + s.declared), "count"),
        Check("conflict lookups: the %d creates of the second run meet 409 (users not listed yet)" % s.declared,
              d["conflicts"] == s.declared,
              "%d x 409; users invisible %s s after the first one" % (
                  d["conflicts"], "%.1f" % d["invisible_after_first_conflict_s"]
                  if d["invisible_after_first_conflict_s"] is not None else "n/a"), "conflict"),
        Check("conflict lookups: list requests <= (wait rounds + 1) x pages (one re-listing per round for all "
              "waiting users)", d["list"] <= d["list_bound"],
              "%d list requests in %d listings; bound (%d + 1) x %d = %d" % (
                  d["list"], d["listings"], d["wait_rounds"], d["pages_per_listing"], d["list_bound"]), "conflict"),
    ]
