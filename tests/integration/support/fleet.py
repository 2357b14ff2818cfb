# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fleet of customers: seeding it, the customers inventory plugin, the run report, and the writes behind them.

``ansible_inventory`` runs ``ansible-inventory --list`` with the playbook runner's environment;
``fleet_inventory`` copies ``examples/fleet/inventory`` (the plugin's configuration, the
``group_vars`` standard and the ``host_vars`` of the customers with users of their own);
``report_env`` and ``load_report`` enable and read the ``csp.partnercenter.report`` callback;
``logged_writes`` and ``reported_writes`` turn the emulator's request log and a report into the
same multiset of (customer, route, user) so a test can say the report lists exactly the writes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import itertools
import json
import re
import shutil
import sys
from pathlib import Path

import yaml

import ansible_process
from profiles import passwords_only_by_reset
from request_log import body_upn

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = REPO_ROOT / "examples" / "fleet"
PLAYBOOK = REPO_ROOT / "playbooks" / "provision_customers.yml"
GROUP = "partnercenter_customers"
CONVERGE = "Converge the customer's users"
SUMMARY = "Summarise every customer of this batch (one message for all its hosts)"
REPORT_NAME = "report"
SEED_PASSWORD = "Seed-Passw0rd!"

_counter = itertools.count(1)


def role_summaries(run):
    """Host -> the summary lines the role printed: one run_once task per batch, a key per customer that converged."""
    out = {}
    for record in run.results:
        if str(record["task"]).endswith(SUMMARY):
            out.update(record["result"]["msg"])
    return out


# --------------------------------------------------------------------------- the inventory plugin

def unwrap(value):
    """ansible-inventory's JSON with ansible-core 2.19's ``{"__ansible_unsafe": ...}`` markers removed."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, unwrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def said(text, output):
    """Whether ``output`` holds ``text``, whatever ansible-core's line wrapping: before 2.19 it wraps
    warnings at 80 columns, also after a hyphen (inside a GUID or a path)."""
    return "".join(text.split()) in "".join(output.split())


class InventoryRun:
    """One ``ansible-inventory --list``: exit code, output, and the inventory as JSON (when it printed one)."""

    def __init__(self, rc, stdout, stderr):
        self.rc, self.stdout, self.stderr = rc, stdout, stderr
        try:
            self.data = unwrap(json.loads(stdout))
        except ValueError:
            self.data = {}

    @property
    def output(self):
        return self.stdout + "\n" + self.stderr

    @property
    def message(self):
        """stderr unwrapped: ansible-core before 2.19 wraps warnings at 80 columns, also right after a hyphen
        inside a word ("MS-" | "RequestId"); such a break is joined, any other run of white space is one space."""
        return " ".join(re.sub(r"(?<=\w-)\n", "", self.stderr).split())

    @property
    def hostvars(self):
        return self.data.get("_meta", {}).get("hostvars", {})

    def hosts(self, group=GROUP):
        return sorted(self.data.get(group, {}).get("hosts", []))

    @property
    def groups(self):
        return sorted(name for name in self.data if name != "_meta")


def write_config(directory, config, name="customers.partnercenter.yml"):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(dict(config, plugin="csp.partnercenter.customers"), sort_keys=False),
                    encoding="utf-8")
    return path


def ansible_inventory(runner, source, args=(), env=None, expect_rc=0, timeout=180):
    """``ansible-inventory -i source --list`` with ``runner``'s hermetic environment (emulator included).

    ``source`` is a configuration file path, or a dict of plugin options written to a fresh file.
    """
    run_dir = runner.workdir / ("inventory%02d" % next(_counter))
    run_dir.mkdir(parents=True)
    (run_dir / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    if isinstance(source, dict):
        source = write_config(run_dir, source)
    run_env = runner.base_env(run_dir, run_dir / "results.jsonl", run_dir / "ansible.log",
                              overrides=dict({"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true"}, **(env or {})))
    command = [ansible_process.find_command(sys.executable, "ansible-inventory"), "-i", str(source), "--list"]
    command += list(args)
    rc, stdout, stderr = ansible_process.run(command, run_dir, run_env, timeout)
    assert rc is not None, "ansible-inventory timed out after %s s\n%s" % (timeout, stderr[-3000:])
    run = InventoryRun(rc, stdout, stderr)
    if expect_rc is not None:
        assert run.rc == expect_rc, "ansible-inventory exited %s\n%s" % (run.rc, run.stderr[-3000:])
    return run


# --------------------------------------------------------------------------- the fleet

def converged_fleet(emu, prefix, count, users):
    """``count`` customers ``<prefix>NN`` seeded with ``users`` generated users each, and inventory host vars
    declaring exactly those users (a no-op converge): (names, {name: customer id}, {name: host vars})."""
    names = ["%s%02d" % (prefix, n) for n in range(1, count + 1)]
    seeded = emu.seed([{"companyName": name, "domain": domain_of(name),
                        "generate_users": {"count": users, "prefix": "user"}} for name in names])
    ids = dict((c["domain"].split(".")[0], c["id"]) for c in seeded)
    declared = dict((name, [dict(user_principal_name="user%05d@%s" % (n, domain_of(name)), first_name="User",
                                 last_name="%05d" % n, display_name="User %05d" % n, usage_location="US")
                            for n in range(1, users + 1)]) for name in names)
    hosts = dict((name, {"partnercenter_customer_id": ids[name], "partnercenter_users": declared[name]})
                 for name in names)
    return names, ids, hosts


def domain_of(name):
    return "%s.onmicrosoft.com" % name


def fleet_customer(name, company=None, users=(), **extra):
    customer = {"companyName": company or "%s Ltd" % name.capitalize(), "domain": domain_of(name),
                "users": list(users)}
    customer.update(extra)
    return customer


def seeded_user(upn, first, last, country="US", **extra):
    user = {"userPrincipalName": upn, "firstName": first, "lastName": last, "displayName": "%s %s" % (first, last),
            "usageLocation": country, "password": SEED_PASSWORD}
    user.update(extra)
    return user


def seed_fleet(emu, count=50):
    """``count`` customers the example inventory names: Contoso and Fabrikam (with host_vars) and fleetNN,
    plus a sandbox tenant the example's configuration excludes.  Returns {domain: customer id}."""
    customers = [
        fleet_customer("contoso", "Contoso Ltd", users=[
            seeded_user("ada.lovelace@contoso.onmicrosoft.com", "Ada", "Lovelace"),
            seeded_user("temp.contractor@contoso.onmicrosoft.com", "Temp", "Contractor")]),
        fleet_customer("fabrikam", "Fabrikam Inc"),
    ]
    customers += [fleet_customer("fleet%02d" % i, relationshipToPartner="advisor" if i % 4 == 0 else None)
                  for i in range(count - len(customers))]
    customers.append(fleet_customer("partnerlab", "Partner Lab (sandbox)"))
    for customer in customers:
        if customer.get("relationshipToPartner") is None:
            customer.pop("relationshipToPartner", None)
    seeded = emu.seed(customers)
    emu.clear_requests()
    return dict((c["domain"], c["id"]) for c in seeded)


def fleet_inventory(directory):
    """A copy of examples/fleet/inventory in ``directory``; returns the plugin configuration's path."""
    target = Path(directory) / "inventory"
    shutil.copytree(str(EXAMPLE / "inventory"), str(target))
    return target / "customers.partnercenter.yml"


def breakglass(domain):
    return "breakglass@%s" % domain


# --------------------------------------------------------------------------- the report

def report_env(directory, **extra):
    env = {"ANSIBLE_CALLBACKS_ENABLED": "result_recorder,csp.partnercenter.report",
           "PARTNERCENTER_REPORT_DIR": str(directory), "PARTNERCENTER_REPORT_FILE_NAME": REPORT_NAME}
    env.update(extra)
    return env


def load_report(directory):
    """(the JSON report, the Markdown report) written to ``directory``."""
    directory = Path(directory)
    return (json.loads((directory / (REPORT_NAME + ".json")).read_text(encoding="utf-8")),
            (directory / (REPORT_NAME + ".md")).read_text(encoding="utf-8"))


def changes(report, keep=("action", "fields")):
    """{(host, lower-case UPN): {key: ...}} of every change a report lists."""
    return dict(((c["host"], change["user_principal_name"].lower()), dict((k, change[k]) for k in keep))
                for c in report["customers"] for change in c["changes"])


# --------------------------------------------------------------------------- writes

def _write_key(record):
    """(customer id, route, user): the user by UPN for a create (it has no id yet), else by id."""
    parts = record["path"].strip("/").split("/")  # v1 customers {cid} users {uid} ...
    customer = parts[2]
    route = record["route"]
    body = record.get("body") or {}
    if route == "create_user":
        return customer, route, ("upn", body_upn(record))
    if route == "add_role_member":
        return customer, route, ("id", str(body.get("id") or body.get("Id")).lower())
    if route == "remove_role_member":
        return customer, route, ("id", parts[-1].lower())
    return customer, route, ("id", parts[4].lower())


def logged_writes(emu):
    """Counter of (customer id, route, user) over every successful write in the emulator's log."""
    return collections.Counter(_write_key(r) for r in emu.writes() if (r.get("status") or 0) < 400)


def reported_writes(report, customer_ids, emu=None):
    """Counter of the writes a real run's report implies, keyed like ``logged_writes``.

    With ``emu`` whose passwords go only through /resetpassword (entra), a password is its own write.
    """
    by_reset = emu is not None and passwords_only_by_reset(emu)
    writes = collections.Counter()
    for customer in report["customers"]:
        cid = customer_ids[customer["host"]]
        for change in customer["changes"]:
            uid = ("id", (change["id"] or "").lower())
            action, fields = change["action"], change["fields"]
            if action == "created":
                writes[(cid, "create_user", ("upn", change["user_principal_name"].lower()))] += 1
            elif action in ("deleted", "purged"):
                writes[(cid, "delete_user", uid)] += 1
            elif action == "restored" or set(fields) - {"directory_roles", "licenses"} - (
                    {"password"} if by_reset else set()):
                writes[(cid, "update_user", uid)] += 1
            if by_reset and "password" in fields and action not in ("created", "deleted", "purged"):
                writes[(cid, "reset_password", uid)] += 1
            roles = fields.get("directory_roles") or {}
            added = set(roles.get("after") or []) - set(roles.get("before") or [])
            removed = set(roles.get("before") or []) - set(roles.get("after") or [])
            writes[(cid, "add_role_member", uid)] += len(added)
            writes[(cid, "remove_role_member", uid)] += len(removed)
    return +writes
