# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's main job on the emulator: converge every example customer, then again.

Starts the Partner Center emulator with examples/emulator/seed.json, runs
playbooks/provision_customers.yml against examples/emulator/inventory twice (the first
run converges every customer, the second is all ok), and stops the emulator.
"""

import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from partnercenter_emulator import launcher  # noqa: E402  pylint: disable=wrong-import-position


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--collections-path", default=os.path.join(ROOT, "build", "collections"))
    args = parser.parse_args()
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    with tempfile.TemporaryDirectory(prefix="pc-demo-") as workdir:
        try:
            emulator = launcher.start(workdir, ["--cert-dir", os.path.join(workdir, "certs"),
                                                "--seed", os.path.join(ROOT, "examples", "emulator", "seed.json")])
        except launcher.EmulatorError as exc:
            sys.exit(str(exc))
        with emulator:
            env = dict(os.environ)
            env.update(emulator.env())
            env.update(ANSIBLE_COLLECTIONS_PATH=args.collections_path, ANSIBLE_FORCE_COLOR="0",
                       PARTNERCENTER_TOKEN_CACHE_DIR=os.path.join(workdir, "token-cache"))
            command = [ansible_playbook, "-i", os.path.join(ROOT, "examples", "emulator", "inventory"),
                       os.path.join(ROOT, "playbooks", "provision_customers.yml")]
            print("Partner Center emulator at %s (3 customers, see examples/emulator/seed.json)" % emulator.api_url)
            for title in ("First run: every customer converges", "Second run: nothing to do, all ok"):
                shown = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else os.path.basename(c)
                                 for c in command)
                print("\n===== %s =====\n$ %s" % (title, shown), flush=True)
                returncode = subprocess.call(command, env=env, cwd=ROOT)
                if returncode != 0:
                    sys.exit("ansible-playbook failed with exit code %d" % returncode)
    print("\nDone: the first run converged the three example customers (the summaries above name every user it "
          "created, updated, restored and purged, and the one purge_exclude kept); the second run changed nothing.\n"
          "Next: edit examples/emulator/inventory/host_vars/*.yml and run make demo again, try it with --check --diff, "
          "or point the PARTNERCENTER_* variables at your partner tenant (README, 'Your first repo').")


if __name__ == "__main__":
    main()
