# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 9, fleet size: the role over 200, 500 and 1,000 customers named by the inventory plugin.

As a partner runs it: the customers inventory plugin lists the customers and names one host each,
their users in ``host_vars/``; for each fleet size, the role with every user converged (no-op) and
with 10 % of the users renamed.  Per size: wall, controller CPU per customer, the peak RSS of the
largest ``ansible-playbook`` process, and the requests.  The cost per customer must grow no faster
than the fleet (1,000 customers within 1.2x of 200's per customer), and the controller's memory must
stay bounded.  ``fleet-size.svg`` in the output directory draws wall and CPU per customer against the
fleet size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..checks import Check
from ..common import customer_id, customer_seed, fleet_form_play, fmt_ratio, log, pages, role_play
from .s7_fleet_scale import declared, floor_play

NUMBER = "9"
TITLE = "9 fleet size"
TARGET_GROWTH = 1.2        # cost per customer of the largest fleet over the smallest's
TARGET_PEAK_RSS_MB = 1024  # the controller's largest process at the largest fleet
RUNS = {"noop": "no-op", "fleet": "no-op in the large-fleet form", "changed": "10 % changed"}


@dataclass(frozen=True)
class Sizes:
    fleets: tuple
    users: int
    forks: int
    changed_percent: int


FULL = Sizes(fleets=(200, 500, 1000), users=5, forks=20, changed_percent=10)
TINY = Sizes(fleets=(4, 8), users=2, forks=3, changed_percent=50)


def run(bench, s: Sizes) -> None:
    per_size = {}
    for fleet in s.fleets:
        names = ["fleet%04d" % n for n in range(1, fleet + 1)]
        seed = [customer_seed(n, s.users) for n in names]
        same = declared(names, s, changed=False)[0]
        renamed_hosts, renamed = declared(names, s, changed=True)
        bench.reset(seed, **bench.config())
        cache = bench.steady_cache("s9-%d" % fleet, names[0], customer_id(names[0]))
        info = "%d customers x %d users, forks %d, inventory plugin" % (fleet, s.users, s.forks)
        floor = bench.row("s9.floor.%d" % fleet, TITLE, "floor: one-task debug play, " + info, "-", concurrent=True)
        noop = bench.row("s9.noop.%d" % fleet, TITLE, "role no-op, " + info, "warm", concurrent=True)
        fleet_form = bench.row("s9.fleet.%d" % fleet, TITLE, "role no-op, large-fleet form, " + info, "warm",
                               concurrent=True)
        changed = bench.row("s9.changed.%d" % fleet, TITLE, "role, %d %% renamed (%d), %s"
                            % (s.changed_percent, renamed, info), "warm", concurrent=True)
        floor.runs.append(bench.run("s9 debug floor %d" % fleet, floor_play("ansible.builtin.debug"), same, cache,
                                    forks=s.forks, inventory_plugin=True, measure_controller=True))
        noop.runs.append(bench.run("s9 no-op %d" % fleet, role_play(), same, cache, forks=s.forks,
                                   inventory_plugin=True, measure_controller=True))
        fleet_form.runs.append(bench.run("s9 fleet form no-op %d" % fleet, fleet_form_play(), same, cache,
                                         forks=s.forks, inventory_plugin=True, measure_controller=True))
        bench.reset(seed, **bench.config())
        changed.runs.append(bench.run("s9 changed %d" % fleet, role_play(), renamed_hosts, cache, forks=s.forks,
                                      inventory_plugin=True, measure_controller=True))
        per_size[fleet] = dict(
            renamed=renamed,
            floor=_figures(floor.runs[-1], fleet), noop=_figures(noop.runs[-1], fleet),
            fleet=_figures(fleet_form.runs[-1], fleet), changed=_figures(changed.runs[-1], fleet))
        per_size[fleet]["noop_cpu_over_floor"] = _ratio(per_size[fleet]["noop"]["cpu_per_customer_s"],
                                                        per_size[fleet]["floor"]["cpu_per_customer_s"])
        for row, key in ((floor, "floor"), (noop, "noop"), (fleet_form, "fleet"), (changed, "changed")):
            f = per_size[fleet][key]
            row.notes.append("per customer: wall %.3f s, CPU %.3f s; controller peak %s MB" % (
                f["wall_per_customer_s"], f["cpu_per_customer_s"] or 0, f["controller_rss_mb"]))
        noop.notes.append("CPU over the debug floor's %s" % fmt_ratio(per_size[fleet]["noop_cpu_over_floor"]))
    smallest, largest = min(s.fleets), max(s.fleets)
    growth = dict((key, dict((figure, _ratio(per_size[largest][key][figure], per_size[smallest][key][figure]))
                             for figure in ("wall_per_customer_s", "cpu_per_customer_s")))
                  for key in ("floor", "noop", "fleet", "changed"))
    growth["noop_cpu_over_floor"] = _ratio(per_size[largest]["noop_cpu_over_floor"],
                                           per_size[smallest]["noop_cpu_over_floor"])
    bench.derived["s9"] = dict(fleets=list(s.fleets), per_size=dict((str(k), v) for k, v in per_size.items()),
                               growth=growth, smallest=smallest, largest=largest)
    path = Path(bench.args.output_dir) / "fleet-size.svg"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(picture(per_size), encoding="utf-8")
        bench.derived["s9"]["picture"] = str(path)
        log("wrote %s" % path)
    except OSError as exc:
        log("could not write %s: %s" % (path, exc))


def _figures(result, fleet):
    return dict(wall_s=round(result.wall, 2), wall_per_customer_s=result.wall / fleet,
                cpu_per_customer_s=(result.tree_cpu / fleet) if result.tree_cpu else None,
                controller_rss_mb=round(result.controller_rss_mb, 1) if result.controller_rss_mb else None,
                requests=result.requests)


def _ratio(a, b):
    return a / b if a and b else None


def checks(bench, s: Sizes, timing: bool) -> list:
    d = bench.derived.get("s9")
    if d is None:
        return []
    out = []
    for fleet in s.fleets:
        sizes = d["per_size"][str(fleet)]
        noop, changed = sizes["noop"]["requests"], sizes["changed"]["requests"]
        fleet_form = sizes["fleet"]["requests"]
        lists = fleet * pages(s.users)
        out.append(Check("s9 %d customers: no-op (both forms) lists each customer once and writes nothing; 10 %% "
                         "changed writes exactly the renamed users' PATCHes" % fleet,
                         (noop["list"], noop["writes"], fleet_form["list"], fleet_form["writes"], changed["list"],
                          changed["patch"], changed["writes"])
                         == (lists, 0, lists, 0, lists, sizes["renamed"], sizes["renamed"]),
                         "no-op (list %s, writes %s); large-fleet form (list %s, writes %s); changed (list %s, patch "
                         "%s, writes %s), expected %d lists, %d PATCHes" % (
                             noop["list"], noop["writes"], fleet_form["list"], fleet_form["writes"], changed["list"],
                             changed["patch"], changed["writes"], lists, sizes["renamed"]), "count"))
    if not timing:
        return out
    largest = d["per_size"][str(d["largest"])]
    for key in ("noop", "fleet", "changed"):
        growth = d["growth"][key]
        out.append(Check("s9 %s: cost per customer at %d customers within %gx of %d's (wall and controller CPU)"
                         % (RUNS[key], d["largest"], TARGET_GROWTH, d["smallest"]),
                         all(g is not None and g <= TARGET_GROWTH for g in growth.values()),
                         "wall %s, CPU %s per customer" % (
                             fmt_ratio(growth["wall_per_customer_s"]), fmt_ratio(growth["cpu_per_customer_s"])),
                         "timing"))
    peaks = [largest[key]["controller_rss_mb"] for key in ("noop", "fleet", "changed")]
    out.append(Check("s9: the controller's largest process stays under %d MB at %d customers"
                     % (TARGET_PEAK_RSS_MB, d["largest"]),
                     all(p is not None and p <= TARGET_PEAK_RSS_MB for p in peaks),
                     "peak RSS %s MB (no-op, large-fleet form no-op, changed)" % peaks, "timing"))
    return out


# --------------------------------------------------------------------------- the picture


def picture(per_size: dict) -> str:
    """An SVG (no plotting library needed) of wall and controller CPU per customer against fleet size."""
    width, height, left, right, top, bottom = 640, 360, 70, 150, 30, 50
    fleets = sorted(per_size)
    series = [("no-op wall", "noop", "wall_per_customer_s", "#1f77b4", ""),
              ("no-op CPU", "noop", "cpu_per_customer_s", "#1f77b4", "6,4"),
              ("10 % changed wall", "changed", "wall_per_customer_s", "#d62728", ""),
              ("10 % changed CPU", "changed", "cpu_per_customer_s", "#d62728", "6,4"),
              ("large-fleet form CPU", "fleet", "cpu_per_customer_s", "#2ca02c", "6,4"),
              ("debug floor CPU", "floor", "cpu_per_customer_s", "#7f7f7f", "2,3")]
    values = [per_size[f][k][m] for _l, k, m, _c, _d in series for f in fleets if per_size[f][k][m]]
    top_value = max(values or [1.0]) * 1.15
    span = (max(fleets) - min(fleets)) or 1

    def x(fleet):
        return left + (fleet - min(fleets)) * (width - left - right) / span

    def y(value):
        return top + (1 - value / top_value) * (height - top - bottom)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">Seconds per customer against fleet size</text>' % left,
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
               left, height - bottom, width - right, height - bottom),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, top, left, height - bottom)]
    for step in range(5):
        value = top_value * step / 4
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.3f</text>' % (left - 6, y(value) + 4, value))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, y(value), width - right,
                                                                                  y(value)))
    for fleet in fleets:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x(fleet), height - bottom + 16, fleet))
    out.append('<text x="%d" y="%d" text-anchor="middle">customers</text>' % ((left + width - right) // 2,
                                                                              height - 12))
    for index, (label, key, figure, colour, dash) in enumerate(series):
        points = [(x(f), y(per_size[f][key][figure])) for f in fleets if per_size[f][key][figure]]
        if not points:
            continue
        out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>' % (
            colour, ' stroke-dasharray="%s"' % dash if dash else "",
            " ".join("%.1f,%.1f" % p for p in points)))
        out.extend('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px, py, colour) for px, py in points)
        legend_y = top + 10 + index * 18
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' % (
            width - right + 10, legend_y, width - right + 34, legend_y, colour,
            ' stroke-dasharray="%s"' % dash if dash else ""))
        out.append('<text x="%d" y="%d">%s</text>' % (width - right + 40, legend_y + 4, label))
    out.append("</svg>")
    return "\n".join(out) + "\n"
