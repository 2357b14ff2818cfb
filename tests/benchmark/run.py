# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance benchmark of csp.partnercenter against the Partner Center emulator.

Usage (from the collection root)::

    python tests/benchmark/run.py                 # full size, prints a table, writes bench-results/
    python tests/benchmark/run.py --check         # full size, exit 1 when a target is missed
    python tests/benchmark/run.py --quick         # every scenario at a tiny size (smoke test)
    python -m tests.benchmark ...                 # the same

Every scenario runs real ``ansible-playbook`` processes against one emulator process
with a per-request latency (``--latency-ms``, default 80).  Wall time is measured around
``ansible-playbook``; requests come from the emulator's request log; the peak memory of
each module process comes from a small interpreter wrapper (``ansible_python_interpreter``)
that forks the real interpreter and logs ``ru_maxrss`` of that child from ``wait4()``.
See tests/benchmark/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
EMULATOR_SCRIPT = REPO_ROOT / "tests" / "emulator" / "pcemu.py"
PASSWORD = "Bench-Passw0rd!"
PAGE_SIZE = 500  # what the collection asks for; the emulator's max_page_size
ROLE = "csp.partnercenter.customer_users"
MODULE = "csp.partnercenter.partnercenter_user"
GROUP = "partnercenter_customers"
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Scale:
    name: str
    latency_ms: int
    repeat: int
    s1_existing: int
    s1_declared: int
    s2_users: int
    s2_parallelism: tuple
    s2_throttle_rate: float
    s2_retry_after: int
    s3_customers: int
    s3_users: int
    s3_forks: tuple
    s4_tasks: int
    s5_existing: int
    s5_declared: int


FULL = Scale("full", latency_ms=80, repeat=3, s1_existing=1000, s1_declared=100, s2_users=300,
             s2_parallelism=(1, 4, 8), s2_throttle_rate=0.05, s2_retry_after=1, s3_customers=40, s3_users=25,
             s3_forks=(1, 10), s4_tasks=20, s5_existing=20000, s5_declared=50)
TINY = Scale("tiny", latency_ms=5, repeat=1, s1_existing=20, s1_declared=3, s2_users=12,
             s2_parallelism=(1, 4, 8), s2_throttle_rate=0.1, s2_retry_after=1, s3_customers=3, s3_users=4,
             s3_forks=(1, 3), s4_tasks=3, s5_existing=600, s5_declared=10)

# Targets for --check (full size only for the timing ones).
TARGET_NAIVE_OVER_ROLE = 20.0
TARGET_ROLE_OVER_PING = 2.0
TARGET_CREATE_RATIO = 1.3
TARGET_CREATE_PARALLELISM = 4
TARGET_FLEET_SPEEDUP = 2.5
TARGET_FLEET_OVER_CPU_FLOOR = 1.2
TARGET_PEAK_RSS_MB = 150.0


def pages(users: int) -> int:
    """List requests for one walk over ``users`` active users (an empty customer still costs one)."""
    return max(1, math.ceil(users / PAGE_SIZE))


# --------------------------------------------------------------------------- small helpers


def log(message: str) -> None:
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def customer_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://csp.partnercenter/benchmark/" + name))


def customer_seed(name: str, existing: int = 0) -> dict:
    entry = {"id": customer_id(name), "companyName": "Bench %s" % name, "domain": "%s.onmicrosoft.com" % name}
    if existing:
        entry["generate_users"] = {"count": existing, "prefix": "user"}
    return entry


def existing_users(name: str, count: int, total: int) -> list:
    """Declarations that match the emulator's generated users exactly (a no-op converge)."""
    width = max(5, len(str(total)))
    users = []
    for n in range(1, count + 1):
        number = str(n).zfill(width)
        users.append({"user_principal_name": "user%s@%s.onmicrosoft.com" % (number, name),
                      "first_name": "User", "last_name": number, "display_name": "User %s" % number,
                      "usage_location": "US", "password": PASSWORD})
    return users


def new_users(name: str, count: int) -> list:
    return [{"user_principal_name": "new%05d@%s.onmicrosoft.com" % (n, name), "first_name": "New",
             "last_name": "%05d" % n, "display_name": "New %05d" % n, "usage_location": "US",
             "password": PASSWORD} for n in range(1, count + 1)]


def dump_yaml(data) -> str:
    # JSON is valid YAML and needs no third-party library.
    return json.dumps(data, indent=1) + "\n"


def collections_path(explicit: str | None, workdir: Path) -> str:
    """Where ansible-playbook finds csp.partnercenter.

    ``--collections-path``, else ``ANSIBLE_COLLECTIONS_PATH``, else the real
    ``ansible_collections`` tree this checkout sits in (the staged copy), else a
    temporary tree whose ``csp/partnercenter`` is a symlink to this checkout.
    """
    if explicit:
        return os.path.abspath(explicit)
    from_env = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS")
    if from_env:
        return from_env
    if REPO_ROOT.parent.name == "csp" and REPO_ROOT.parent.parent.name == "ansible_collections":
        return str(REPO_ROOT.parents[2])
    tree = workdir / "collections"
    link = tree / "ansible_collections" / "csp" / "partnercenter"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    return str(tree)


WRAPPER_TEMPLATE = '''#!{wrapper_python} -SE
# Generated by tests/benchmark/run.py.  Used as ansible_python_interpreter: runs the real
# interpreter as a child and appends that child's peak RSS (wait4 rusage) and wall time to
# the file named by PCBENCH_MODULE_LOG.  The child is the module process itself (AnsiballZ
# runs the module in the interpreter it was started with).
import json
import os
import sys
import time

REAL = {real_python!r}
started = time.time()
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(REAL, [REAL] + sys.argv[1:])
    finally:
        os._exit(127)
while True:
    try:
        _, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
wall = time.monotonic() - t0
path = os.environ.get("PCBENCH_MODULE_LOG")
if path:
    script = next((a for a in sys.argv[1:] if a.endswith(".py")), "")
    name = os.path.basename(script)[:-3]
    if name.startswith("AnsiballZ_"):
        name = name[len("AnsiballZ_"):]
    with open(path, "a") as handle:
        handle.write(json.dumps({{"module": name or "(stdin)", "maxrss_kb": usage.ru_maxrss, "wall": wall,
                                  "user": usage.ru_utime, "sys": usage.ru_stime, "started": started,
                                  "status": os.waitstatus_to_exitcode(status)}}) + "\\n")
sys.exit(os.waitstatus_to_exitcode(status))
'''


def write_wrapper(path: Path, real_python: str) -> Path:
    path.write_text(WRAPPER_TEMPLATE.format(wrapper_python=real_python, real_python=real_python),
                    encoding="utf-8")
    path.chmod(0o755)
    return path


# --------------------------------------------------------------------------- emulator


class EmulatorError(RuntimeError):
    pass


class Emulator:
    """The emulator subprocess and a small client for its control API."""

    def __init__(self, workdir: Path, python: str):
        self.workdir = workdir
        info_path = workdir / "emulator-info.json"
        self.stderr_path = workdir / "emulator.stderr"
        command = [python, str(EMULATOR_SCRIPT), "--host", "127.0.0.1", "--port", "0",
                   "--info-file", str(info_path), "--quiet"]
        with open(workdir / "emulator.stdout", "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                command, cwd=str(REPO_ROOT), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                start_new_session=True)
        deadline = time.monotonic() + 30
        self.info = None
        while time.monotonic() < deadline and self.process.poll() is None:
            if info_path.exists():
                try:
                    self.info = json.loads(info_path.read_text(encoding="utf-8"))
                    break
                except ValueError:
                    pass
            time.sleep(0.05)
        if self.info is None:
            self.stop()
            raise EmulatorError("the emulator did not start: %s" % self.stderr_path.read_text(errors="replace"))
        context = ssl.create_default_context(cafile=self.info["ca_path"])
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   urllib.request.HTTPSHandler(context=context))

    def call(self, method: str, path: str, body=None, query=None, timeout: float = 120):
        if self.process.poll() is not None:
            raise EmulatorError("the emulator exited with code %s: %s" % (
                self.process.returncode, self.stderr_path.read_text(errors="replace")[-2000:]))
        url = self.info["control_url"].rstrip("/") + "/" + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise EmulatorError("%s %s -> HTTP %s: %s" % (method, url, exc.code, exc.read()[:500])) from exc
        return json.loads(raw.decode("utf-8")) if raw.strip() else None

    def reset(self, customers: list, **config):
        return self.call("POST", "reset", {"config": config, "seed": {"customers": customers}})

    def clear_requests(self):
        self.call("DELETE", "requests")

    def requests(self) -> list:
        return (self.call("GET", "requests") or {}).get("requests", [])

    def active_users(self, cid: str) -> int:
        state = self.call("GET", "state", query={"customer": cid})
        users = [u for c in state.get("customers", []) if c.get("id") == cid for u in c.get("users", [])]
        return sum(1 for u in users if u.get("state") == "active")

    def env(self) -> dict:
        info = self.info
        return {"PARTNERCENTER_API_URL": info["api_url"], "PARTNERCENTER_AUTHORITY": info["authority"],
                "PARTNERCENTER_CA_PATH": info["ca_path"], "PARTNERCENTER_TENANT_ID": info["tenant_id"],
                "PARTNERCENTER_CLIENT_ID": info["client_id"], "PARTNERCENTER_CLIENT_SECRET": info["client_secret"],
                "PARTNERCENTER_REFRESH_TOKEN": info["refresh_token"]}

    def stop(self):
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except OSError:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                self.process.kill()
            self.process.wait(timeout=10)


def count_requests(records: list) -> dict:
    """Requests by route, from the emulator's request log."""
    counts = dict(token=0, openid=0, list=0, list_deleted=0, create=0, patch=0, delete=0, other=0,
                  throttled=0, writes=0, total=len(records))
    for record in records:
        route = record.get("route")
        if record.get("status") == 429:
            counts["throttled"] += 1
        if route != "token" and str(record.get("method", "")).upper() in WRITE_METHODS:
            counts["writes"] += 1
        if route == "token":
            counts["token"] += 1
        elif route == "openid_config":
            counts["openid"] += 1
        elif route == "list_users":
            query = dict((str(k).lower(), v) for k, v in (record.get("query") or {}).items())
            counts["list_deleted" if query.get("filter") else "list"] += 1
        elif route == "create_user":
            counts["create"] += 1
        elif route in ("update_user", "reset_password"):
            counts["patch"] += 1
        elif route == "delete_user":
            counts["delete"] += 1
        else:
            counts["other"] += 1
    return counts


# --------------------------------------------------------------------------- playbook runs


@dataclass
class Run:
    label: str
    wall: float
    rc: int
    requests: dict
    modules: list
    run_dir: str
    output_tail: str = ""
    load_before: str = ""
    tree_cpu: float | None = None  # ansible-playbook and every process it started (modules included)
    emulator_cpu: float | None = None

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def _ours(self):
        ours = [m for m in self.modules if m["module"].startswith("partnercenter_")]
        return ours or self.modules

    @property
    def peak_rss_mb(self):
        procs = self._ours()
        return max(m["maxrss_kb"] for m in procs) / 1024.0 if procs else None

    @property
    def module_cpu(self):
        """CPU seconds (user + sys) of every module process of the run together."""
        return sum(m["user"] + m["sys"] for m in self.modules) if self.modules else None

    @property
    def module_wall(self):
        """Wall time of the longest module process (the one that did the work)."""
        procs = self._ours()
        return max(m["wall"] for m in procs) if procs else None

    def to_dict(self) -> dict:
        return dict(label=self.label, wall_s=round(self.wall, 3), rc=self.rc, requests=self.requests,
                    module_processes=len(self.modules),
                    peak_rss_mb=round(self.peak_rss_mb, 1) if self.peak_rss_mb is not None else None,
                    module_wall_s=round(self.module_wall, 3) if self.module_wall is not None else None,
                    module_cpu_s=round(self.module_cpu, 3) if self.module_cpu is not None else None,
                    total_cpu_s=round(self.tree_cpu, 3) if self.tree_cpu is not None else None,
                    emulator_cpu_s=round(self.emulator_cpu, 3) if self.emulator_cpu is not None else None,
                    load_before=self.load_before, run_dir=self.run_dir, **({"output_tail": self.output_tail} if not self.ok else {}))


@dataclass
class Row:
    """One line of the table: one variant of a scenario, possibly several timed runs."""
    key: str
    scenario: str
    variant: str
    cache: str
    runs: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def wall(self):
        return median([r.wall for r in self.runs])

    @property
    def module_wall(self):
        return median([r.module_wall for r in self.runs])

    @property
    def module_cpu(self):
        return median([r.module_cpu for r in self.runs])

    @property
    def tree_cpu(self):
        return median([r.tree_cpu for r in self.runs])

    @property
    def emulator_cpu(self):
        return median([r.emulator_cpu for r in self.runs])

    @property
    def requests(self) -> dict:
        # Request counts are deterministic; report those of the last run (all runs are in the JSON).
        return self.runs[-1].requests if self.runs else {}

    @property
    def peak_rss_mb(self):
        values = [r.peak_rss_mb for r in self.runs if r.peak_rss_mb is not None]
        return max(values) if values else None

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    def to_dict(self) -> dict:
        return dict(key=self.key, scenario=self.scenario, variant=self.variant, token_cache=self.cache,
                    runs=len(self.runs), ok=self.ok,
                    wall_s=round(self.wall, 3) if self.wall is not None else None,
                    walls_s=[round(r.wall, 3) for r in self.runs],
                    module_wall_s=round(self.module_wall, 3) if self.module_wall is not None else None,
                    module_cpu_s=round(self.module_cpu, 3) if self.module_cpu is not None else None,
                    total_cpu_s=round(self.tree_cpu, 3) if self.tree_cpu is not None else None,
                    emulator_cpu_s=round(self.emulator_cpu, 3) if self.emulator_cpu is not None else None,
                    requests=self.requests,
                    peak_rss_mb=round(self.peak_rss_mb, 1) if self.peak_rss_mb is not None else None,
                    notes=self.notes, extra=self.extra, run_details=[r.to_dict() for r in self.runs])


class Bench:
    def __init__(self, args, scale: Scale, workdir: Path):
        self.args = args
        self.scale = scale
        self.workdir = workdir
        self.python = args.python or sys.executable
        self.ansible_playbook = args.ansible_playbook or self._find_ansible_playbook()
        self.collections = collections_path(args.collections_path, workdir)
        self.wrapper = write_wrapper(workdir / "python-memwrap", self.python)
        self.latency_ms = scale.latency_ms
        self.emulator = Emulator(workdir, self.python)
        self.rows: list[Row] = []
        self.derived: dict = {}
        self._counter = 0
        self._shared_cache = None
        self.aux_failures: list[Run] = []  # untimed runs (warm-ups) that failed

    def _find_ansible_playbook(self) -> str:
        candidate = Path(self.python).parent / "ansible-playbook"
        if candidate.exists():
            return str(candidate)
        found = shutil.which("ansible-playbook")
        if not found:
            raise SystemExit("ansible-playbook not found next to %s nor on PATH" % self.python)
        return found

    # -- building blocks ----------------------------------------------------------

    def config(self, **extra) -> dict:
        config = {"latency_ms": self.latency_ms, "latency_on_token": True, "random_seed": 1,
                  "throttle_rate": 0.0, "retry_after": 1}
        config.update(extra)
        return config

    def new_dir(self, name: str) -> Path:
        self._counter += 1
        path = self.workdir / ("%03d-%s" % (self._counter, name))
        path.mkdir(parents=True)
        return path

    def cache_dir(self, name: str) -> Path:
        """A fresh token cache directory (0700, as the collection wants)."""
        path = self.new_dir("cache-" + name)
        path.chmod(0o700)
        return path

    def inventory(self, run_dir: Path, hosts: dict, group_vars: dict | None = None) -> Path:
        group = {"hosts": hosts}
        if group_vars:
            group["vars"] = group_vars
        inventory = {"all": {"vars": {"ansible_connection": "local",
                                      "ansible_python_interpreter": str(self.wrapper)},
                             "children": {GROUP: group}}}
        path = run_dir / "inventory.yml"
        path.write_text(dump_yaml(inventory), encoding="utf-8")
        return path

    def run(self, label: str, plays: list, hosts: dict, cache_dir: Path, *, cache: bool = True,
            forks: int | None = None, group_vars: dict | None = None, timeout: float = 3600) -> Run:
        run_dir = self.new_dir(re.sub(r"[^A-Za-z0-9_.=-]+", "_", label).strip("_"))
        playbook = run_dir / "playbook.yml"
        playbook.write_text(dump_yaml(plays), encoding="utf-8")
        inventory = self.inventory(run_dir, hosts, group_vars)
        (run_dir / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
        module_log = run_dir / "modules.jsonl"
        env = dict((k, v) for k, v in os.environ.items()
                   if not k.startswith("ANSIBLE_") and not k.startswith("PARTNERCENTER_"))
        no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY") or os.environ.get("no_proxy"),
                                          "127.0.0.1,localhost"]))
        env.update({
            "ANSIBLE_CONFIG": str(run_dir / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(run_dir / "local-tmp"),
            "ANSIBLE_REMOTE_TEMP": str(run_dir / "remote-tmp"),
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "PARTNERCENTER_TOKEN_CACHE_DIR": str(cache_dir),
            "PARTNERCENTER_TOKEN_CACHE": "true" if cache else "false",
            "PCBENCH_MODULE_LOG": str(module_log),
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        })
        env.update(self.emulator.env())
        cmd = [self.ansible_playbook, "-i", str(inventory), str(playbook)]
        if forks:
            cmd += ["--forks", str(forks)]
        self.emulator.clear_requests()
        load_before = loadavg()
        output_path = run_dir / "output.txt"
        cpu_before, emulator_before = children_cpu(), process_cpu(self.emulator.process.pid)
        started = time.monotonic()
        with open(output_path, "wb") as output:
            process = subprocess.Popen(cmd, cwd=str(run_dir), env=env, stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                       stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                rc = -9
        wall = time.monotonic() - started
        tree_cpu = children_cpu() - cpu_before
        emulator_after = process_cpu(self.emulator.process.pid)
        emulator_cpu = emulator_after - emulator_before if None not in (emulator_before, emulator_after) else None
        records = self.emulator.requests()
        modules = []
        if module_log.exists():
            modules = [json.loads(line) for line in module_log.read_text(encoding="utf-8").splitlines() if line]
        tail = ""
        if rc != 0:
            tail = "\n".join(output_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:])
        result = Run(label, wall, rc, count_requests(records), modules, str(run_dir), tail, load_before,
                     tree_cpu, emulator_cpu)
        log("%-34s %7.2f s  rc=%s  requests=%s  peak=%s MB" % (
            label, wall, rc, {k: v for k, v in result.requests.items() if v and k != "total"},
            "%.0f" % result.peak_rss_mb if result.peak_rss_mb is not None else "-"))
        if rc != 0:
            log("FAILED: %s\n%s" % (label, tail))
        return result

    def row(self, key, scenario, variant, cache, notes=None, **extra) -> Row:
        row = Row(key, scenario, variant, cache, notes=list(notes or []), extra=dict(extra))
        self.rows.append(row)
        return row

    def get(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def repeat(self, cheap: bool) -> int:
        return max(1, self.args.repeat) if cheap else 1

    # -- plays --------------------------------------------------------------------

    @staticmethod
    def role_play() -> list:
        return [{"name": "Converge customers (as playbooks/provision_customers.yml)", "hosts": GROUP,
                 "connection": "local", "gather_facts": False, "roles": [{"role": ROLE}]}]

    @staticmethod
    def ping_play() -> list:
        return [{"name": "One-task floor", "hosts": GROUP, "connection": "local", "gather_facts": False,
                 "tasks": [{"name": "Ping", "ansible.builtin.ping": {}}]}]

    @staticmethod
    def module_play() -> list:
        return [{"name": "One module call, many users", "hosts": GROUP, "connection": "local",
                 "gather_facts": False,
                 "tasks": [{"name": "Converge users", MODULE: {
                     "customer_id": "{{ partnercenter_customer_id }}", "users": "{{ partnercenter_users }}",
                     "parallelism": "{{ partnercenter_users_parallelism | default(4) }}"}}]}]

    @staticmethod
    def naive_play() -> list:
        args = {"customer_id": "{{ partnercenter_customer_id }}",
                "user_principal_name": "{{ item.user_principal_name }}"}
        for name in ("first_name", "last_name", "display_name", "usage_location", "password"):
            args[name] = "{{ item.%s | default(omit) }}" % name
        return [{"name": "Naive loop: the single-user form once per user", "hosts": GROUP,
                 "connection": "local", "gather_facts": False,
                 "tasks": [{"name": "Converge one user", MODULE: args, "loop": "{{ partnercenter_users }}",
                            "loop_control": {"label": "{{ item.user_principal_name }}"}}]}]

    @staticmethod
    def many_tasks_play(users: list) -> list:
        tasks = []
        for position, user in enumerate(users, 1):
            args = dict(user, customer_id="{{ partnercenter_customer_id }}")
            tasks.append({"name": "Task %02d" % position, MODULE: args})
        return [{"name": "Many tasks, one credential", "hosts": GROUP, "connection": "local",
                 "gather_facts": False, "tasks": tasks}]

    def warm_up(self, cache_dir: Path, host: str, cid: str) -> Run:
        """One no-op module call: fetches the token into ``cache_dir`` (and warms file caches)."""
        result = self.run("warm-up", self.module_play(), {host: {"partnercenter_customer_id": cid,
                                                                 "partnercenter_users": []}}, cache_dir)
        if not result.ok:
            self.aux_failures.append(result)
        return result

    def steady_cache(self, name: str, host: str, cid: str) -> Path:
        """A warm token cache for a steady-state scenario.

        Full size: a fresh directory per scenario, warmed by one untimed no-op module call
        on ``cid`` (which must exist).  ``--quick``: one directory shared by the steady-state
        scenarios and warmed once, to keep the smoke test short; the result is the same
        (a cached token when timing starts).
        """
        if not self.args.quick:
            cache = self.cache_dir(name)
            self.warm_up(cache, host, cid)
            return cache
        if self._shared_cache is None:
            self._shared_cache = self.cache_dir("steady-state")
            self.warm_up(self._shared_cache, host, cid)
        return self._shared_cache

    # -- scenarios ------------------------------------------------------------------

    def scenario1(self):
        s = self.scale
        title = "1 no-op converge"
        name = "s1cust"
        cid = customer_id(name)
        users = existing_users(name, s.s1_declared, s.s1_existing)
        host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": users}}
        self.emulator.reset([customer_seed(name, s.s1_existing)], **self.config())
        cache = self.steady_cache("s1", name, cid)
        info = "%d existing, %d declared" % (s.s1_existing, s.s1_declared)
        role = self.row("s1.role", title, "role (one module call), " + info, "warm")
        ping = self.row("s1.ping", title, "floor: one-task ansible.builtin.ping play", "warm")
        for _repetition in range(self.repeat(True)):
            role.runs.append(self.run("s1 role", self.role_play(), host, cache))
            ping.runs.append(self.run("s1 ping", self.ping_play(), host, cache))
        naive = self.row("s1.naive", title, "naive loop (single-user form x %d), " % s.s1_declared + info, "warm")
        naive.runs.append(self.run("s1 naive loop", self.naive_play(), host, cache))
        ratio = naive.wall / role.wall if role.wall else None
        api_calls = role.requests.get("total", 0)
        budget = TARGET_ROLE_OVER_PING * ping.wall + api_calls * self.latency_ms / 1000.0
        self.derived["s1"] = dict(naive_over_role=ratio, role_wall=role.wall, ping_wall=ping.wall,
                                  role_api_calls=api_calls, role_budget_s=budget,
                                  expected_list_role=pages(s.s1_existing),
                                  expected_list_naive=s.s1_declared * pages(s.s1_existing))
        role.notes.append("naive/role = %s" % fmt_ratio(ratio))
        role.notes.append("budget 2 x ping + %d x %d ms = %.2f s" % (api_calls, self.latency_ms, budget))
        naive.notes.append("%.2f s per user" % (naive.wall / max(1, s.s1_declared)))

    def scenario2(self):
        s = self.scale
        title = "2 create"
        name = "s2cust"
        cid = customer_id(name)
        latency = self.latency_ms / 1000.0
        seed = [customer_seed(name, 0)]
        empty_host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": []}}
        self.emulator.reset(seed, **self.config())
        cache = self.steady_cache("s2", name, cid)
        startup = self.row("s2.startup", title, "module start-up: no-op call on an empty customer", "warm")
        for _repetition in range(self.repeat(True)):
            startup.runs.append(self.run("s2 start-up (no-op)", self.module_play(), empty_host, cache))
        self.derived["s2"] = dict(startup_wall=startup.wall, startup_module_wall=startup.module_wall, runs={})
        users = new_users(name, s.s2_users)
        variants = [(p, 0.0) for p in s.s2_parallelism] + [(TARGET_CREATE_PARALLELISM, s.s2_throttle_rate)]
        for parallelism, throttle in variants:
            key = "s2.p%d" % parallelism + ("_throttled" if throttle else "")
            variant = "%d users, parallelism %d" % (s.s2_users, parallelism)
            if throttle:
                variant += ", 429s (throttle_rate %g, Retry-After %d s)" % (throttle, s.s2_retry_after)
            row = self.row(key, title, variant, "warm")
            cheap = throttle == 0 and parallelism > 1
            host = {name: {"partnercenter_customer_id": cid, "partnercenter_users": users,
                           "partnercenter_users_parallelism": parallelism}}
            created = []
            for _repetition in range(self.repeat(cheap)):
                self.emulator.reset(seed, **self.config(throttle_rate=throttle, retry_after=s.s2_retry_after))
                row.runs.append(self.run("s2 create p=%d%s" % (parallelism, " 429s" if throttle else ""),
                                         self.module_play(), host, cache))
                created.append(self.emulator.active_users(cid))
            floor = math.ceil(s.s2_users / parallelism) * latency
            ratio = row.wall / (floor + startup.wall) if row.wall and startup.wall else None
            module_ratio = (row.module_wall / (floor + startup.module_wall)
                            if row.module_wall and startup.module_wall else None)
            row.extra.update(floor_s=floor, ratio=ratio, module_ratio=module_ratio, created=created)
            self.derived["s2"]["runs"][key] = dict(floor_s=floor, ratio=ratio, module_ratio=module_ratio,
                                                   wall=row.wall, created=created, throttle_rate=throttle)
            row.notes.append("floor %.2f s; wall/(floor+start-up) = %s (module process: %s)"
                             % (floor, fmt_ratio(ratio), fmt_ratio(module_ratio)))
            if min(created) != s.s2_users:
                row.notes.append("ONLY %s of %d users exist afterwards" % (created, s.s2_users))

    def scenario3(self):
        s = self.scale
        title = "3 fleet"
        names = ["fleet%02d" % n for n in range(1, s.s3_customers + 1)]
        seed = [customer_seed(n, 0) for n in names]
        hosts = dict((n, {"partnercenter_customer_id": customer_id(n), "partnercenter_users": new_users(n, s.s3_users)})
                     for n in names)
        info = "%d customers x %d users" % (s.s3_customers, s.s3_users)
        rows = {}
        for forks in s.s3_forks:
            rows[forks] = (
                self.row("s3.forks%d.first" % forks, title, "forks %d, first run (creates), %s" % (forks, info), "cold"),
                self.row("s3.forks%d.second" % forks, title, "forks %d, second run (no-op)" % forks,
                         "warm (from the first run)"))
            rows[forks][0].extra["created"] = []
        # The forks settings take turns within each repetition, so a slow spell of the machine
        # (its speed drifts by 10% and more over minutes here) hits both sides of a ratio alike.
        for _repetition in range(self.repeat(True)):
            for forks in s.s3_forks:
                first, second = rows[forks]
                self.emulator.reset(seed, **self.config())
                cache = self.cache_dir("s3-forks%d" % forks)
                first.runs.append(self.run("s3 fleet forks=%d first" % forks, self.role_play(), hosts, cache,
                                           forks=forks))
                second.runs.append(self.run("s3 fleet forks=%d second" % forks, self.role_play(), hosts, cache,
                                            forks=forks))
                first.extra["created"].append(sum(self.emulator.active_users(customer_id(n)) for n in names))
        for first, _second in rows.values():
            created = first.extra["created"]
            if min(created) != s.s3_customers * s.s3_users:
                first.notes.append("ONLY %s of %d users exist afterwards" % (created, s.s3_customers * s.s3_users))
        low, high = min(s.s3_forks), max(s.s3_forks)
        speedup = paired_speedup(rows[low][0], rows[high][0])
        speedup2 = paired_speedup(rows[low][1], rows[high][1])
        fast = rows[high][0]
        # CPU floor: with every process runnable, forks N cannot finish before all the CPU the run
        # used (Ansible, modules, emulator) is spread over the cores.  Wall close to it means the
        # latency-bound part overlapped; forks 1 wall / floor is the best speed-up this machine allows.
        cores = os.cpu_count() or 1
        cpu = [(r.tree_cpu or 0) + (r.emulator_cpu or 0) for r in fast.runs]
        floor = median([c / cores for c in cpu]) if cpu else None
        over_floor = fast.wall / floor if floor and fast.wall else None
        attainable = rows[low][0].wall / floor if floor and rows[low][0].wall else None
        self.derived["s3"] = dict(speedup_first=speedup, speedup_second=speedup2, forks=[low, high],
                                  pairs=len(fast.runs), customers=s.s3_customers,
                                  expected_list_second=s.s3_customers * pages(s.s3_users),
                                  cpu_floor_s=floor, wall_over_cpu_floor=over_floor,
                                  attainable_speedup=attainable, nproc=cores)
        fast.notes.append("forks %d / forks %d = %s (median of paired runs)" % (low, high, fmt_ratio(speedup)))
        if floor:
            fast.notes.append("CPU floor %.1f s (all CPU / %d cores): wall / floor = %s; forks %d wall / floor = %s" % (
                floor, cores, fmt_ratio(over_floor), low, fmt_ratio(attainable)))
        rows[high][1].notes.append("forks %d / forks %d = %s (median of paired runs)" % (low, high, fmt_ratio(speedup2)))

    def scenario4(self):
        s = self.scale
        title = "4 many tasks"
        name = "s4cust"
        cid = customer_id(name)
        users = existing_users(name, s.s4_tasks, s.s4_tasks)
        host = {name: {"partnercenter_customer_id": cid}}
        for cache_on in (True, False):
            key = "s4.cache_on" if cache_on else "s4.cache_off"
            row = self.row(key, title, "%d single-user tasks, token cache %s" % (s.s4_tasks, "on" if cache_on else "off"),
                           "cold (fresh dir)" if cache_on else "off")
            self.emulator.reset([customer_seed(name, s.s4_tasks)], **self.config())
            row.runs.append(self.run("s4 %d tasks cache=%s" % (s.s4_tasks, "on" if cache_on else "off"),
                                     self.many_tasks_play(users), host, self.cache_dir("s4"), cache=cache_on))
            row.notes.append("%d token requests" % row.requests.get("token", 0))
        on, off = self.get("s4.cache_on"), self.get("s4.cache_off")
        self.derived["s4"] = dict(tokens_cache_on=on.requests.get("token"), tokens_cache_off=off.requests.get("token"),
                                  tasks=s.s4_tasks, saved_s=(off.wall - on.wall) if on.wall and off.wall else None)

    def scenario5(self):
        s = self.scale
        title = "5 large tenant"
        name = "s5cust"
        cid = customer_id(name)
        host = {name: {"partnercenter_customer_id": cid,
                       "partnercenter_users": existing_users(name, s.s5_declared, s.s5_existing)}}
        self.emulator.reset([customer_seed(name, s.s5_existing)], **self.config())
        # A warm-up goes to another (empty) customer: only the token matters.
        self.emulator.call("POST", "seed", {"customers": [customer_seed("s5warm", 0)]})
        cache = self.steady_cache("s5", "s5warm", customer_id("s5warm"))
        row = self.row("s5.role", title, "role, %d existing, %d declared" % (s.s5_existing, s.s5_declared), "warm")
        for _repetition in range(self.repeat(True)):
            row.runs.append(self.run("s5 large tenant", self.role_play(), host, cache))
        self.derived["s5"] = dict(expected_list=pages(s.s5_existing), list=row.requests.get("list"),
                                  peak_rss_mb=row.peak_rss_mb)
        row.notes.append("%s list requests (expected %d)" % (row.requests.get("list"), pages(s.s5_existing)))


# --------------------------------------------------------------------------- checks


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    # "count": deterministic, any size.  "concurrency": request counts that depend on how
    # parallel module processes race (any size).  "timing": full size only.
    kind: str

    def to_dict(self):
        return dict(name=self.name, ok=self.ok, detail=self.detail, kind=self.kind)


def paired_speedup(slow: Row, fast: Row):
    """Median over repetitions of slow/fast wall time, each pair measured back to back."""
    pairs = [a.wall / b.wall for a, b in zip(slow.runs, fast.runs) if a.wall and b.wall]
    return median(pairs) if pairs else None


def fmt_ratio(value) -> str:
    return "%.2fx" % value if value is not None else "n/a"


def evaluate(bench: Bench, timing: bool) -> list:
    s = bench.scale
    checks: list[Check] = []

    def add(name, ok, detail, kind="count"):
        checks.append(Check(name, bool(ok), detail, kind))

    failed = [r.key for r in bench.rows if not r.ok] + ["%s (%s)" % (r.label, r.run_dir) for r in bench.aux_failures]
    add("every playbook run succeeded", not failed,
        "failed: %s" % ", ".join(failed) if failed else "%d rows, all rc 0" % len(bench.rows))

    # No-op converges: ceil(active/500) list calls per customer, no deleted listing, no writes.
    noop = []
    if bench.get("s1.role"):
        noop.append(("s1.role", pages(s.s1_existing)))
        noop.append(("s1.naive", s.s1_declared * pages(s.s1_existing)))
    for forks in s.s3_forks:
        if bench.get("s3.forks%d.second" % forks):
            noop.append(("s3.forks%d.second" % forks, s.s3_customers * pages(s.s3_users)))
    if bench.get("s5.role"):
        noop.append(("s5.role", pages(s.s5_existing)))
    if bench.get("s4.cache_on"):
        noop.append(("s4.cache_on", s.s4_tasks * pages(s.s4_tasks)))
    for key, expected in noop:
        row = bench.get(key)
        bad = [(r.requests["list"], r.requests["list_deleted"], r.requests["writes"]) for r in row.runs
               if (r.requests["list"], r.requests["list_deleted"], r.requests["writes"]) != (expected, 0, 0)]
        add("no-op %s: %d list calls, no deleted-users listing, no writes" % (key, expected), not bad,
            "got (list, deleted listing, writes) = %s" % bad if bad else "ok in %d run(s)" % len(row.runs))

    # Writes where they are expected: exactly one create per new user (no 429 variant).
    for p in s.s2_parallelism:
        row = bench.get("s2.p%d" % p)
        if row:
            bad = [r.requests["create"] for r in row.runs if r.requests["create"] != s.s2_users]
            add("create p=%d: %d create requests, users exist" % (p, s.s2_users),
                not bad and min(row.extra.get("created") or [0]) == s.s2_users,
                "creates %s, users afterwards %s" % (bad or s.s2_users, row.extra.get("created")))
    first = [bench.get("s3.forks%d.first" % f) for f in s.s3_forks]
    for row in [r for r in first if r]:
        total = s.s3_customers * s.s3_users
        add("fleet %s: %d users created" % (row.key, total),
            min(row.extra.get("created") or [0]) == total and all(r.requests["create"] == total for r in row.runs),
            "creates %s, users afterwards %s" % ([r.requests["create"] for r in row.runs], row.extra.get("created")))

    # Tokens.
    on, off = bench.get("s4.cache_on"), bench.get("s4.cache_off")
    if on:
        add("token cache: %d tasks make 1 token request" % s.s4_tasks, on.requests.get("token") == 1,
            "%s token requests with the cache, %s without" % (on.requests.get("token"),
                                                              off.requests.get("token") if off else "n/a"))
    # One module process at a time: deterministic.  Several at once (fleet with forks > 1):
    # depends on how the processes race for the empty cache, so it is its own kind.
    parallel_keys = set("s3.forks%d.%s" % (f, n) for f in s.s3_forks if f > 1 for n in ("first", "second"))
    for kind, rows in (("count", [r for r in bench.rows if r.key not in parallel_keys]),
                       ("concurrency", [r for r in bench.rows if r.key in parallel_keys])):
        if not rows:
            continue
        multi = ["%s: %d" % (run.label, run.requests["token"]) for row in rows if row.cache != "off"
                 for run in row.runs if run.requests.get("token", 0) > 1]
        add("token requests: at most one per credential per playbook run (cache on, %s)"
            % ("one module process at a time" if kind == "count" else "forks > 1"), not multi,
            "more than one in: %s" % "; ".join(multi) if multi else "ok in every run with the cache on", kind)

    # 429s slow writes without failing them.
    throttled = bench.get("s2.p%d_throttled" % TARGET_CREATE_PARALLELISM)
    plain = bench.get("s2.p%d" % TARGET_CREATE_PARALLELISM)
    if throttled:
        n429 = throttled.requests.get("throttled", 0)
        ok = throttled.ok and min(throttled.extra.get("created") or [0]) == s.s2_users and n429 > 0
        add("429s: the create run succeeds with every user", ok,
            "rc %s, %d x 429, users afterwards %s" % ([r.rc for r in throttled.runs], n429,
                                                      throttled.extra.get("created")))
        if plain and timing:
            add("429s slow the writes (Retry-After honoured)", throttled.wall > plain.wall,
                "%.2f s with 429s vs %.2f s without" % (throttled.wall, plain.wall), "timing")

    if bench.get("s5.role"):
        row = bench.get("s5.role")
        add("large tenant: %d list requests" % pages(s.s5_existing), row.requests.get("list") == pages(s.s5_existing),
            "%s list requests" % row.requests.get("list"))

    if not timing:
        return checks

    d = bench.derived
    if "s1" in d:
        ratio = d["s1"]["naive_over_role"]
        add("s1: role >= %gx faster than the naive loop" % TARGET_NAIVE_OVER_ROLE,
            ratio is not None and ratio >= TARGET_NAIVE_OVER_ROLE, "naive/role = %s" % fmt_ratio(ratio), "timing")
        add("s1: role no-op <= 2 x ping + API calls x latency",
            d["s1"]["role_wall"] is not None and d["s1"]["role_wall"] <= d["s1"]["role_budget_s"],
            "role %.2f s, budget %.2f s (ping %.2f s, %d API calls x %d ms)" % (
                d["s1"]["role_wall"] or 0, d["s1"]["role_budget_s"], d["s1"]["ping_wall"] or 0,
                d["s1"]["role_api_calls"], bench.latency_ms), "timing")
    if "s2" in d:
        run = d["s2"]["runs"].get("s2.p%d" % TARGET_CREATE_PARALLELISM)
        if run:
            add("s2: parallelism %d wall <= %g x (floor + start-up)" % (TARGET_CREATE_PARALLELISM, TARGET_CREATE_RATIO),
                run["ratio"] is not None and run["ratio"] <= TARGET_CREATE_RATIO,
                "wall %.2f s, floor %.2f s, start-up %.2f s, ratio %s (module process alone: %s)" % (
                    run["wall"] or 0, run["floor_s"], d["s2"]["startup_wall"] or 0, fmt_ratio(run["ratio"]),
                    fmt_ratio(run["module_ratio"])), "timing")
    if "s3" in d:
        speedup = d["s3"]["speedup_first"]
        add("s3: forks %d >= %gx faster than forks %d (first run)" % (d["s3"]["forks"][1], TARGET_FLEET_SPEEDUP,
                                                                      d["s3"]["forks"][0]),
            speedup is not None and speedup >= TARGET_FLEET_SPEEDUP,
            "speed-up %s (median of %d paired runs); this machine allows at most %s (forks %d wall / CPU floor)" % (
                fmt_ratio(speedup), d["s3"]["pairs"],
                fmt_ratio(d["s3"]["attainable_speedup"]), d["s3"]["forks"][0]), "timing")
        overlap = d["s3"]["wall_over_cpu_floor"]
        add("s3: forks %d wall <= %g x its CPU floor (the latency-bound part overlaps)" % (
            d["s3"]["forks"][1], TARGET_FLEET_OVER_CPU_FLOOR),
            overlap is not None and overlap <= TARGET_FLEET_OVER_CPU_FLOOR,
            "wall / (all CPU / %s cores) = %s" % (d["s3"]["nproc"], fmt_ratio(overlap)), "timing")
    if "s5" in d:
        peak = d["s5"]["peak_rss_mb"]
        add("s5: module peak memory < %g MB" % TARGET_PEAK_RSS_MB, peak is not None and peak < TARGET_PEAK_RSS_MB,
            "peak RSS %s MB" % ("%.1f" % peak if peak is not None else "n/a"), "timing")
    return checks


# --------------------------------------------------------------------------- report

COLUMNS = ("Scenario", "Variant", "Token cache", "Runs", "Wall s (median)", "token", "list", "list deleted",
           "create", "patch", "delete", "429", "Peak RSS MB", "CPU s modules / all / emulator", "Notes")


def table_rows(bench: Bench) -> list:
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


def markdown(bench: Bench, meta: dict, checks: list) -> str:
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


def text_table(bench: Bench) -> str:
    headers = list(COLUMNS)
    rows = table_rows(bench)
    widths = [min(60, max(len(h), *(len(r[i]) for r in rows))) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells):
        return "  ".join(c[:w].ljust(w) if i < len(cells) - 1 else c for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


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


def children_cpu() -> float:
    """CPU seconds of every child process waited for so far (ansible-playbook and its tree)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int):
    """CPU seconds used so far by a running process (Linux /proc), or None."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def loadavg() -> str:
    try:
        return "%.2f" % os.getloadavg()[0]
    except OSError:
        return "n/a"


# --------------------------------------------------------------------------- main

SCENARIOS = ("1", "2", "3", "4", "5")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tests/benchmark/run.py", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", "--scale-tiny", dest="quick", action="store_true",
                        help="every scenario at a tiny size with a small latency (smoke test)")
    parser.add_argument("--scale", choices=("full", "tiny"), help="same as --quick when 'tiny'")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a target is missed (timing targets need the full size)")
    parser.add_argument("--latency-ms", type=int, help="emulator latency per request (default 80; 5 with --quick)")
    parser.add_argument("--repeat", type=int, help="timed runs per cheap row, the median is reported "
                                                   "(default 3; 1 with --quick)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset, e.g. 1,4")
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
    scale = TINY if args.quick else FULL
    if args.latency_ms is not None:
        scale = replace(scale, latency_ms=args.latency_ms)
    if args.repeat is None:
        args.repeat = scale.repeat
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in args.scenario_list if s not in SCENARIOS]
    if unknown:
        parser.error("unknown scenarios %s (choose from %s)" % (unknown, ", ".join(SCENARIOS)))
    return args, scale


def main(argv=None) -> int:
    args, scale = parse_args(argv)
    markdown_path = Path(args.markdown or Path(args.output_dir) / "benchmark.md").resolve()
    json_path = Path(args.json or Path(args.output_dir) / "benchmark.json").resolve()
    if args.workdir:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="pcbench-"))
    started = time.monotonic()
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                nproc=os.cpu_count(), loadavg_start=loadavg(), scale=scale.name, latency_ms=scale.latency_ms,
                repeat=args.repeat, python=platform.python_version(), platform=platform.platform(terse=True),
                commit=git_commit(), scenarios=args.scenario_list, sizes=asdict(scale))
    log("size %s, latency %d ms, repeat %d, workdir %s" % (scale.name, scale.latency_ms, args.repeat, workdir))
    bench = Bench(args, scale, workdir)
    meta["ansible_core"] = ansible_version(bench.ansible_playbook)
    meta["collections_path"] = bench.collections
    error = None
    try:
        for number in args.scenario_list:
            log("scenario %s" % number)
            getattr(bench, "scenario" + number)()
    except Exception as exc:  # pylint: disable=broad-exception-caught
        error = "%s: %s" % (type(exc).__name__, exc)
        log("benchmark aborted: " + error)
    finally:
        bench.emulator.stop()
    meta.update(elapsed_s=time.monotonic() - started, loadavg_end=loadavg())
    loads = sorted(float(r.load_before) for row in bench.rows for r in row.runs if r.load_before not in ("", "n/a"))
    if loads:
        meta["loadavg_runs"] = dict(min=loads[0], median=statistics.median(loads), max=loads[-1])

    checks = evaluate(bench, timing=not args.quick)
    if error:
        checks.insert(0, Check("the benchmark ran to the end", False, error, "count"))
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(markdown(bench, meta, checks), encoding="utf-8")
    json_path.write_text(json.dumps(dict(meta=meta, rows=[r.to_dict() for r in bench.rows],
                                         derived=bench.derived, checks=[c.to_dict() for c in checks]),
                                    indent=1, default=str) + "\n", encoding="utf-8")

    print(text_table(bench))
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
