# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report: the Markdown file, the JSON file and the text table printed at the end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .common import REPO_ROOT

COLUMNS = ("Scenario", "Variant", "Token cache", "Runs", "Wall s (median)", "token", "list", "list deleted",
           "create", "patch", "delete", "429", "Peak RSS MB", "CPU s modules / all / emulator", "Notes")


def table_rows(bench) -> list:
    out = []
    for row in bench.rows:
        req = row.requests
        wall = "%.2f" % row.wall if row.wall is not None else "-"
        if not row.ok:
            wall += " FAILED"
        out.append([row.scenario, row.variant, row.cache, str(len(row.runs)), wall,
                    str(req.get("token", "-")), str(req.get("list", "-")), str(req.get("list_deleted", "-")),
                    str(req.get("create", "-")), str(req.get("patch", "-")), str(req.get("delete", "-")),
                    str(req.get("throttled", "-")),
                    "%.0f" % row.peak_rss_mb if row.peak_rss_mb is not None else "-",
                    " / ".join("%.1f" % v if v is not None else "-"
                               for v in (row.module_cpu, row.tree_cpu, row.emulator_cpu)),
                    "; ".join(row.notes)])
    return out


def markdown(bench, meta: dict, checks: list) -> str:
    lines = ["# csp.partnercenter benchmark", ""]
    lines.append("Date %s, `nproc` %s, load average at start %s / end %s, %s, ansible-core %s, Python %s." % (
        meta["date"], meta["nproc"], meta["loadavg_start"], meta["loadavg_end"], meta["platform"],
        meta["ansible_core"], meta["python"]))
    lines.append("Size `%s`, emulator latency %d ms per request (token endpoint included), repeat %d "
                 "(median of that many runs for the cheap rows), total %.0f s." % (
                     meta["scale"], meta["latency_ms"], meta["repeat"], meta["elapsed_s"]))
    runs_load = meta.get("loadavg_runs")
    if runs_load:
        lines.append("1-minute load average before each run: min %.2f, median %.2f, max %.2f." % (
            runs_load["min"], runs_load["median"], runs_load["max"]))
        if runs_load["median"] > (meta["nproc"] or 1):
            lines.append("")
            lines.append("**Warning:** the machine was busy (median load above `nproc`); the benchmark's own "
                         "playbooks account for about 1 of it, the rest is other work. Wall times are "
                         "pessimistic, request counts are not affected.")
    lines.append("")
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join(["---"] * len(COLUMNS)) + "|")
    for cells in table_rows(bench):
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines.append("")
    lines.append("Requests are counted by the emulator per playbook run (the last run when several): `list` = "
                 "active-user pages, `list deleted` = listings with a `filter` (deleted users), `patch` = PATCH "
                 "user and reset password, `429` = throttled answers (included in the route counts). Peak RSS "
                 "is the largest module process of the run (wait4 `ru_maxrss`); CPU is user + system time (median over the "
                 "row's runs) of all module processes of the run, of ansible-playbook with everything it started "
                 "(modules included), and of the emulator. Token cache: `warm` = a token "
                 "was cached before timing; `cold` = fresh cache directory; `off` = PARTNERCENTER_TOKEN_CACHE=false.")
    if checks:
        lines += ["", "## Checks", ""]
        for check in checks:
            lines.append("- %s **%s** (%s): %s" % ("PASS" if check.ok else "FAIL", check.name, check.kind,
                                                   check.detail))
    lines.append("")
    return "\n".join(lines)


def json_text(bench, meta: dict, checks: list) -> str:
    return json.dumps(dict(meta=meta, rows=[r.to_dict() for r in bench.rows], derived=bench.derived,
                           checks=[c.to_dict() for c in checks]), indent=1, default=str) + "\n"


def text_table(bench) -> str:
    headers = list(COLUMNS)
    rows = table_rows(bench)
    widths = [min(60, max(len(h), *(len(r[i]) for r in rows))) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells):
        return "  ".join(c[:w].ljust(w) if i < len(cells) - 1 else c for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def write(bench, meta: dict, checks: list, markdown_path: Path, json_path: Path) -> None:
    for path, text in ((markdown_path, markdown(bench, meta, checks)), (json_path, json_text(bench, meta, checks))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def ansible_version(ansible_playbook: str) -> str:
    try:
        out = subprocess.run([ansible_playbook, "--version"], capture_output=True, text=True, timeout=60,
                             check=False).stdout
        first = out.splitlines()[0]
        return first.split("core", 1)[-1].strip(" ]") if "core" in first else first
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
