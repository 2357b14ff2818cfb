# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of the performance benchmark: ``tests/benchmark/run.py --quick``.

Run by ``make bench-smoke`` (which ``make bench-check`` runs first), not by ``make integration``: it
takes about two minutes.  Every scenario runs at a tiny size against its own emulator.  Timings are not judged
here (the machine may be busy); the deterministic request counts are.  So are not the
"concurrency" and "conflict" checks: how parallel module processes race for the token
cache, and how many lookup rounds a conflict needs, depend on the machine's speed.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent / "run.py"
REPO_ROOT = RUN.parents[2]
ROW_KEYS = (
    "s1.role", "s1.ping", "s1.start", "s1.naive", "s1.role_module", "s1.naive_module",
    "s2.startup", "s2.p1", "s2.p4", "s2.p8", "s2.p4_throttled",
    "s4.cache_on", "s4.cache_off",
    "s5.role",
    "s6.setup", "s6.conflicts",
    "s7.debug", "s7.ping", "s7.noop", "s7.fleet", "s7.changed",
    "s8.throttled",
    "s10.paced",
    "s11.plain", "s11.graph",
)


def pages(users):
    return max(1, math.ceil(users / 500))


def collections_path() -> str:
    """``ANSIBLE_COLLECTIONS_PATH`` (``make bench-smoke`` sets it), else the staged copy next to a checkout."""
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(REPO_ROOT / "build" / "collections")


def test_benchmark_quick(tmp_path: Path):
    cmd = [sys.executable, str(RUN), "--quick", "--output-dir", str(tmp_path / "out"),
           "--collections-path", collections_path()]
    # The benchmark's numbers and targets are those of the default profile, whatever PCEMU_PROFILE the suite runs.
    env = dict((k, v) for k, v in os.environ.items() if k != "PCEMU_PROFILE")
    proc = subprocess.run(cmd, cwd=str(REPO_ROOT), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600, check=False, env=env)
    report = "command: %s\nrc: %s\n--- stdout ---\n%s\n--- stderr (tail) ---\n%s" % (
        " ".join(cmd), proc.returncode, proc.stdout[-6000:], proc.stderr[-6000:])
    assert proc.returncode == 0, report
    assert (tmp_path / "out" / "benchmark.md").is_file(), report
    data = json.loads((tmp_path / "out" / "benchmark.json").read_text(encoding="utf-8"))
    sizes = data["meta"]["sizes"]
    rows = {row["key"]: row for row in data["rows"]}

    forks = sizes["s3_forks"]
    expected_keys = set(ROW_KEYS) | {"s3.forks%d.%s" % (f, run) for f in forks for run in ("first", "second")}
    expected_keys.add("s3.forks%d.first_module" % max(forks))
    expected_keys |= {"s9.%s.%d" % (run, fleet) for fleet in sizes["s9_fleets"]
                      for run in ("floor", "noop", "fleet", "changed")}
    assert set(rows) == expected_keys, report

    # Every scenario produced numbers.
    for key, row in rows.items():
        assert row["ok"] and row["runs"] >= 1, (key, row)
        assert row["wall_s"] and row["wall_s"] > 0, (key, row)
        if row["module_processes"]:  # in-process rows (partnercenter_user's action plugin) start none
            assert row["peak_rss_mb"] and row["peak_rss_mb"] > 0, (key, row)
        assert row["requests"]["total"] >= 0, (key, row)
    assert rows["s5.role"]["peak_rss_mb"] > 0 and rows["s1.ping"]["module_processes"] >= 1
    assert rows["s1.role"]["module_processes"] == rows["s1.naive"]["module_processes"] == 0  # in-process
    # ... and the module-process rows ran one module process per converge task (per user for the loop)
    assert rows["s1.role_module"]["module_processes"] == 1, rows["s1.role_module"]
    assert rows["s1.naive_module"]["module_processes"] == sizes["s1_declared"], rows["s1.naive_module"]
    module_fleet = rows["s3.forks%d.first_module" % max(forks)]
    assert module_fleet["module_processes"] == sizes["s3_customers"], module_fleet
    assert data["derived"]["s3"]["customers_in_flight"] > 0, data["derived"]["s3"]
    # scenario 7 (its no-op is in the table below): exactly the renamed users' PATCHes
    customers = sizes["s7_customers"]
    assert rows["s7.changed"]["requests"]["writes"] == rows["s7.changed"]["requests"]["patch"] > 0
    assert rows["s7.debug"]["requests"]["total"] == 0 and rows["s7.ping"]["module_processes"] >= customers
    for key in ("s2.p1", "s2.p4", "s2.p8", "s2.p4_throttled"):
        assert rows[key]["extra"]["ratio"] > 0, (key, rows[key])

    def req(key):
        return rows[key]["requests"]

    # No-op converges: ceil(active / 500) list calls per customer, no deleted listing, no writes.
    noop = {
        "s1.role": pages(sizes["s1_existing"]),
        "s1.naive": sizes["s1_declared"] * pages(sizes["s1_existing"]),
        "s1.role_module": pages(sizes["s1_existing"]),
        "s1.naive_module": sizes["s1_declared"] * pages(sizes["s1_existing"]),
        "s5.role": pages(sizes["s5_existing"]),
        "s4.cache_on": sizes["s4_tasks"],
        "s4.cache_off": sizes["s4_tasks"],
        "s7.noop": sizes["s7_customers"] * pages(sizes["s7_users"]),
        "s7.fleet": sizes["s7_customers"] * pages(sizes["s7_users"]),
    }
    for f in forks:
        noop["s3.forks%d.second" % f] = sizes["s3_customers"] * pages(sizes["s3_users"])
    for key, lists in noop.items():
        assert (req(key)["list"], req(key)["list_deleted"], req(key)["writes"]) == (lists, 0, 0), (key, req(key))
    assert req("s1.ping")["total"] == req("s1.start")["total"] == 0

    # Creates: one POST per new user, every user there afterwards, also with 429s.
    for key in ("s2.p1", "s2.p4", "s2.p8"):
        assert req(key)["create"] == sizes["s2_users"], (key, req(key))
        assert req(key)["patch"] == req(key)["delete"] == 0, (key, req(key))
    throttled = rows["s2.p4_throttled"]
    assert throttled["extra"]["created"] == [sizes["s2_users"]], throttled
    assert req("s2.p4_throttled")["throttled"] > 0, req("s2.p4_throttled")
    for first in [rows["s3.forks%d.first" % f] for f in forks] + [module_fleet]:
        assert first["requests"]["create"] == sizes["s3_customers"] * sizes["s3_users"], first
        assert first["extra"]["created"] == [sizes["s3_customers"] * sizes["s3_users"]], first

    # Tokens: one per credential per playbook run with the cache, one per task without it;
    # steady-state rows find the token cached.
    assert req("s4.cache_on")["token"] == 1, req("s4.cache_on")
    assert req("s4.cache_off")["token"] == sizes["s4_tasks"], req("s4.cache_off")
    for key in ("s1.role", "s1.naive", "s2.p4", "s5.role"):
        assert req(key)["token"] == 0, (key, req(key))

    # Conflict lookups: the setup run creates the users, the second run's only writes are its
    # POSTs (refused or not) and every user exists once afterwards.
    declared = sizes["s6_declared"]
    assert req("s6.setup")["create"] == declared, req("s6.setup")
    assert req("s6.conflicts")["writes"] == req("s6.conflicts")["create"] <= declared, req("s6.conflicts")
    assert rows["s6.conflicts"]["extra"]["active_after"] == sizes["s6_existing"] + declared, rows["s6.conflicts"]
    assert req("s6.conflicts")["list"] >= pages(sizes["s6_existing"]), req("s6.conflicts")
    assert "s6" in data["derived"] and data["derived"]["s6"]["list_bound"] > 0, data["derived"].get("s6")

    # Graph no-op: the same PC listings with and without Graph fields, Graph's minimum per customer, ratios reported.
    assert req("s11.plain")["list"] == req("s11.graph")["list"] == sizes["s11_customers"], (req("s11.plain"), req("s11.graph"))
    s11 = data["derived"]["s11"]
    assert s11["wall_ratio"] > 0 and s11["cpu_ratio"] > 0, s11
    assert all(counts == dict(s11["minimum_per_customer"], **({"token": counts["token"]} if "token" in counts
                                                              else {}))
               for counts in s11["graph_requests_per_customer"].values()), s11
    assert any(c["name"].startswith("s11: a Graph no-op costs") and c["ok"] for c in data["checks"]), data["checks"]

    # The benchmark's own deterministic checks agree.
    failed = [check for check in data["checks"] if check["kind"] == "count" and not check["ok"]]
    assert not failed, failed

    # scenario 9: the inventory plugin's fleets, the controller's memory measured, the picture drawn
    for fleet in sizes["s9_fleets"]:
        for run in ("floor", "noop", "fleet", "changed"):
            details = rows["s9.%s.%d" % (run, fleet)]["run_details"][0]
            assert details["controller_rss_mb"] > 0 and details["total_cpu_s"] > 0, details
    assert (tmp_path / "out" / "fleet-size.svg").read_text().startswith("<svg"), data["derived"]["s9"]
    # scenario 10: both sliced jobs converged; the budget held the job to its rate
    s10 = data["derived"]["s10"]
    assert s10["paced"]["rcs"] == [0] * sizes["s10_slices"], s10
    assert s10["unpaced"]["throttled"] > 0, s10
    assert s10["paced"]["most_in_a_second"] <= sizes["s10_request_rate"] + sizes["s10_slices"], s10
