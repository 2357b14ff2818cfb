# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 10, a sliced job: four slices as AWX runs them, against a per-partner rate limit.

The fleet split as AWX's Job Slicing splits it (every fourth host), each slice its own
``ansible-playbook`` with its own home, temporary directory and token cache (so its own throttle and
pace files, as on four execution nodes), all four at once, while the emulator answers 429 to every
API request beyond ``over_rate`` within a second.  Once with no request budget, once with
``request_rate`` (the job's) and ``job_slices=4``.  Every customer must converge with the budget,
and the slices together stay within it: in any second at most ``request_rate + slices`` requests
start (each slice's edges), so no 429 beyond what the emulator's own clock adds.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..checks import Check
from ..common import customer_id, customer_seed, existing_users, pages, role_play

NUMBER = "10"
TITLE = "10 sliced job"


@dataclass(frozen=True)
class Sizes:
    customers: int
    users: int
    slices: int
    forks: int
    over_rate: int       # API requests per second the emulator lets through
    request_rate: float  # the job's budget


FULL = Sizes(customers=200, users=5, slices=4, forks=10, over_rate=10, request_rate=8.0)
TINY = Sizes(customers=8, users=2, slices=4, forks=2, over_rate=3, request_rate=2.0)


def most_in_a_second(times):
    times, most, first = sorted(times), 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def sliced(bench, label, s: Sizes, hosts: dict, env: dict) -> dict:
    """The slices at once; the figures of the job from the request log."""
    names = sorted(hosts)
    runs, threads = {}, []
    bench.emulator.call("DELETE", "requests")

    def one(number):
        node = Path(tempfile.mkdtemp(prefix="b%d" % number, dir="/tmp"))  # short: ansible-core binds a socket
        try:
            mine = dict((n, hosts[n]) for n in names[number - 1::s.slices])
            runs[number] = bench.run("%s slice %d" % (label, number), role_play(), mine,
                                     bench.cache_dir("s10-%s-%d" % (label, number)), forks=s.forks, alone=False,
                                     env=dict(env, HOME=str(node), TMPDIR=str(node),
                                              PARTNERCENTER_SLICE="%d/%d" % (number, s.slices)))
        finally:
            shutil.rmtree(str(node), ignore_errors=True)

    started = time.monotonic()
    for number in range(1, s.slices + 1):
        threads.append(threading.Thread(target=one, args=(number,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    records = [r for r in bench.requests() if str(r.get("path", "")).startswith("/v1/") and r.get("started_at")]
    listed = set(r["path"].split("/")[3] for r in records if r.get("route") == "list_users" and r.get("status") == 200)
    return dict(runs=runs, wall_s=round(wall, 2), requests=len(records),
                throttled=sum(1 for r in records if r.get("status") == 429),
                customers_listed=len(listed & set(customer_id(n) for n in names)),
                most_in_a_second=most_in_a_second([r["started_at"] for r in records]),
                rcs=[runs[n].rc for n in sorted(runs)])


def run(bench, s: Sizes) -> None:
    names = ["slc%03d" % n for n in range(1, s.customers + 1)]
    seed = [customer_seed(n, s.users) for n in names]
    hosts = dict((n, {"partnercenter_customer_id": customer_id(n),
                      "partnercenter_users": existing_users(n, s.users, s.users)}) for n in names)
    info = "%d customers x %d users in %d slices (forks %d each), 429 over %d requests/s" % (
        s.customers, s.users, s.slices, s.forks, s.over_rate)
    figures = {}
    for key, env in (("unpaced", {}),
                     ("paced", {"PARTNERCENTER_REQUEST_RATE": s.request_rate, "PARTNERCENTER_JOB_SLICES": s.slices})):
        bench.reset(seed, **bench.config())
        bench.emulator.call("POST", "config", {"throttle_over_rate": s.over_rate, "retry_after": 1})
        figures[key] = sliced(bench, key, s, hosts, env)
        bench.emulator.call("POST", "config", {"throttle_over_rate": 0})
    # Only the budgeted job is a row: without a budget, customers may give up after MAX_ATTEMPTS 429s (what
    # the scenario shows), and a failed run is not this benchmark's failure.  Its figures go in the notes.
    row = bench.row("s10.paced", TITLE, "request_rate %g for the job, job_slices %d, %s" % (
        s.request_rate, s.slices, info), "cold", concurrent=True)
    row.runs.extend(figures["paced"]["runs"][n] for n in sorted(figures["paced"]["runs"]))
    for key in ("paced", "unpaced"):
        f = figures[key]
        row.notes.append("%s: job wall %.1f s; %d API requests, %d x 429; %d of %d customers listed (rc %s); at "
                         "most %d requests started in one second" % (
                             "with the budget" if key == "paced" else "without", f["wall_s"], f["requests"],
                             f["throttled"], f["customers_listed"], s.customers, f["rcs"], f["most_in_a_second"]))
    bench.derived["s10"] = dict((key, dict((k, v) for k, v in f.items() if k != "runs")) for key, f in figures.items())


def checks(bench, s: Sizes, timing: bool) -> list:  # pylint: disable=unused-argument
    d = bench.derived.get("s10")
    if d is None:
        return []
    paced, unpaced = d["paced"], d["unpaced"]
    bound = s.request_rate + s.slices
    return [
        Check("s10 sliced job with a budget: every slice ok, every customer listed",
              paced["rcs"] == [0] * s.slices and paced["customers_listed"] == s.customers,
              "rc %s; %d of %d customers listed" % (paced["rcs"], paced["customers_listed"], s.customers), "count"),
        Check("s10 sliced job with a budget: at most request_rate + slices (%g) requests start in any second"
              % bound, paced["most_in_a_second"] <= bound,
              "at most %d in a second (without the budget: %d)" % (
                  paced["most_in_a_second"], unpaced["most_in_a_second"]), "count"),
        Check("s10 sliced job: fewer 429s with the budget than without",
              paced["throttled"] < unpaced["throttled"] or unpaced["throttled"] == 0 == paced["throttled"],
              "%d x 429 with the budget, %d without (%d of %d customers listed without)" % (
                  paced["throttled"], unpaced["throttled"], unpaced["customers_listed"], s.customers), "count"),
        Check("s10 sliced job with a budget: the listings are the fleet's (%d), nothing more"
              % (s.customers * pages(s.users)),
              paced["requests"] - paced["throttled"] == s.customers * pages(s.users),
              "%d API requests, %d x 429" % (paced["requests"], paced["throttled"]), "count"),
    ]
