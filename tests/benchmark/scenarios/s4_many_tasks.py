# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 4, many tasks with one credential: N single-user tasks, token cache on and off."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Check, noop
from ..common import GROUP, MODULE, customer_id, customer_seed, existing_users, pages

NUMBER = "4"
TITLE = "4 many tasks"


@dataclass(frozen=True)
class Sizes:
    tasks: int


FULL = Sizes(tasks=20)
TINY = Sizes(tasks=3)


def many_tasks_play(users: list) -> list:
    tasks = []
    for position, user in enumerate(users, 1):
        args = dict(user, customer_id="{{ partnercenter_customer_id }}")
        tasks.append({"name": "Task %02d" % position, MODULE: args})
    return [{"name": "Many tasks, one credential", "hosts": GROUP, "connection": "local",
             "gather_facts": False, "tasks": tasks}]


def run(bench, s: Sizes) -> None:
    name = "s4cust"
    cid = customer_id(name)
    users = existing_users(name, s.tasks, s.tasks)
    host = {name: {"partnercenter_customer_id": cid}}
    for cache_on in (True, False):
        key = "s4.cache_on" if cache_on else "s4.cache_off"
        row = bench.row(key, TITLE, "%d single-user tasks, token cache %s" % (s.tasks, "on" if cache_on else "off"),
                        "cold (fresh dir)" if cache_on else "off")
        bench.reset([customer_seed(name, s.tasks)], **bench.config())
        row.runs.append(bench.run("s4 %d tasks cache=%s" % (s.tasks, "on" if cache_on else "off"),
                                  many_tasks_play(users), host, bench.cache_dir("s4"), cache=cache_on))
        row.notes.append("%d token requests" % row.requests.get("token", 0))
    on, off = bench.get("s4.cache_on"), bench.get("s4.cache_off")
    bench.derived["s4"] = dict(tokens_cache_on=on.requests.get("token"), tokens_cache_off=off.requests.get("token"),
                               tasks=s.tasks, saved_s=(off.wall - on.wall) if on.wall and off.wall else None)


def checks(bench, s: Sizes, timing: bool) -> list:  # pylint: disable=unused-argument
    out = noop(bench, "s4.cache_on", s.tasks * pages(s.tasks))
    on, off = bench.get("s4.cache_on"), bench.get("s4.cache_off")
    if on:
        out.append(Check("token cache: %d tasks make 1 token request" % s.tasks, on.requests.get("token") == 1,
                         "%s token requests with the cache, %s without" % (
                             on.requests.get("token"), off.requests.get("token") if off else "n/a"), "count"))
    return out
