# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the emulator as a subprocess, wait until it is ready, talk to its control API, stop it.

The one launcher the integration harness, the benchmark and ``tools/demo.py`` share.
Standard library only, and it never imports the emulator's server code: it runs
``tests/emulator/pcemu.py`` (``--port 0 --info-file F``) as a child process and reads the
info file it writes.  Import it with ``tests/emulator`` on ``sys.path``::

    from partnercenter_emulator import launcher

    emulator = launcher.start(workdir, ["--seed", "seed.json"])
    try:
        env.update(emulator.env())                       # PARTNERCENTER_API_URL, ...
        emulator.call("POST", "config", {"latency_ms": 80})
    finally:
        emulator.stop()
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PCEMU = Path(__file__).resolve().parent.parent / "pcemu.py"
READY_PREFIX = "PARTNERCENTER_EMULATOR_READY "
# What the info file must hold (the emulator writes these and ``cert_dir``).
INFO_FIELDS = (
    "api_url", "graph_url", "authority", "ca_path", "tenant_id", "client_id",
    "client_secret", "refresh_token", "control_url", "pid",
)
# Info file field -> the environment variable the collection's modules read.
ENV_NAMES = (
    ("api_url", "PARTNERCENTER_API_URL"),
    ("graph_url", "PARTNERCENTER_GRAPH_URL"),
    ("authority", "PARTNERCENTER_AUTHORITY"),
    ("ca_path", "PARTNERCENTER_CA_PATH"),
    ("tenant_id", "PARTNERCENTER_TENANT_ID"),
    ("client_id", "PARTNERCENTER_CLIENT_ID"),
    ("client_secret", "PARTNERCENTER_CLIENT_SECRET"),
    ("refresh_token", "PARTNERCENTER_REFRESH_TOKEN"),
)


class EmulatorError(RuntimeError):
    """The emulator could not be started, exited, or its control endpoint failed."""


def tail(text: str, lines: int = 60) -> str:
    """The last ``lines`` lines of ``text``, saying how many were cut."""
    parts = (text or "").splitlines()
    if len(parts) > lines:
        parts = ["... (%d lines cut)" % (len(parts) - lines)] + parts[-lines:]
    return "\n".join(parts)


def env(info: dict) -> dict:
    """The PARTNERCENTER_* connection variables a module run needs (no token cache settings)."""
    return {name: info[key] for key, name in ENV_NAMES}


class ControlClient:
    """Minimal JSON client for the emulator's control endpoint (HTTPS, private CA, no auth).

    Uses urllib with an explicit SSL context and no proxies, so ``REQUESTS_CA_BUNDLE`` and
    proxy variables in the environment cannot interfere.
    """

    def __init__(self, control_url: str, ca_path: str, timeout: float = 30.0):
        self.control_url = control_url.rstrip("/")
        self._context = ssl.create_default_context(cafile=ca_path)
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=self._context),
        )
        self.timeout = timeout

    def call(self, method: str, path: str, body=None, query=None):
        url = self.control_url + "/" + path.lstrip("/")
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as ex:
            detail = ex.read().decode("utf-8", "replace")
            raise EmulatorError("%s %s -> HTTP %s: %s" % (method, url, ex.code, detail)) from ex
        except urllib.error.URLError as ex:
            raise EmulatorError("%s %s failed: %s" % (method, url, ex.reason)) from ex
        if not raw.strip():
            return None
        return json.loads(raw.decode("utf-8"))


class Emulator:
    """A running emulator: its info (also as attributes), process, stderr file and control client."""

    def __init__(self, info: dict, process: subprocess.Popen | None = None, stderr_path: Path | None = None,
                 control_timeout: float = 30.0):
        self.info = dict(info)
        for name in INFO_FIELDS:
            setattr(self, name, self.info.get(name))
        self.process = process
        self.stderr_path = stderr_path
        self.control = ControlClient(self.info["control_url"], self.info["ca_path"], timeout=control_timeout)

    def env(self) -> dict:
        """The PARTNERCENTER_* connection variables a playbook run needs (no token cache dir)."""
        return env(self.info)

    def stderr_text(self) -> str:
        if self.stderr_path and self.stderr_path.exists():
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        return ""

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise EmulatorError("the emulator exited with code %s\n--- emulator stderr ---\n%s"
                                % (self.process.returncode, tail(self.stderr_text())))

    def call(self, method: str, path: str, body=None, query=None):
        """One control API call (``path`` relative to ``/_emulator/``), after checking the process lives."""
        self.check_alive()
        return self.control.call(method, path, body, query)

    def stop(self, grace: float = 5.0) -> None:
        if self.process is not None:
            stop_process(self.process, grace)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def _read_info(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not there yet (it is written atomically, but be tolerant)


def _ready_line(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.startswith(READY_PREFIX) for line in handle)
    except OSError:
        return False


def start(workdir, args=(), timeout: float = 30.0, *, python: str | None = None, script=PCEMU,
          control_timeout: float = 30.0, emulator_class=Emulator):
    """Start ``pcemu.py`` on an ephemeral loopback port and wait until it is ready.

    ``args`` are extra command line options (``--seed F``, ``--cert-dir D``, knobs); they come
    after ``--host 127.0.0.1 --port 0 --info-file WORKDIR/emulator-info.json --quiet`` and so
    may override them.  Ready means the info file holds every field of ``INFO_FIELDS``; the
    ``PARTNERCENTER_EMULATOR_READY`` line (stdout, in ``WORKDIR/emulator.stdout``) is printed
    just after it is written.  Raises EmulatorError, with the emulator's stderr tail, when the
    process exits or ``timeout`` seconds pass first.  Returns ``emulator_class(info, process,
    stderr_path, control_timeout)``.
    """
    script = Path(script)
    if not script.is_file():
        raise EmulatorError("emulator script not found: %s" % script)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    info_path = workdir / "emulator-info.json"
    stdout_path = workdir / "emulator.stdout"
    stderr_path = workdir / "emulator.stderr"
    if info_path.exists():
        info_path.unlink()
    command = [python or sys.executable, str(script), "--host", "127.0.0.1", "--port", "0",
               "--info-file", str(info_path), "--quiet"] + [str(a) for a in args]
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    deadline = time.monotonic() + timeout
    while True:
        info = _read_info(info_path)
        if info is not None or process.poll() is not None or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    problem = None
    if info is None:
        if process.poll() is not None:
            problem = "exit code %s" % process.returncode
        elif _ready_line(stdout_path):
            problem = "it printed %s but wrote no readable %s" % (READY_PREFIX.strip(), info_path)
        else:
            problem = "timed out after %g s" % timeout
    else:
        missing = [name for name in INFO_FIELDS if name not in info]
        if missing:
            problem = "its info file %s lacks %s" % (info_path, ", ".join(missing))
    if problem:
        stop_process(process)
        raise EmulatorError("the emulator did not become ready (%s)\ncommand: %s\n--- emulator stderr ---\n%s"
                            % (problem, " ".join(command), tail(stderr_path.read_text(encoding="utf-8", errors="replace"))))
    return emulator_class(info, process=process, stderr_path=stderr_path, control_timeout=control_timeout)


def stop_process(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group (the emulator runs in a session of its own), wait, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except OSError:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
        process.wait(timeout=grace)
