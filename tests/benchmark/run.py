# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance benchmark of csp.partnercenter against the Partner Center emulator.

Usage (from the collection root)::

    python tests/benchmark/run.py                 # full size, prints a table, writes bench-results/
    python tests/benchmark/run.py --check         # full size, exit 1 when a target is missed
    python tests/benchmark/run.py --quick         # every scenario at a tiny size (smoke test)
    python tests/benchmark/run.py --scenarios 6   # one scenario (numbers: see --help)
    python -m tests.benchmark ...                 # the same

Every scenario runs real ``ansible-playbook`` processes against one emulator process
with a per-request latency (``--latency-ms``, default 80).  Wall time is measured around
``ansible-playbook``; requests come from the emulator's request log; the peak memory of
each module process comes from a small interpreter wrapper (``ansible_python_interpreter``)
that forks the real interpreter and logs ``ru_maxrss`` of that child from ``wait4()``.
This file is the command line; ``measure.py`` runs and measures, ``report.py`` writes the
results, ``checks.py`` holds the checks over every row, and ``scenarios/`` one file per
scenario with its runs and its checks.  See tests/benchmark/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # tests/: the package is ``benchmark``

from benchmark import report, scenarios as registry  # noqa: E402  pylint: disable=wrong-import-position
from benchmark.checks import Check, evaluate  # noqa: E402  pylint: disable=wrong-import-position
from benchmark.common import log  # noqa: E402  pylint: disable=wrong-import-position
from benchmark.measure import Bench, loadavg  # noqa: E402  pylint: disable=wrong-import-position

# name, latency per request (ms), timed runs of each cheap row
SCALES = {"full": ("full", 80, 3), "tiny": ("tiny", 5, 1)}


def parse_args(argv, scenarios):
    numbers = [s.NUMBER for s in scenarios]
    parser = argparse.ArgumentParser(prog="tests/benchmark/run.py", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", "--scale-tiny", dest="quick", action="store_true",
                        help="every scenario at a tiny size with a small latency (smoke test)")
    parser.add_argument("--scale", choices=sorted(SCALES), help="same as --quick when 'tiny'")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a target is missed (timing targets need the full size)")
    parser.add_argument("--latency-ms", type=int, help="emulator latency per request (default 80; 5 with --quick)")
    parser.add_argument("--repeat", type=int, help="timed runs per cheap row, the median is reported "
                                                   "(default 3; 1 with --quick)")
    parser.add_argument("--scenarios", "--scenario", default=",".join(numbers),
                        help="comma-separated subset, e.g. 1,4 (%s)" % ", ".join(
                            "%s = %s" % (s.NUMBER, s.TITLE.split(" ", 1)[1]) for s in scenarios))
    parser.add_argument("--output-dir", default="bench-results", help="where benchmark.md/.json go")
    parser.add_argument("--markdown", help="Markdown output file (default OUTPUT_DIR/benchmark.md)")
    parser.add_argument("--json", help="JSON output file (default OUTPUT_DIR/benchmark.json)")
    parser.add_argument("--collections-path", default=os.environ.get("PCBENCH_COLLECTIONS_PATH"),
                        help="directory holding ansible_collections/csp/partnercenter (default: "
                             "ANSIBLE_COLLECTIONS_PATH, else the staged tree this file is in, else a symlink "
                             "to this checkout)")
    parser.add_argument("--python", help="interpreter for modules and the emulator (default: this one)")
    parser.add_argument("--ansible-playbook", help="ansible-playbook to run (default: next to --python)")
    parser.add_argument("--workdir", help="keep playbooks, inventories and outputs here (default: a temporary "
                                          "directory, removed unless a run fails)")
    args = parser.parse_args(argv)
    if args.scale == "tiny":
        args.quick = True
    name, latency_ms, repeat = SCALES["tiny" if args.quick else "full"]
    if args.latency_ms is None:
        args.latency_ms = latency_ms
    scale = dict(name=name, latency_ms=args.latency_ms, repeat=repeat)
    if args.repeat is None:
        args.repeat = repeat
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in args.scenario_list if s not in numbers]
    if unknown:
        parser.error("unknown scenarios %s (choose from %s)" % (unknown, ", ".join(numbers)))
    return args, scale


def main(argv=None) -> int:
    scenarios = registry.load()
    args, scale = parse_args(argv, scenarios)
    selected = [(s, s.TINY if args.quick else s.FULL) for s in scenarios if s.NUMBER in args.scenario_list]
    markdown_path = Path(args.markdown or Path(args.output_dir) / "benchmark.md").resolve()
    json_path = Path(args.json or Path(args.output_dir) / "benchmark.json").resolve()
    if args.workdir:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="pcbench-"))
    started = time.monotonic()
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                nproc=os.cpu_count(), loadavg_start=loadavg(), scale=scale["name"], latency_ms=args.latency_ms,
                repeat=args.repeat, python=platform.python_version(), platform=platform.platform(terse=True),
                commit=report.git_commit(), scenarios=args.scenario_list,
                sizes=dict(scale, **registry.sizes(scenarios, args.quick)))
    log("size %s, latency %d ms, repeat %d, workdir %s" % (scale["name"], args.latency_ms, args.repeat, workdir))
    bench = Bench(args, workdir, args.latency_ms)
    meta["ansible_core"] = report.ansible_version(bench.ansible_playbook)
    meta["collections_path"] = bench.collections
    error = None
    try:
        for scenario, size in selected:
            log("scenario %s" % scenario.NUMBER)
            scenario.run(bench, size)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        error = "%s: %s" % (type(exc).__name__, exc)
        log("benchmark aborted: " + error)
    finally:
        bench.stop()
    meta.update(elapsed_s=time.monotonic() - started, loadavg_end=loadavg())
    loads = sorted(float(r.load_before) for row in bench.rows for r in row.runs if r.load_before not in ("", "n/a"))
    if loads:
        meta["loadavg_runs"] = dict(min=loads[0], median=statistics.median(loads), max=loads[-1])

    checks = evaluate(bench, selected, timing=not args.quick)
    if error:
        checks.insert(0, Check("the benchmark ran to the end", False, error, "count"))
    report.write(bench, meta, checks, markdown_path, json_path)

    print(report.text_table(bench))
    print()
    for check in checks:
        print("%s  %s: %s" % ("PASS" if check.ok else "FAIL", check.name, check.detail))
    print("\nwrote %s and %s" % (markdown_path, json_path))

    failed_checks = [c for c in checks if not c.ok]
    runs_failed = error is not None or bench.aux_failures or any(not r.ok for r in bench.rows)
    if runs_failed or args.workdir:
        log("playbooks, inventories and outputs kept in %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.check and failed_checks:
        print("\nbench-check FAILED: %s" % "; ".join(c.name for c in failed_checks), file=sys.stderr)
        return 1
    return 1 if runs_failed else 0


if __name__ == "__main__":
    sys.exit(main())
