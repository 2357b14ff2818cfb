# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 8, shared throttling: a fleet no-op converge while the emulator throttles by rate.

The emulator answers 429 (``Retry-After``) to every API request beyond ``over_rate`` within a
second (the knob ``throttle_over_rate``), as a per-tenant limit would.  Partner Center throttles
per partner tenant, so a 429 one fork gets must hold back every fork: the run must converge, and
after each 429 no request may *start* before its ``Retry-After`` has passed, except those already
in flight when it was answered (within ``requestlog.IN_FLIGHT_GRACE``).  The request log's epoch
times (``started_at``, ``answered_at``) tell; ``requestlog.throttle_windows`` counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Check
from ..common import customer_id, customer_seed, existing_users, pages, role_play
from ..measure import customer_of, is_deleted_listing  # importing measure puts tests/emulator on sys.path

from partnercenter_emulator.requestlog import IN_FLIGHT_GRACE, throttle_windows  # noqa: E402  pylint: disable=wrong-import-order

NUMBER = "8"
TITLE = "8 shared throttling"


@dataclass(frozen=True)
class Sizes:
    customers: int
    users: int
    forks: int
    over_rate: int    # API requests per second the emulator lets through
    retry_after: int  # seconds


FULL = Sizes(customers=200, users=5, forks=20, over_rate=10, retry_after=2)
TINY = Sizes(customers=8, users=2, forks=4, over_rate=2, retry_after=2)


def run(bench, s: Sizes) -> None:
    names = ["thr%03d" % n for n in range(1, s.customers + 1)]
    seed = [customer_seed(n, s.users) for n in names]
    hosts = dict((n, {"partnercenter_customer_id": customer_id(n),
                      "partnercenter_users": existing_users(n, s.users, s.users)}) for n in names)
    bench.reset(seed, **bench.config())
    # A token cache (and so a throttle file) of its own, warmed before the emulator throttles.
    cache = bench.cache_dir("s8")
    bench.warm_up(cache, names[0], customer_id(names[0]))
    bench.emulator.call("POST", "config", {"throttle_over_rate": s.over_rate, "retry_after": s.retry_after})
    row = bench.row("s8.throttled", TITLE, "%d customers x %d users (no-op), forks %d, 429 over %d requests/s "
                    "(Retry-After %d s)" % (s.customers, s.users, s.forks, s.over_rate, s.retry_after),
                    "warm", concurrent=True)
    result = bench.run("s8 shared throttle forks=%d" % s.forks, role_play(), hosts, cache, forks=s.forks)
    row.runs.append(result)
    bench.emulator.call("POST", "config", {"throttle_over_rate": 0})
    report = throttle_windows(result.records, grace=IN_FLIGHT_GRACE)
    listings = [r for r in result.records if r.get("route") == "list_users" and r.get("status") == 200
                and not is_deleted_listing(r)]
    listed = set(customer_of(r) for r in listings)
    derived = dict(customers=s.customers, forks=s.forks, over_rate=s.over_rate, retry_after_s=s.retry_after,
                   throttled=report["throttled"], windows=report["windows"],
                   max_429_per_window=report["max_429_per_window"], early_starts=len(report["early_starts"]),
                   early_start_examples=report["early_starts"][:5], in_flight_grace_s=IN_FLIGHT_GRACE,
                   customers_listed=len(listed & set(customer_id(n) for n in names)),
                   list=result.requests.get("list"), list_ok=len(listings), writes=result.requests.get("writes"),
                   total=result.requests.get("total"), wall_s=result.wall)
    bench.derived["s8"] = derived
    row.extra.update(throttled=report["throttled"], windows=report["windows"],
                     early_starts=len(report["early_starts"]), customers_listed=derived["customers_listed"])
    row.notes.append("%d x 429 in %d hold windows (at most %d per window); %d request(s) started during a "
                     "Retry-After; wall %.1f s" % (report["throttled"], report["windows"],
                                                   report["max_429_per_window"], len(report["early_starts"]),
                                                   result.wall))


def checks(bench, s: Sizes, timing: bool) -> list:  # pylint: disable=unused-argument
    d = bench.derived.get("s8")
    row = bench.get("s8.throttled")
    if d is None or row is None:
        return []
    requests = row.requests
    # one listing of each customer got through (the 429s are on top)
    lists_ok = d["list_ok"] == s.customers * pages(s.users)
    return [
        Check("shared throttling: the fleet run converged (every customer listed, every run ok)",
              row.ok and d["customers_listed"] == s.customers and lists_ok,
              "rc %s; %d of %d customers listed; %d listings answered, %s list requests, %d x 429" % (
                  [r.rc for r in row.runs], d["customers_listed"], s.customers, d["list_ok"], requests.get("list"),
                  d["throttled"]), "count"),
        Check("shared throttling: zero writes", requests.get("writes") == 0,
              "%s writes" % requests.get("writes"), "count"),
        Check("shared throttling: the emulator throttled (else the scenario measured nothing)", d["throttled"] > 0,
              "%d x 429 in %d windows" % (d["throttled"], d["windows"]), "count"),
        Check("shared throttling: after each 429 no fork starts a request before its Retry-After (those in "
              "flight within %g s excepted)" % d["in_flight_grace_s"], d["early_starts"] == 0,
              "%d early start(s)%s; %d x 429 in %d windows, at most %d per window" % (
                  d["early_starts"], (": %s" % d["early_start_examples"]) if d["early_starts"] else "",
                  d["throttled"], d["windows"], d["max_429_per_window"]), "count"),
    ]
