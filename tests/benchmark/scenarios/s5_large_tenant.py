# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 5, large tenant: the role on a customer with many users, few declared (no-op)."""

from __future__ import annotations

from ..checks import Check, noop
from ..common import TenantSizes, customer_id, customer_seed, existing_users, pages, role_play

NUMBER = "5"
TITLE = "5 large tenant"
TARGET_PEAK_RSS_MB = 150.0

FULL = TenantSizes(existing=20000, declared=50)
TINY = TenantSizes(existing=600, declared=10)


def run(bench, s: TenantSizes) -> None:
    name = "s5cust"
    cid = customer_id(name)
    host = {name: {"partnercenter_customer_id": cid,
                   "partnercenter_users": existing_users(name, s.declared, s.existing)}}
    bench.reset([customer_seed(name, s.existing)], **bench.config())
    # A warm-up goes to another (empty) customer: only the token matters.
    bench.seed([customer_seed("s5warm", 0)])
    cache = bench.steady_cache("s5", "s5warm", customer_id("s5warm"))
    row = bench.row("s5.role", TITLE, "role, %d existing, %d declared" % (s.existing, s.declared), "warm")
    for _repetition in range(bench.repeat(True)):
        # As a module process: its peak memory is the converge's own (in-process it would be the worker's,
        # ansible-core included).
        row.runs.append(bench.run("s5 large tenant", role_play(), host, cache, module_process=True))
    bench.derived["s5"] = dict(expected_list=pages(s.existing), list=row.requests.get("list"),
                               peak_rss_mb=row.peak_rss_mb)
    row.notes.append("%s list requests (expected %d)" % (row.requests.get("list"), pages(s.existing)))


def checks(bench, s: TenantSizes, timing: bool) -> list:
    out = noop(bench, "s5.role", pages(s.existing))
    row = bench.get("s5.role")
    if row:
        out.append(Check("large tenant: %d list requests" % pages(s.existing),
                         row.requests.get("list") == pages(s.existing),
                         "%s list requests" % row.requests.get("list"), "count"))
    d = bench.derived.get("s5")
    if timing and d:
        peak = d["peak_rss_mb"]
        out.append(Check("s5: module peak memory < %g MB" % TARGET_PEAK_RSS_MB,
                         peak is not None and peak < TARGET_PEAK_RSS_MB,
                         "peak RSS %s MB" % ("%.1f" % peak if peak is not None else "n/a"), "timing"))
    return out
