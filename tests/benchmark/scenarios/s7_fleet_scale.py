# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 7, fleet at scale: the role over hundreds of converged customers against Ansible's own floors.

Over the same hosts, in each repetition back to back: a one-task ``debug`` play (Ansible's
per-host floor for a task without a module process), a one-task ``ping`` play (the floor of a
module task), the role when every user is converged (no-op), the same no-op in the role's large-fleet
form (``import_role`` with ``rolespec_validate: false``: no argument-check task per host, the converge
step checking the same spec), and the role with 10 % of the users changed (a new display name: one PATCH
each).  Controller CPU is the CPU of the whole
``ansible-playbook`` process tree; it and the wall time are compared as ratios within one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Check, noop
from ..common import (
    GROUP, customer_id, customer_seed, existing_users, fleet_form_play, fmt_ratio, median, pages, role_play,
)

NUMBER = "7"
TITLE = "7 fleet at scale"
TARGET_WALL_OVER_DEBUG = 3.0
TARGET_CPU_OVER_DEBUG = 3.0
# The margin: no single back-to-back pair above this, so the target holds on a busy controller.
TARGET_PAIR_OVER_DEBUG = 3.3
# The roles: form pays ansible-core's argument check for every host (about 1.8x the floor on its own): the
# 3x target is met by the large-fleet form, and this bound keeps the roles: form from growing unseen.
BOUND_ROLES_FORM_OVER_DEBUG = 4.5


@dataclass(frozen=True)
class Sizes:
    customers: int
    users: int
    forks: int
    changed_percent: int
    pairs: int  # at least this many back-to-back repetitions of debug, no-op and changed


# Five pairs: single pairs of the CPU ratio spread from 2.4x to 3.1x on a 2-core machine whose
# speed drifts, so the median of three is a coin toss near the target.  The ping floor is judged
# by no target and takes longer than the rest of a repetition: it runs once.
FULL = Sizes(customers=200, users=5, forks=20, changed_percent=10, pairs=5)
TINY = Sizes(customers=6, users=2, forks=3, changed_percent=50, pairs=1)


def floor_play(module: str) -> list:
    # The honest floor: a literal message.  A templated one ("{{ inventory_hostname }}") costs Ansible
    # about 28 % more per host, which made the target easier by the choice of its yardstick.
    task = {"name": "Floor", module: {"msg": "floor"} if module.endswith("debug") else {}}
    return [{"name": "One-task floor", "hosts": GROUP, "connection": "local", "gather_facts": False,
             "tasks": [task]}]


def declared(names: list, s: Sizes, changed: bool) -> tuple:
    """(hosts, how many users are declared with a new display name)."""
    hosts, renamed = {}, 0
    every = max(1, round(100 / s.changed_percent)) if changed else 0
    for n, name in enumerate(names):
        users = existing_users(name, s.users, s.users)
        for position, user in enumerate(users):
            if every and (n * s.users + position) % every == 0:
                user["display_name"] += " (renamed)"
                renamed += 1
        hosts[name] = {"partnercenter_customer_id": customer_id(name), "partnercenter_users": users}
    return hosts, renamed


def paired(rows, key_a, key_b, figure):
    """Median over repetitions of a/b for one figure, each pair measured in the same repetition."""
    pairs = [getattr(a, figure) / getattr(b, figure) for a, b in zip(rows[key_a].runs, rows[key_b].runs)
             if getattr(a, figure) and getattr(b, figure)]
    return median(pairs) if pairs else None


def over_debug(rows, key) -> dict:
    """Row ``key`` over the debug floor: the medians and every back-to-back pair, CPU and wall."""
    return dict(
        cpu=paired(rows, key, "debug", "tree_cpu"), wall=paired(rows, key, "debug", "wall"),
        cpu_pairs=[round(a.tree_cpu / b.tree_cpu, 2) for a, b in zip(rows[key].runs, rows["debug"].runs)
                   if a.tree_cpu and b.tree_cpu],
        wall_pairs=[round(a.wall / b.wall, 2) for a, b in zip(rows[key].runs, rows["debug"].runs) if a.wall and b.wall])


def run(bench, s: Sizes) -> None:
    names = ["scale%03d" % n for n in range(1, s.customers + 1)]
    seed = [customer_seed(n, s.users) for n in names]
    same = declared(names, s, changed=False)[0]
    renamed_hosts, renamed = declared(names, s, changed=True)
    info = "%d customers x %d users, forks %d" % (s.customers, s.users, s.forks)
    rows = dict(
        debug=bench.row("s7.debug", TITLE, "floor: one-task debug play, " + info, "-", concurrent=True),
        ping=bench.row("s7.ping", TITLE, "floor: one-task ansible.builtin.ping play", "-", concurrent=True),
        noop=bench.row("s7.noop", TITLE, "role, every user converged (no-op)", "warm", concurrent=True),
        fleet=bench.row("s7.fleet", TITLE, "the same, large-fleet form (import_role, rolespec_validate: false)",
                        "warm", concurrent=True),
        changed=bench.row("s7.changed", TITLE, "role, %d %% of the users renamed (%d)" % (s.changed_percent, renamed),
                          "warm", concurrent=True),
    )
    bench.reset(seed, **bench.config())
    cache = bench.steady_cache("s7", names[0], customer_id(names[0]))
    for repetition in range(max(bench.repeat(True), s.pairs)):
        bench.reset(seed, **bench.config())
        rows["debug"].runs.append(bench.run("s7 debug floor", floor_play("ansible.builtin.debug"), same, cache,
                                            forks=s.forks))
        if repetition == 0:
            rows["ping"].runs.append(bench.run("s7 ping floor", floor_play("ansible.builtin.ping"), same, cache,
                                               forks=s.forks))
        rows["noop"].runs.append(bench.run("s7 role no-op", role_play(), same, cache, forks=s.forks))
        rows["fleet"].runs.append(bench.run("s7 fleet form no-op", fleet_form_play(), same, cache, forks=s.forks))
        rows["changed"].runs.append(bench.run("s7 role 10% changed", role_play(), renamed_hosts, cache,
                                              forks=s.forks))
    per_host = dict((key, median([r.tree_cpu / s.customers for r in row.runs if r.tree_cpu]))
                    for key, row in rows.items())
    bench.derived["s7"] = dict(
        customers=s.customers, renamed=renamed, cpu_per_customer_s=per_host,
        over_debug=dict((key, over_debug(rows, key)) for key in ("noop", "fleet")),
        changed_wall_over_debug=paired(rows, "changed", "debug", "wall"),
        ping_over_debug=paired(rows, "ping", "debug", "tree_cpu"),
        api_floor_s=s.customers * pages(s.users) * bench.latency_ms / 1000.0 / s.forks)
    d = bench.derived["s7"]
    for key, row in rows.items():
        row.notes.append("CPU %.3f s per customer" % (per_host[key] or 0))
    for key in ("noop", "fleet"):
        ratios = d["over_debug"][key]
        rows[key].notes.append("over the debug floor: wall %s, CPU %s (pairs %s); API floor %.1f s" % (
            fmt_ratio(ratios["wall"]), fmt_ratio(ratios["cpu"]), ", ".join("%.2f" % r for r in ratios["cpu_pairs"]),
            d["api_floor_s"]))
    rows["ping"].notes.append("ping CPU over debug CPU: %s" % fmt_ratio(d["ping_over_debug"]))


def checks(bench, s: Sizes, timing: bool) -> list:
    out = noop(bench, "s7.noop", s.customers * pages(s.users)) + noop(bench, "s7.fleet", s.customers * pages(s.users))
    row = bench.get("s7.changed")
    d = bench.derived.get("s7")
    if row and d:
        writes = [(r.requests["patch"], r.requests["writes"], r.requests["list"]) for r in row.runs]
        expected = (d["renamed"], d["renamed"], s.customers * pages(s.users))
        out.append(Check("s7: %d %% changed: exactly the %d renamed users' PATCHes, one listing per customer"
                         % (s.changed_percent, d["renamed"]), all(w == expected for w in writes),
                         "(patch, writes, list) per run %s, expected %s" % (writes, expected), "count"))
    if not timing or d is None:
        return out
    fleet, roles = d["over_debug"]["fleet"], d["over_debug"]["noop"]
    out.append(Check("s7: no-op, large-fleet form: wall <= %g x the debug floor's" % TARGET_WALL_OVER_DEBUG,
                     fleet["wall"] is not None and fleet["wall"] <= TARGET_WALL_OVER_DEBUG,
                     "fleet form/debug wall = %s (median of paired runs)" % fmt_ratio(fleet["wall"]), "timing"))
    out.append(Check("s7: no-op, large-fleet form: controller CPU per customer <= %g x the debug floor's"
                     % TARGET_CPU_OVER_DEBUG,
                     fleet["cpu"] is not None and fleet["cpu"] <= TARGET_CPU_OVER_DEBUG,
                     "fleet form/debug CPU = %s (median of pairs %s); per customer %s" % (
                         fmt_ratio(fleet["cpu"]), ", ".join("%.2f" % r for r in fleet["cpu_pairs"]),
                         ", ".join("%s %.3f s" % (k, v or 0) for k, v in d["cpu_per_customer_s"].items())),
                     "timing"))
    pairs = fleet["cpu_pairs"] + fleet["wall_pairs"]
    out.append(Check("s7: margin - no back-to-back pair of the no-op fleet form over the literal debug floor above "
                     "%gx (CPU or wall)" % TARGET_PAIR_OVER_DEBUG,
                     bool(pairs) and max(pairs) <= TARGET_PAIR_OVER_DEBUG,
                     "CPU pairs %s; wall pairs %s" % (", ".join("%.2f" % r for r in fleet["cpu_pairs"]),
                                                      ", ".join("%.2f" % r for r in fleet["wall_pairs"])), "timing"))
    out.append(Check("s7: no-op, roles: form (ansible-core's argument check per host): CPU and wall <= %g x the "
                     "debug floor's (the 3x target needs the check gone: docs/performance.md)"
                     % BOUND_ROLES_FORM_OVER_DEBUG,
                     None not in (roles["cpu"], roles["wall"])
                     and max(roles["cpu"], roles["wall"]) <= BOUND_ROLES_FORM_OVER_DEBUG,
                     "roles form/debug CPU = %s (pairs %s), wall = %s (pairs %s)" % (
                         fmt_ratio(roles["cpu"]), ", ".join("%.2f" % r for r in roles["cpu_pairs"]),
                         fmt_ratio(roles["wall"]), ", ".join("%.2f" % r for r in roles["wall_pairs"])), "timing"))
    return out
