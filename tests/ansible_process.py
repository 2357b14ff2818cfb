# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One ``ansible-playbook`` (or ``ansible-inventory``) process in a hermetic environment.

The integration suite's harness (tests/integration/support/harness.py), its fleet helpers (fleet.py) and the
benchmark (tests/benchmark/measure.py) start every Ansible process through these three functions: the
same settings, so a playbook behaves the same in a test and in a measurement, and one place to change them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path


def find_command(python: str, name: str = "ansible-playbook") -> str | None:
    """``name`` next to the ``python`` interpreter (the venv's), else on PATH; None when neither has it."""
    candidate = Path(python).parent / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


def hermetic_env(run_dir: Path, collections_path: str, token_cache_dir: Path, *, base: dict,
                 extra: dict | None = None, emulator_env: dict | None = None, overrides: dict | None = None) -> dict:
    """``base`` plus the settings every run shares: its own ansible.cfg and temporary directories, no colour,
    no retry files, the collection from ``collections_path``, the token cache in ``token_cache_dir`` and no
    proxy for the emulator on localhost; then ``extra``, the emulator's variables and ``overrides``
    (a value of None removes the variable)."""
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY") or os.environ.get("no_proxy"),
                                      "127.0.0.1,localhost"]))
    env = dict(base)
    env.update({
        "ANSIBLE_CONFIG": str(run_dir / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": collections_path,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": str(run_dir / "local-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(run_dir / "remote-tmp"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "PARTNERCENTER_TOKEN_CACHE_DIR": str(token_cache_dir),
        "NO_PROXY": no_proxy,
        "no_proxy": no_proxy,
    })
    env.update(extra or {})
    env.update(emulator_env or {})
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def run(cmd: list, cwd: Path, env: dict, timeout: float, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """(exit code, stdout, stderr) of ``cmd`` in its own session; after ``timeout`` seconds its whole process
    group is killed (modules and forks too) and the exit code is None."""
    with subprocess.Popen(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                          text=True, start_new_session=True) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            out, err = process.communicate()
            return None, out, err
        return process.returncode, out, err
