# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""README.md's "Your first repo", run as written against the emulator.

The README's YAML and INI blocks that name a file (``# inventory/customers.partnercenter.yml``) become that file
of a partner's repository; its console lines run there; its onboarding and offboarding block becomes the host's
variables.  A README that drifts from what the collection accepts (a key renamed, a variable the role refuses,
a gate's exit code) fails here, not in a newcomer's first hour.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

import pytest
from ci_recipes import Repo
from fleet import EXAMPLE, REPO_ROOT

pytestmark = pytest.mark.uses_graph

CONTOSO = "3c4b7a10-2f1e-4d8a-9b6c-5e4f3a2b1c01"
DOMAIN = "contoso.onmicrosoft.com"
PASSWORD_VAR = "vault_initial_password=Readme-Initial-Passw0rd!7"
E3 = {"id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "skuPartNumber": "SPE_E3", "name": "Microsoft 365 E3",
      "licenseGroupId": "group1", "totalUnits": 10, "servicePlans": []}
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def section(title):
    text = (REPO_ROOT / "README.md").read_text("utf-8")
    start = text.index("### %s\n" % title)
    end = text.find("\n## ", start)
    return list(BLOCK.findall(text[start:end]))


def named_files():
    """{path: text} of the README's blocks whose first line is a comment naming a file of the repository."""
    files = {}
    for _language, body in section("Every customer, one inventory"):
        first = body.splitlines()[0]
        match = re.match(r"^[#;]\s*([\w./-]+\.(?:yml|cfg))\b", first)
        if match:
            files[match.group(1)] = body
    return files


def console_lines(title):
    return [line.split("  #")[0].strip() for language, body in section(title) if language == "console"
            for line in body.splitlines() if line.strip().startswith("ansible-playbook")]


def seed():
    data = json.loads((EXAMPLE / "seed.json").read_text("utf-8"))
    for customer in data["customers"]:
        if customer.get("id") == CONTOSO:
            customer["subscribedSkus"] = [copy.deepcopy(E3)]
            customer["users"] = [
                {"userPrincipalName": "alan.turing@%s" % DOMAIN, "displayName": "Alan Turing", "usageLocation": "GB",
                 "licenses": ["SPE_E3"]},
                {"userPrincipalName": "jane.doe@%s" % DOMAIN, "displayName": "Jane Doe", "usageLocation": "US"},
            ]
            customer["groups"] = [
                {"displayName": "Engineering", "kind": "assigned", "members": ["alan.turing@%s" % DOMAIN]},
                {"displayName": "All Staff", "kind": "assigned",
                 "members": ["alan.turing@%s" % DOMAIN, "jane.doe@%s" % DOMAIN]},
            ]
    return data


def graph_writes(emu):
    return [r for r in emu.writes() if r.get("api") == "graph"]


def test_the_first_repo_of_the_readme_converges_gates_and_onboards_as_written(emu, playbook, tmp_path):
    files = named_files()
    assert sorted(files) == ["ansible.cfg", "inventory/customers.partnercenter.yml",
                             "inventory/host_vars/%s.yml" % DOMAIN], sorted(files)
    gate = console_lines("Check mode in a pipeline")
    assert len(gate) == 1 and "--check" in gate[0] and "partnercenter_fail_on_drift=destructive" in gate[0], gate
    emu.reset(seed=seed())
    repo = Repo(playbook, tmp_path / "iac")
    for name, text in files.items():  # the README's files replace the example's, every other host's vars removed
        (repo.path / name).write_text(text, encoding="utf-8")
    for stale in (repo.path / "inventory" / "host_vars").glob("*.yml"):
        if stale.name != "%s.yml" % DOMAIN:
            stale.unlink()
    contoso_vars = repo.path / "inventory" / "host_vars" / ("%s.yml" % DOMAIN)

    # the pipeline's check: a user to create is drift, not destructive: exit 0 and nothing written
    emu.clear_requests()
    run = repo.run("%s -e %s" % (gate[0], PASSWORD_VAR))
    assert run.rc == 0, run.describe()
    assert emu.writes() == []
    # the same with the gate on any drift fails: exit 2, still nothing written
    run = repo.run("%s -e %s" % (gate[0].replace("=destructive", "=any"), PASSWORD_VAR))
    assert run.rc == 2 and "drift gate" in run.output, run.describe()
    assert emu.writes() == []
    apply = gate[0].replace(" --check", "").replace(" -e partnercenter_fail_on_drift=destructive", "")
    run = repo.run("%s -e %s" % (apply, PASSWORD_VAR))
    assert run.rc == 0, run.describe()
    ada = [u for u in emu.users(CONTOSO, state="active") if u["userPrincipalName"] == "ada.lovelace@%s" % DOMAIN]
    assert len(ada) == 1 and [lic["skuId"] for lic in ada[0]["licenses"]] == [E3["id"]], ada

    # onboarding, offboarding and a rename: the README's Graph block as the host's variables
    graph_block = [body for language, body in section("Onboarding and offboarding (Microsoft Graph)")
                   if language == "yaml"]
    assert len(graph_block) == 1
    contoso_vars.write_text(graph_block[0], encoding="utf-8")
    emu.clear_requests()
    checked = repo.run("%s -e %s" % (gate[0].replace("=destructive", "=never"), PASSWORD_VAR))
    assert checked.rc == 0, checked.describe()
    assert emu.writes() == [], "check mode wrote"
    run = repo.run("%s -e %s" % (apply, PASSWORD_VAR))
    assert run.rc == 0, run.describe()
    users = dict((u["userPrincipalName"], u) for u in emu.users(CONTOSO))
    grace, alan = users["grace.hopper@%s" % DOMAIN], users["alan.turing@%s" % DOMAIN]
    assert grace.get("jobTitle") == "Rear Admiral" and grace.get("department") == "Engineering"
    assert "jane.doe-smith@%s" % DOMAIN in users and "jane.doe@%s" % DOMAIN not in users, "renamed in place"
    assert alan.get("accountEnabled") is False and alan["licenses"] == [] and alan["state"] == "active", alan
    groups = dict((g["displayName"], g) for g in emu.state(customer=CONTOSO)["customers"][0]["groups"])
    assert sorted(groups["Engineering"]["members"]) == sorted([grace["id"]]) or \
        "grace.hopper@%s" % DOMAIN in str(groups["Engineering"]["members"]), groups
    # and the next check is clean: nothing to write anywhere, nothing destructive; the only drift left is Ada,
    # whom this block no longer declares (purge is off: she stays, and the gate on any drift says so)
    emu.clear_requests()
    run = repo.run("%s -e %s" % (gate[0], PASSWORD_VAR))
    assert run.rc == 0, run.describe()
    run = repo.run("%s -e %s" % (gate[0].replace("=destructive", "=any"), PASSWORD_VAR))
    assert run.rc == 2 and "ada.lovelace@%s left active though no declaration names them" % DOMAIN in run.output, \
        run.describe()
    assert emu.writes() == [] and graph_writes(emu) == []
