"""``pcemu --wait`` (in the background, back once it serves), ``--env`` and ``--stop``, with the seed example of
docs/docsite/rst/guide_emulator.rst; and what it says when the emulator cannot start."""

import json
import os
import re
import shlex
import subprocess
import sys
import time

from conftest import EMULATOR_DIR, VerifySession

PCEMU = os.path.join(EMULATOR_DIR, "pcemu.py")
GUIDE = os.path.join(EMULATOR_DIR, os.pardir, os.pardir, "docs", "docsite", "rst", "guide_emulator.rst")


def guide_seed():
    """The JSON block of the guide's "Seed data" section."""
    with open(GUIDE, encoding="utf-8") as handle:
        text = handle.read()
    section = text[text.index("Seed data\n---------"):]
    block = section[section.index(".. code-block:: json") + len(".. code-block:: json"):]
    lines = []
    for line in block.splitlines()[1:]:
        if line.strip() and not line.startswith("    "):
            break
        lines.append(line)
    return json.loads("\n".join(lines))


def pcemu(*args, cwd=None):
    return subprocess.run([sys.executable, PCEMU] + list(args), cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120, check=False)


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def exports(text):
    return dict(shlex.split(line[len("export "):])[0].split("=", 1) for line in text.splitlines())


def test_wait_returns_once_it_serves_env_repeats_the_exports_and_stop_stops_it(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(guide_seed()))
    started = pcemu("--wait", "--seed", str(seed), cwd=str(tmp_path))
    assert started.returncode == 0, started.stderr
    info = json.loads((tmp_path / "pcemu.json").read_text())
    try:
        assert (tmp_path / "pcemu.json").stat().st_mode & 0o777 == 0o600
        variables = exports(started.stdout)
        assert variables == {"PARTNERCENTER_API_URL": info["api_url"], "PARTNERCENTER_GRAPH_URL": info["graph_url"],
                             "PARTNERCENTER_AUTHORITY": info["authority"],
                             "PARTNERCENTER_CA_PATH": info["ca_path"], "PARTNERCENTER_TENANT_ID": info["tenant_id"],
                             "PARTNERCENTER_CLIENT_ID": info["client_id"],
                             "PARTNERCENTER_CLIENT_SECRET": info["client_secret"],
                             "PARTNERCENTER_REFRESH_TOKEN": info["refresh_token"]}
        assert "pcemu: serving %s (pid %d" % (info["api_url"], info["pid"]) in started.stderr
        # it serves as soon as --wait returns, with the guide's seed loaded
        state = VerifySession(info["ca_path"]).get(info["control_url"] + "/state").json()
        (customer,) = state["customers"]
        assert customer["id"] == "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
        assert sorted(u["userPrincipalName"] for u in customer["users"] if u["state"] == "active")[:1] == [
            "ada@contoso.onmicrosoft.com"]
        assert len(customer["users"]) == 5002
        assert exports(pcemu("--env", cwd=str(tmp_path)).stdout) == variables
        # a second --wait on the same info file is refused while the first one runs
        again = pcemu("--wait", cwd=str(tmp_path))
        assert again.returncode == 2 and "belongs to a running emulator (pid %d)" % info["pid"] in again.stderr
    finally:
        stopped = pcemu("--stop", cwd=str(tmp_path))
    assert stopped.returncode == 0, stopped.stderr
    assert not alive(info["pid"]) and not (tmp_path / "pcemu.json").exists()
    assert not os.path.exists(info["cert_dir"])  # its temporary certificates went with it
    assert pcemu("--stop", cwd=str(tmp_path)).returncode == 2


def test_wait_says_why_the_emulator_did_not_start(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"customers": [{"companyName": "X", "domain": "x.example", "users": "nobody"}]}))
    began = time.monotonic()
    failed = pcemu("--wait", "--seed", str(bad), "--info-file", str(tmp_path / "run" / "emu.json"))
    assert failed.returncode == 2 and failed.stdout == ""
    assert re.search(r"the emulator exited with code 2 before serving; its output \(.*emu\.json\.log\)",
                     failed.stderr), failed.stderr
    assert "pcemu: error:" in failed.stderr.split("\n", 1)[1]  # the emulator's own message follows
    assert time.monotonic() - began < 60
