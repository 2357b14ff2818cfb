# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 11, Graph no-op: the role over a fleet whose users declare Graph fields and groups, against the same
fleet and users without them.  Counts Graph's requests against the minimum (per customer: one user listing, one
look-up and one member listing per group, at most one customer-tenant token) and reports wall and CPU as ratios."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Check
from ..common import customer_id, customer_seed, existing_users, fmt_ratio, role_play

NUMBER = "11"
TITLE = "11 Graph no-op"
FORKS = 4


@dataclass(frozen=True)
class Sizes:
    customers: int
    users: int
    groups: int


FULL = Sizes(customers=20, users=50, groups=3)
TINY = Sizes(customers=2, users=3, groups=3)


def group_names(s: Sizes) -> list:
    return ["Bench Group %d" % n for n in range(1, s.groups + 1)]


def seed(name: str, s: Sizes) -> dict:
    entry = customer_seed(name, s.users)
    members = [u["user_principal_name"] for u in existing_users(name, s.users, s.users)]
    entry["groups"] = [{"displayName": group, "members": members} for group in group_names(s)]
    entry["consentedApplications"] = True
    return entry


def declared(name: str, s: Sizes, graph: bool) -> list:
    users = existing_users(name, s.users, s.users)
    if graph:
        for user in users:
            user.update(job_title="Engineer", department="R&D", office_location="Building 1",
                        groups={"add": group_names(s)})
    return users


def hosts(names: list, s: Sizes, graph: bool) -> dict:
    return dict((n, {"partnercenter_customer_id": customer_id(n), "partnercenter_users": declared(n, s, graph)})
                for n in names)


def graph_counts(run, customers: list) -> dict:
    """Per customer: Graph requests by route, and customer-tenant token requests."""
    ids = set(customer_id(n) for n in customers)
    out = dict((cid, {}) for cid in ids)
    for record in run.records:
        tenant = (record.get("tenant") or "").lower()
        if tenant not in ids:
            continue
        route = record.get("route")
        if record.get("api") == "graph" or route == "token":
            out[tenant][route] = out[tenant].get(route, 0) + 1
    return out


def minimum(s: Sizes) -> dict:
    """What a no-op converge of one customer must cost in Graph, at least and at most (the token: 0 when cached)."""
    return {"graph_list_users": 1, "graph_list_groups": s.groups, "graph_list_group_members": s.groups}


def run(bench, s: Sizes) -> None:
    names = ["graph%02d" % n for n in range(1, s.customers + 1)]
    customers = [seed(n, s) for n in names]
    info = "%d customers x %d users, %d groups each" % (s.customers, s.users, s.groups)
    plain = bench.row("s11.plain", TITLE, "no-op without Graph fields, %s" % info, "warm")
    graph = bench.row("s11.graph", TITLE, "no-op with Graph fields and %d groups, %s" % (s.groups, info), "warm")
    bench.reset(customers, **bench.config())
    cache = bench.cache_dir("s11")
    # Untimed: the first converge sets the Graph fields (and caches every token); the rows are no-ops after it.
    setup = bench.run("s11 set the Graph fields", role_play(), hosts(names, s, True), cache, forks=FORKS)
    if not setup.ok:
        bench.aux_failures.append(setup)
    # The two take turns, so a slow spell of the machine hits both sides of a ratio alike.
    for _repetition in range(bench.repeat(True)):
        plain.runs.append(bench.run("s11 no-op without Graph", role_play(), hosts(names, s, False), cache,
                                    forks=FORKS))
        graph.runs.append(bench.run("s11 no-op with Graph", role_play(), hosts(names, s, True), cache, forks=FORKS))
    wall = graph.wall / plain.wall if graph.wall and plain.wall else None
    cpu = graph.tree_cpu / plain.tree_cpu if graph.tree_cpu and plain.tree_cpu else None
    counts = [graph_counts(r, names) for r in graph.runs]
    bench.derived["s11"] = dict(wall_ratio=wall, cpu_ratio=cpu, customers=s.customers, users=s.users,
                                groups=s.groups, minimum_per_customer=minimum(s),
                                graph_requests_per_customer=counts[-1] if counts else None)
    graph.notes.append("with Graph / without: wall %s, CPU %s (medians)" % (fmt_ratio(wall), fmt_ratio(cpu)))


def checks(bench, s: Sizes, timing: bool) -> list:
    out = []
    names = ["graph%02d" % n for n in range(1, s.customers + 1)]
    plain, graph = bench.get("s11.plain"), bench.get("s11.graph")
    if plain is not None:
        sent = [sum(1 for rec in r.records if rec.get("api") == "graph") for r in plain.runs]
        out.append(Check("s11: users without Graph fields send no Graph request", not any(sent),
                         "Graph requests per run: %s" % sent, "count"))
    if graph is not None:
        wanted = minimum(s)
        bad = []
        for run in graph.runs:
            for cid, counts in graph_counts(run, names).items():
                token = counts.pop("token", 0)
                if counts != wanted or token > 1:
                    bad.append("%s: %s, tokens %d" % (cid, counts, token))
        out.append(Check("s11: a Graph no-op costs per customer exactly %s and at most one customer-tenant token"
                         % wanted, not bad, "; ".join(bad[:3]) if bad else "ok in %d run(s)" % len(graph.runs),
                         "count"))
        writes = [r.requests["writes"] for r in graph.runs + (plain.runs if plain else [])]
        out.append(Check("s11: no-op runs make no write", not any(writes), "writes per run: %s" % writes, "count"))
    return out
