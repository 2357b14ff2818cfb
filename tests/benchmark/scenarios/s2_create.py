# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 2, create: new users in one empty customer at several parallelisms, and with 429s."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..checks import Check
from ..common import customer_id, customer_seed, fmt_ratio, module_play, new_users

NUMBER = "2"
TITLE = "2 create"
TARGET_CREATE_RATIO = 1.3
TARGET_CREATE_PARALLELISM = 4


@dataclass(frozen=True)
class Sizes:
    users: int
    parallelism: tuple
    throttle_rate: float
    retry_after: int


FULL = Sizes(users=300, parallelism=(1, 4, 8), throttle_rate=0.05, retry_after=1)
TINY = Sizes(users=12, parallelism=(1, 4, 8), throttle_rate=0.1, retry_after=1)


def run(bench, s: Sizes) -> None:
    name = "s2cust"
    cid = customer_id(name)
    latency = bench.latency_ms / 1000.0
    seed = [customer_seed(name, 0)]
    empty_host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": []}}
    bench.reset(seed, **bench.config())
    cache = bench.steady_cache("s2", name, cid)
    startup = bench.row("s2.startup", TITLE, "module start-up: no-op call on an empty customer", "warm")
    for _repetition in range(bench.repeat(True)):
        startup.runs.append(bench.run("s2 start-up (no-op)", module_play(), empty_host, cache))
    bench.derived["s2"] = dict(startup_wall=startup.wall, startup_module_wall=startup.module_wall, runs={})
    users = new_users(name, s.users)
    variants = [(p, 0.0) for p in s.parallelism] + [(TARGET_CREATE_PARALLELISM, s.throttle_rate)]
    for parallelism, throttle in variants:
        key = "s2.p%d" % parallelism + ("_throttled" if throttle else "")
        variant = "%d users, parallelism %d" % (s.users, parallelism)
        if throttle:
            variant += ", 429s (throttle_rate %g, Retry-After %d s)" % (throttle, s.retry_after)
        row = bench.row(key, TITLE, variant, "warm")
        cheap = throttle == 0 and parallelism > 1
        host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": users,
                       "partnercenter_users_parallelism": parallelism}}
        created = []
        for _repetition in range(bench.repeat(cheap)):
            bench.reset(seed, **bench.config(throttle_rate=throttle, retry_after=s.retry_after))
            row.runs.append(bench.run("s2 create p=%d%s" % (parallelism, " 429s" if throttle else ""),
                                      module_play(), host, cache))
            created.append(bench.active_users(cid))
        floor = math.ceil(s.users / parallelism) * latency
        ratio = row.wall / (floor + startup.wall) if row.wall and startup.wall else None
        module_ratio = (row.module_wall / (floor + startup.module_wall)
                        if row.module_wall and startup.module_wall else None)
        row.extra.update(floor_s=floor, ratio=ratio, module_ratio=module_ratio, created=created)
        bench.derived["s2"]["runs"][key] = dict(floor_s=floor, ratio=ratio, module_ratio=module_ratio,
                                                wall=row.wall, created=created, throttle_rate=throttle)
        row.notes.append("floor %.2f s; wall/(floor+start-up) = %s (module process: %s)"
                         % (floor, fmt_ratio(ratio), fmt_ratio(module_ratio)))
        if min(created) != s.users:
            row.notes.append("ONLY %s of %d users exist afterwards" % (created, s.users))


def checks(bench, s: Sizes, timing: bool) -> list:
    out = []
    # Writes where they are expected: exactly one create per new user (no 429 variant).
    for p in s.parallelism:
        row = bench.get("s2.p%d" % p)
        if row:
            bad = [r.requests["create"] for r in row.runs if r.requests["create"] != s.users]
            out.append(Check("create p=%d: %d create requests, users exist" % (p, s.users),
                             not bad and min(row.extra.get("created") or [0]) == s.users,
                             "creates %s, users afterwards %s" % (bad or s.users, row.extra.get("created")), "count"))
    # 429s slow writes without failing them.
    throttled = bench.get("s2.p%d_throttled" % TARGET_CREATE_PARALLELISM)
    plain = bench.get("s2.p%d" % TARGET_CREATE_PARALLELISM)
    if throttled:
        n429 = throttled.requests.get("throttled", 0)
        ok = throttled.ok and min(throttled.extra.get("created") or [0]) == s.users and n429 > 0
        out.append(Check("429s: the create run succeeds with every user", ok,
                         "rc %s, %d x 429, users afterwards %s" % ([r.rc for r in throttled.runs], n429,
                                                                   throttled.extra.get("created")), "count"))
        if plain and timing:
            out.append(Check("429s slow the writes (Retry-After honoured)", throttled.wall > plain.wall,
                             "%.2f s with 429s vs %.2f s without" % (throttled.wall, plain.wall), "timing"))
    d = bench.derived.get("s2")
    run = d["runs"].get("s2.p%d" % TARGET_CREATE_PARALLELISM) if timing and d else None
    if run:
        out.append(Check("s2: parallelism %d wall <= %g x (floor + start-up)"
                         % (TARGET_CREATE_PARALLELISM, TARGET_CREATE_RATIO),
                         run["ratio"] is not None and run["ratio"] <= TARGET_CREATE_RATIO,
                         "wall %.2f s, floor %.2f s, start-up %.2f s, ratio %s (module process alone: %s)" % (
                             run["wall"] or 0, run["floor_s"], d["startup_wall"] or 0, fmt_ratio(run["ratio"]),
                             fmt_ratio(run["module_ratio"])), "timing"))
    return out
