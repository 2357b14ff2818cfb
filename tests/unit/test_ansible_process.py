# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/ansible_process.py, the one runner of the tests' Ansible processes: environment and timeout."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests import ansible_process  # noqa: E402  pylint: disable=wrong-import-position


def test_the_environment_is_base_then_shared_settings_then_extra_emulator_and_overrides():
    env = ansible_process.hermetic_env(
        Path("/run"), "/collections", Path("/cache"),
        base={"ANSIBLE_NOCOLOR": "0", "KEEP": "kept", "DROP": "x"},
        extra={"PARTNERCENTER_TOKEN_CACHE": "false", "ANSIBLE_CONFIG": "/other.cfg"},
        emulator_env={"PARTNERCENTER_API_URL": "https://127.0.0.1:1"},
        overrides={"DROP": None, "PARTNERCENTER_API_URL": 5})
    assert env["KEEP"] == "kept" and "DROP" not in env
    assert env["ANSIBLE_NOCOLOR"] == "1" and env["ANSIBLE_COLLECTIONS_PATH"] == "/collections"
    assert env["ANSIBLE_LOCAL_TEMP"] == "/run/local-tmp" and env["PARTNERCENTER_TOKEN_CACHE_DIR"] == "/cache"
    assert env["ANSIBLE_CONFIG"] == "/other.cfg" and env["PARTNERCENTER_TOKEN_CACHE"] == "false"
    assert env["PARTNERCENTER_API_URL"] == "5"  # overrides win, as strings
    assert "127.0.0.1" in env["NO_PROXY"].split(",") and env["no_proxy"] == env["NO_PROXY"]


def test_a_run_reports_its_exit_code_and_output(tmp_path):
    rc, out, err = ansible_process.run(["sh", "-c", "echo out; echo err >&2; exit 3"], tmp_path, dict(os.environ), 60)
    assert (rc, out, err) == (3, "out\n", "err\n")


def test_a_run_past_its_timeout_is_killed_with_its_process_group(tmp_path):
    started = time.monotonic()
    rc, out, err = ansible_process.run(["sh", "-c", "sleep 300 & echo $!; wait"], tmp_path, dict(os.environ), 1)
    assert rc is None and time.monotonic() - started < 60, err
    child = int(out.split()[0])  # the background sleep: killed with the group, not left running
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % child, encoding="ascii") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the background child %d outlived the timeout" % child)


def test_a_command_is_found_next_to_the_interpreter():
    assert ansible_process.find_command(sys.executable, "python3") or ansible_process.find_command(
        sys.executable, "python")
    assert ansible_process.find_command("/nonexistent/python", "no-such-command-here") is None
