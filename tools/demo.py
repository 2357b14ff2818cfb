# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's main job on the emulator: converge every example customer, then again.

Starts the Partner Center emulator with examples/emulator/seed.json, runs
playbooks/provision_customers.yml against examples/emulator/inventory twice (the first
run converges every customer, the second is all ok), and stops the emulator.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ENV_NAMES = {
    "api_url": "PARTNERCENTER_API_URL",
    "authority": "PARTNERCENTER_AUTHORITY",
    "ca_path": "PARTNERCENTER_CA_PATH",
    "tenant_id": "PARTNERCENTER_TENANT_ID",
    "client_id": "PARTNERCENTER_CLIENT_ID",
    "client_secret": "PARTNERCENTER_CLIENT_SECRET",
    "refresh_token": "PARTNERCENTER_REFRESH_TOKEN",
}


def start_emulator(workdir):
    info_path = os.path.join(workdir, "emulator.json")
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests", "emulator", "pcemu.py"), "--port", "0", "--quiet",
         "--info-file", info_path, "--cert-dir", os.path.join(workdir, "certs"),
         "--seed", os.path.join(ROOT, "examples", "emulator", "seed.json")],
        stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not os.path.exists(info_path):
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            sys.exit("the emulator did not start")
        time.sleep(0.1)
    with open(info_path) as handle:
        return process, json.load(handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--collections-path", default=os.path.join(ROOT, "build", "collections"))
    args = parser.parse_args()
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    with tempfile.TemporaryDirectory(prefix="pc-demo-") as workdir:
        process, info = start_emulator(workdir)
        env = dict(os.environ)
        env.update((name, info[key]) for key, name in ENV_NAMES.items())
        env.update(ANSIBLE_COLLECTIONS_PATH=args.collections_path, ANSIBLE_FORCE_COLOR="0",
                   PARTNERCENTER_TOKEN_CACHE_DIR=os.path.join(workdir, "token-cache"))
        command = [ansible_playbook, "-i", os.path.join(ROOT, "examples", "emulator", "inventory"),
                   os.path.join(ROOT, "playbooks", "provision_customers.yml")]
        print("Partner Center emulator at %s (3 customers, see examples/emulator/seed.json)" % info["api_url"])
        try:
            for title in ("First run: every customer converges", "Second run: nothing to do, all ok"):
                shown = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else os.path.basename(c)
                                 for c in command)
                print("\n===== %s =====\n$ %s" % (title, shown), flush=True)
                returncode = subprocess.call(command, env=env, cwd=ROOT)
                if returncode != 0:
                    sys.exit("ansible-playbook failed with exit code %d" % returncode)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
