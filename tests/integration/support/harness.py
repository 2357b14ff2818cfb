# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the pytest integration suite: the emulator process and ansible-playbook runs.

The fixtures in ``conftest.py`` wrap these; tests may also import this module
(``import harness``) for the classes and constants.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
for _folder in (REPO_ROOT / "tests" / "emulator", REPO_ROOT / "tests"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import ansible_process  # noqa: E402  pylint: disable=wrong-import-position
from partnercenter_emulator import launcher  # noqa: E402  pylint: disable=wrong-import-position

EMULATOR_SCRIPT = launcher.PCEMU
CALLBACK_DIR = HERE.parent / "callback_plugins"
INFO_FIELDS = launcher.INFO_FIELDS
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


def collections_path() -> str:
    """Directory holding ``ansible_collections/`` for ansible-playbook runs.

    ``ANSIBLE_COLLECTIONS_PATH`` from the environment wins; otherwise the staged
    copy this file sits in (``build/collections``), or the one next to a
    checkout that has been staged with ``make collection``.
    """
    from_env = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS")
    if from_env:
        return from_env
    if REPO_ROOT.parent.name == "csp" and REPO_ROOT.parent.parent.name == "ansible_collections":
        return str(REPO_ROOT.parents[2])
    return str(REPO_ROOT / "build" / "collections")


_tail = launcher.tail


# --------------------------------------------------------------------------- emulator

# The process (start, wait until ready, stop), its info, env() and the control client are
# tests/emulator/partnercenter_emulator/launcher.py's, shared with the benchmark and tools/demo.py.
EmulatorError = launcher.EmulatorError
ControlClient = launcher.ControlClient
stop_process = launcher.stop_process


class Emulator(launcher.Emulator):
    """A running emulator: its connection info plus the control-endpoint helpers.

    From ``launcher.Emulator``: ``info`` (and its fields as attributes: ``api_url``,
    ``graph_url`` (the Microsoft Graph listener), ``authority``, ...), ``process``,
    ``stderr_path``, ``control``, ``env()`` (``PARTNERCENTER_API_URL``,
    ``PARTNERCENTER_GRAPH_URL``, ...), ``stderr_text()``, ``check_alive()``.
    """

    # -- control endpoint ------------------------------------------------------

    def reset(self, config=None, seed=None):
        body = {}
        if config is not None:
            body["config"] = config
        if seed is not None:
            body["seed"] = seed
        return self.control.call("POST", "reset", body)

    def config(self, **knobs):
        return self.control.call("POST", "config", knobs)

    def seed(self, customers) -> list:
        answer = self.control.call("POST", "seed", {"customers": list(customers)})
        if isinstance(answer, dict):
            return answer.get("customers", [])
        return answer or []

    def state(self, customer=None) -> dict:
        return self.control.call("GET", "state", query={"customer": customer} if customer else None)

    def users(self, customer_id, state=None) -> list:
        customers = self.state(customer=customer_id).get("customers", [])
        users = []
        for customer in customers:
            if customer.get("id") == customer_id:
                users.extend(customer.get("users", []))
        if state is not None:
            users = [user for user in users if user.get("state") == state]
        return users

    def requests(self, route=None) -> list:
        records = (self.control.call("GET", "requests") or {}).get("requests", [])
        if route is not None:
            records = [record for record in records if record.get("route") == route]
        return records

    def clear_requests(self):
        return self.control.call("DELETE", "requests")

    def counters(self) -> dict:
        return self.control.call("GET", "counters")

    def faults(self, rules):
        return self.control.call("POST", "faults", {"rules": list(rules)})

    def expire_tokens(self):
        return self.control.call("POST", "expire_tokens", {})

    def writes(self) -> list:
        """Logged requests that change state: POST/PATCH/PUT/DELETE except token grants."""
        return [
            record for record in self.requests()
            if str(record.get("method", "")).upper() in WRITE_METHODS and record.get("route") != "token"
        ]

    def clean(self):
        """Empty seed, default config, no faults, empty request log."""
        self.check_alive()
        self.reset()
        self.faults([])
        self.clear_requests()
        return self


def start_emulator(workdir: Path, timeout: float = 20.0, script: Path = EMULATOR_SCRIPT,
                   profile: str = "default") -> Emulator:
    """Start ``pcemu.py`` on an ephemeral loopback port (with ``profile``) and wait for its info file."""
    return launcher.start(workdir, ["--profile", profile], timeout=timeout, script=script, emulator_class=Emulator)


# --------------------------------------------------------------------------- playbooks


class PlaybookError(AssertionError):
    """ansible-playbook ended with an unexpected exit code (or timed out)."""


class PlaybookResult:
    """What one ansible-playbook run produced."""

    def __init__(self, cmd, rc, stdout, stderr, records, log_path, results_path, run_dir):
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.records = records
        self.log_path = log_path
        self.results_path = results_path
        self.run_dir = run_dir

    @property
    def results(self) -> list:
        """Task-level records (events ok, failed, skipped, unreachable), in order."""
        return [record for record in self.records if record["event"] in ("ok", "failed", "skipped", "unreachable")]

    @property
    def items(self) -> list:
        """Loop item records (events item_ok, item_failed, item_skipped)."""
        return [record for record in self.records if record["event"].startswith("item_")]

    @property
    def stats(self) -> dict:
        for record in reversed(self.records):
            if record["event"] == "stats":
                return record["stats"]
        return {}

    @property
    def output(self) -> str:
        """stdout and stderr together (for secret scans)."""
        return self.stdout + "\n" + self.stderr

    def result(self, task_name: str, host: str | None = None) -> dict:
        """The one task record named ``task_name`` (optionally for ``host``)."""
        matches = [r for r in self.results if r["task"] == task_name and (host is None or r["host"] == host)]
        if not matches:
            names = sorted({str(r["task"]) for r in self.results})
            raise KeyError("no result for task %r%s; tasks seen: %s"
                           % (task_name, " on host %r" % host if host else "", names))
        if len(matches) > 1:
            raise KeyError("%d results for task %r (hosts %s); pass host=..."
                           % (len(matches), task_name, [r["host"] for r in matches]))
        return matches[0]

    def describe(self) -> str:
        return "command: %s\nrc: %s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s" % (
            " ".join(self.cmd), self.rc, _tail(self.stdout), _tail(self.stderr))


class PlaybookRunner:
    """Runs ``ansible-playbook`` against the emulator with a hermetic environment."""

    def __init__(self, workdir: Path, emulator: Emulator | None = None, token_cache_dir: Path | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.emulator = emulator
        self.token_cache_dir = Path(token_cache_dir or self.workdir / "token-cache")
        # The collection refuses a token cache directory others can enter.
        self.token_cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.token_cache_dir.chmod(0o700)
        self._counter = itertools.count(1)
        self.runs: list[PlaybookResult] = []
        self.ansible_playbook = self._find_ansible_playbook()

    @staticmethod
    def _find_ansible_playbook() -> str:
        found = ansible_process.find_command(sys.executable)
        if found:
            return found
        raise PlaybookError("ansible-playbook not found next to %s nor on PATH" % sys.executable)

    def base_env(self, run_dir: Path, results_path: Path, log_path: Path, overrides: dict | None = None) -> dict:
        """The hermetic environment of ansible_process, the result recorder and the log file, the emulator's."""
        extra = {
            "ANSIBLE_STDOUT_CALLBACK": "default",
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "PARTNERCENTER_TEST_RESULTS_FILE": str(results_path),
            "ANSIBLE_LOG_PATH": str(log_path),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        }
        return ansible_process.hermetic_env(
            run_dir, collections_path(), self.token_cache_dir, base=os.environ, extra=extra,
            emulator_env=self.emulator.env() if self.emulator is not None else None, overrides=overrides)

    def _write_inventory(self, inventory, run_dir: Path) -> str:
        if isinstance(inventory, (str, os.PathLike)) and "\n" not in str(inventory) and Path(inventory).exists():
            return str(inventory)
        inv_dir = run_dir / "inventory"
        (inv_dir / "group_vars").mkdir(parents=True, exist_ok=True)
        if isinstance(inventory, dict):
            (inv_dir / "hosts.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
        else:
            (inv_dir / "hosts").write_text(str(inventory) + "\n", encoding="utf-8")
        # Lowest-precedence defaults: the test venv's interpreter (no discovery) and
        # the local connection (there is nothing to SSH to).  Host vars override them.
        (inv_dir / "group_vars" / "all.yml").write_text(
            yaml.safe_dump({"ansible_python_interpreter": sys.executable, "ansible_connection": "local"}),
            encoding="utf-8",
        )
        return str(inv_dir)

    def __call__(self, playbook, *, check=False, diff=False, extra_vars=None, env=None, verbosity=0,
                 expect_rc=0, inventory=None, forks=None, timeout=300, args=None) -> PlaybookResult:
        if self.emulator is not None:
            self.emulator.check_alive()
        run_dir = self.workdir / ("run%02d" % next(self._counter))
        run_dir.mkdir(parents=True)
        (run_dir / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
        results_path = run_dir / "results.jsonl"
        log_path = run_dir / "ansible.log"

        if isinstance(playbook, (list, dict)):
            playbook_path = run_dir / "playbook.yml"
            playbook_path.write_text(yaml.safe_dump(playbook if isinstance(playbook, list) else [playbook],
                                                    sort_keys=False), encoding="utf-8")
        elif isinstance(playbook, os.PathLike) or ("\n" not in playbook and Path(playbook).is_file()):
            playbook_path = Path(playbook).resolve()
        else:
            playbook_path = run_dir / "playbook.yml"
            playbook_path.write_text(playbook, encoding="utf-8")

        cmd = [self.ansible_playbook, str(playbook_path)]
        if inventory is not None:
            cmd += ["-i", self._write_inventory(inventory, run_dir)]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if forks is not None:
            cmd += ["--forks", str(forks)]
        if verbosity:
            cmd.append("-" + "v" * int(verbosity))
        if extra_vars:
            if isinstance(extra_vars, dict):
                vars_path = run_dir / "extra_vars.json"
                vars_path.write_text(json.dumps(extra_vars), encoding="utf-8")
                cmd += ["-e", "@" + str(vars_path)]
            else:
                cmd += ["-e", str(extra_vars)]
        if args:
            cmd += list(args)

        run_env = self.base_env(run_dir, results_path, log_path, overrides=env)
        rc, stdout, stderr = ansible_process.run(cmd, run_dir, run_env, timeout)
        if rc is None:
            partial = PlaybookResult(cmd, None, stdout, stderr, [], log_path, results_path, run_dir)
            raise PlaybookError("ansible-playbook timed out after %s s\n%s" % (timeout, partial.describe()))

        records = []
        if results_path.exists():
            with open(results_path, encoding="utf-8") as handle:
                records = [json.loads(line) for line in handle if line.strip()]
        result = PlaybookResult(cmd, rc, stdout, stderr, records, log_path, results_path, run_dir)
        self.runs.append(result)
        if expect_rc is not None and rc != expect_rc:
            raise PlaybookError("ansible-playbook exited %s, expected %s\n%s" % (rc, expect_rc, result.describe()))
        return result

    run = __call__


def doc_snippet(rst_path, first_line: str) -> str:
    """The code block of a docs/docsite/rst guide whose first line is ``first_line``, dedented,
    so a test runs what the guide shows."""
    lines = Path(rst_path).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == first_line)
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        block.append(line[indent:])
    return "\n".join(block).strip() + "\n"
