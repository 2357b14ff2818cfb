# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 1, no-op converge: the role against the naive loop and a one-task ping play."""

from __future__ import annotations

from ..checks import Check, noop
from ..common import GROUP, MODULE, TenantSizes, customer_id, customer_seed, existing_users, fmt_ratio, pages, role_play

NUMBER = "1"
TITLE = "1 no-op converge"
TARGET_NAIVE_OVER_ROLE = 20.0
TARGET_ROLE_OVER_PING = 2.0

FULL = TenantSizes(existing=1000, declared=100)
TINY = TenantSizes(existing=20, declared=3)


def ping_play() -> list:
    return [{"name": "One-task floor", "hosts": GROUP, "connection": "local", "gather_facts": False,
             "tasks": [{"name": "Ping", "ansible.builtin.ping": {}}]}]


def start_play() -> list:
    """ansible-playbook's own start-up and one task-less play over the same host: what every run pays."""
    return [{"name": "Start-up floor", "hosts": GROUP, "connection": "local", "gather_facts": False, "tasks": []}]


def naive_play() -> list:
    args = {"customer_id": "{{ partnercenter_customer_id }}",
            "user_principal_name": "{{ item.user_principal_name }}"}
    for name in ("first_name", "last_name", "display_name", "usage_location", "password"):
        args[name] = "{{ item.%s | default(omit) }}" % name
    return [{"name": "Naive loop: the single-user form once per user", "hosts": GROUP,
             "connection": "local", "gather_facts": False,
             "tasks": [{"name": "Converge one user", MODULE: args, "loop": "{{ partnercenter_users }}",
                        "loop_control": {"label": "{{ item.user_principal_name }}"}}]}]


def run(bench, s: TenantSizes) -> None:
    name = "s1cust"
    cid = customer_id(name)
    users = existing_users(name, s.declared, s.existing)
    host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": users}}
    bench.reset([customer_seed(name, s.existing)], **bench.config())
    cache = bench.steady_cache("s1", name, cid)
    info = "%d existing, %d declared" % (s.existing, s.declared)
    role = bench.row("s1.role", TITLE, "role (one module call), " + info, "warm")
    ping = bench.row("s1.ping", TITLE, "floor: one-task ansible.builtin.ping play", "warm")
    start = bench.row("s1.start", TITLE, "floor: a play without tasks (ansible-playbook's start-up)", "-")
    # The same two as module processes (PARTNERCENTER_IN_PROCESS=false: any connection but a local one
    # runs that way), the path the 20x target was set on: one module process per user for the loop.
    role_module = bench.row("s1.role_module", TITLE, "role as a module process, " + info, "warm")
    for _repetition in range(bench.repeat(True)):
        role.runs.append(bench.run("s1 role", role_play(), host, cache))
        ping.runs.append(bench.run("s1 ping", ping_play(), host, cache))
        start.runs.append(bench.run("s1 start-up", start_play(), host, cache))
        role_module.runs.append(bench.run("s1 role (module)", role_play(), host, cache, module_process=True))
    naive = bench.row("s1.naive", TITLE, "naive loop (single-user form x %d), " % s.declared + info, "warm")
    naive.runs.append(bench.run("s1 naive loop", naive_play(), host, cache))
    naive_module = bench.row("s1.naive_module", TITLE, "naive loop as module processes (x %d), " % s.declared + info,
                             "warm")
    naive_module.runs.append(bench.run("s1 naive loop (module)", naive_play(), host, cache, module_process=True))
    ratio = naive.wall / role.wall if role.wall else None
    module_ratio = naive_module.wall / role_module.wall if role_module.wall else None
    # In-process, the same ratio over the work each run adds to ansible-playbook's start-up, which
    # neither can go below: the whole-run ratio is capped by it (see the README).
    above = (naive.wall - start.wall) / (role.wall - start.wall) if role.wall and role.wall > start.wall else None
    api_calls = role.requests.get("total", 0)
    budget = TARGET_ROLE_OVER_PING * ping.wall + api_calls * bench.latency_ms / 1000.0
    bench.derived["s1"] = dict(naive_over_role=ratio, naive_over_role_above_start=above, start_wall=start.wall,
                               naive_over_role_module=module_ratio,
                               role_wall=role.wall, ping_wall=ping.wall,
                               role_api_calls=api_calls, role_budget_s=budget,
                               expected_list_role=pages(s.existing),
                               expected_list_naive=s.declared * pages(s.existing))
    role.notes.append("naive/role = %s; above the start-up (%.2f s) %s" % (
        fmt_ratio(ratio), start.wall or 0, fmt_ratio(above)))
    role.notes.append("budget 2 x ping + %d x %d ms = %.2f s" % (api_calls, bench.latency_ms, budget))
    role_module.notes.append("naive/role as module processes = %s" % fmt_ratio(module_ratio))
    for row in (naive, naive_module):
        row.notes.append("%.2f s per user" % (row.wall / max(1, s.declared)))


def checks(bench, s: TenantSizes, timing: bool) -> list:
    out = noop(bench, "s1.role", pages(s.existing)) + noop(bench, "s1.naive", s.declared * pages(s.existing))
    out += noop(bench, "s1.role_module", pages(s.existing))
    out += noop(bench, "s1.naive_module", s.declared * pages(s.existing))
    d = bench.derived.get("s1")
    if not timing or d is None:
        return out
    ratio = d["naive_over_role_module"]
    out.append(Check("s1: role >= %gx faster than the naive loop, both as module processes" % TARGET_NAIVE_OVER_ROLE,
                     ratio is not None and ratio >= TARGET_NAIVE_OVER_ROLE,
                     "naive/role = %s (in-process, whole runs: %s, not judged: the start-up caps it)" % (
                         fmt_ratio(ratio), fmt_ratio(d["naive_over_role"])), "timing"))
    above = d["naive_over_role_above_start"]
    out.append(Check("s1: in-process, above ansible-playbook's start-up, role >= %gx faster than the naive loop"
                     % TARGET_NAIVE_OVER_ROLE, above is not None and above >= TARGET_NAIVE_OVER_ROLE,
                     "(naive - start-up)/(role - start-up) = %s, start-up %.2f s" % (
                         fmt_ratio(above), d["start_wall"] or 0), "timing"))
    out.append(Check("s1: role no-op <= 2 x ping + API calls x latency",
                     d["role_wall"] is not None and d["role_wall"] <= d["role_budget_s"],
                     "role %.2f s, budget %.2f s (ping %.2f s, %d API calls x %d ms)" % (
                         d["role_wall"] or 0, d["role_budget_s"], d["ping_wall"] or 0,
                         d["role_api_calls"], bench.latency_ms), "timing"))
    return out
