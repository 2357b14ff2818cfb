# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks (``--check``): the ones over every row here, each scenario's own in its file."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds, in the order the report lists them.  "count": deterministic, any size (the
# smoke test asserts them).  "concurrency": request counts that depend on how parallel
# module processes race (any size).  "conflict": lookups after 409s, which depend on when
# the emulator makes users visible (any size).  "timing": full size only.
KINDS = ("count", "concurrency", "conflict", "timing")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    kind: str

    def to_dict(self):
        return dict(name=self.name, ok=self.ok, detail=self.detail, kind=self.kind)


def noop(bench, key: str, expected_list: int) -> list:
    """A no-op converge makes ``expected_list`` list calls, no deleted-users listing and no writes."""
    row = bench.get(key)
    if row is None:
        return []
    bad = [(r.requests["list"], r.requests["list_deleted"], r.requests["writes"]) for r in row.runs
           if (r.requests["list"], r.requests["list_deleted"], r.requests["writes"]) != (expected_list, 0, 0)]
    return [Check("no-op %s: %d list calls, no deleted-users listing, no writes" % (key, expected_list), not bad,
                  "got (list, deleted listing, writes) = %s" % bad if bad else "ok in %d run(s)" % len(row.runs),
                  "count")]


def common(bench) -> list:
    """Every playbook run succeeded; at most one token request per credential per playbook run."""
    failed = [r.key for r in bench.rows if not r.ok] + ["%s (%s)" % (r.label, r.run_dir) for r in bench.aux_failures]
    checks = [Check("every playbook run succeeded", not failed,
                    "failed: %s" % ", ".join(failed) if failed else "%d rows, all rc 0" % len(bench.rows), "count")]
    # One module process at a time: deterministic.  Several at once (fleet with forks > 1):
    # depends on how the processes race for the empty cache, so it is its own kind.
    for kind, rows in (("count", [r for r in bench.rows if not r.concurrent]),
                       ("concurrency", [r for r in bench.rows if r.concurrent])):
        if not rows:
            continue
        multi = ["%s: %d" % (run.label, run.requests["token"]) for row in rows if row.cache != "off"
                 for run in row.runs if run.requests.get("token", 0) > 1]
        checks.append(Check("token requests: at most one per credential per playbook run (cache on, %s)"
                            % ("one module process at a time" if kind == "count" else "forks > 1"), not multi,
                            "more than one in: %s" % "; ".join(multi) if multi else "ok in every run with the cache on",
                            kind))
    return checks


def evaluate(bench, scenarios, timing: bool) -> list:
    """The common checks and those of each scenario that ran, deterministic kinds first."""
    checks = common(bench)
    for scenario, size in scenarios:
        checks += scenario.checks(bench, size, timing)
    return sorted(checks, key=lambda check: KINDS.index(check.kind))
