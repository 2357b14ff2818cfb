# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adopting an existing tenant (issue 29, item 4): playbooks/export_customer_users.yml.

A customer with 300 users (attributes, admin roles under their legacy names, licenses with and
without disabled plans, soft-deleted users beside them) is exported to host variables; the role
then converges it with those variables without a single write. The export names no password,
keeps its files private and never replaces a file it did not write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat
import sys

import pytest
import yaml

from catalogue import E3, HELPDESK, VISIO
from fleet import PLAYBOOK, REPO_ROOT, role_summaries, seeded_user

EXPORT = REPO_ROOT / "playbooks" / "export_customer_users.yml"
USERS = 300
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
TEAMS_PLAN = "57ff2da0-773e-42df-b2af-ffb7a2317929"
E3_WITH_IDS = dict(E3, totalUnits=USERS, servicePlans=[
    dict(E3["servicePlans"][0], id=TEAMS_PLAN),
    dict(E3["servicePlans"][1], id="efb87545-963c-4e0d-99df-69c6916d9eb0")])


def adopted_users(domain, count):
    """``count`` users as a tenant holds them after years: every shape the export must carry."""
    users = []
    for n in range(count):
        extra = {}
        if n % 7 == 0:
            extra["immutableId"] = "anchor-%04d" % n
        if n % 11 == 0:
            extra["usageLocation"] = "GB"
        if n % 50 == 0:
            extra["directoryRoles"] = [GLOBAL_ADMIN] if n == 0 else [HELPDESK]
        if n % 3 == 0:
            extra["licenses"] = [{"skuId": "SPE_E3", "excludedPlans": [TEAMS_PLAN]} if n % 2 else "SPE_E3"]
        if n % 5 == 0:
            extra["licenses"] = extra.get("licenses", []) + ["VISIOCLIENT"]
        users.append(seeded_user("user%03d@%s" % (n, domain), "First%03d" % n, "Last%03d" % n, **extra))
    users.append(seeded_user("gone@%s" % domain, "Gone", "User", state="inactive",
                             softDeletionTime="2026-11-30T00:00:00Z"))
    return users


def test_export_then_converge_makes_no_write(emu, playbook, tmp_path):
    e3, visio = E3_WITH_IDS, dict(VISIO, totalUnits=USERS)
    adopted, small = emu.seed([
        {"companyName": "Adopted Ltd", "domain": "adopted.onmicrosoft.com", "subscribedSkus": [e3, visio],
         "users": adopted_users("adopted.onmicrosoft.com", USERS)},
        {"companyName": "Small Ltd", "domain": "small.onmicrosoft.com",
         "users": [seeded_user("solo@small.onmicrosoft.com", "Solo", "User", directoryRoles=["Helpdesk Administrator"])]},
    ])
    inventory = tmp_path / "inventory"
    host_vars = inventory / "host_vars"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"partnercenter_customers": {"hosts": {
        "adopted": {"partnercenter_customer_id": adopted["id"]},
        "small": {"partnercenter_customer_domain": "small.onmicrosoft.com"}}}}), encoding="utf-8")
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(
        {"ansible_python_interpreter": sys.executable, "ansible_connection": "local"}), encoding="utf-8")
    emu.clear_requests()

    playbook(str(EXPORT), inventory=str(inventory), extra_vars={"partnercenter_export_dir": str(host_vars)})
    assert emu.writes() == []
    assert stat.S_IMODE(host_vars.stat().st_mode) == 0o700
    exported = {}
    for host in ("adopted", "small"):
        path = host_vars / (host + ".yml")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert "password:" not in text.lower() and "Seed-Passw0rd" not in text
        exported[host] = yaml.safe_load(text)["partnercenter_users"]

    users = exported["adopted"]
    assert len(users) == USERS and "gone@adopted.onmicrosoft.com" not in [u["user_principal_name"] for u in users]
    by_upn = dict((u["user_principal_name"], u) for u in users)
    assert by_upn["user000@adopted.onmicrosoft.com"] == {
        "user_principal_name": "user000@adopted.onmicrosoft.com", "first_name": "First000", "last_name": "Last000",
        "display_name": "First000 Last000", "usage_location": "GB", "immutable_id": "anchor-0000",
        "directory_roles": {"set": ["Global Administrator"]},  # listed as Company Administrator
        "licenses": {"set": ["SPE_E3", "VISIOCLIENT"]}}
    assert by_upn["user003@adopted.onmicrosoft.com"]["licenses"] == {
        "set": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}
    assert by_upn["user050@adopted.onmicrosoft.com"]["directory_roles"] == {"set": ["Helpdesk Administrator"]}
    assert "directory_roles" not in by_upn["user001@adopted.onmicrosoft.com"]
    assert "licenses" not in by_upn["user001@adopted.onmicrosoft.com"]
    assert exported["small"] == [{"user_principal_name": "solo@small.onmicrosoft.com", "first_name": "Solo",
                                  "last_name": "User", "display_name": "Solo User", "usage_location": "US",
                                  "directory_roles": {"set": ["Helpdesk Administrator"]}}]

    # A second export would replace the host variables now in place: refused before any request.
    emu.clear_requests()
    refused = playbook(str(EXPORT), inventory=str(inventory), expect_rc=2,
                       extra_vars={"partnercenter_export_dir": str(host_vars)})
    assert "partnercenter_export_overwrite=true" in refused.output and emu.requests() == []
    assert yaml.safe_load((host_vars / "adopted.yml").read_text(encoding="utf-8"))["partnercenter_users"] == users

    # The next converge, with the exported variables as the hosts' own and purge on: no write at all.
    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=str(inventory), extra_vars={"partnercenter_users_purge": True})
    assert emu.writes() == []
    assert not any(r["result"].get("changed") for r in run.results)
    summaries = role_summaries(run)
    assert set(summaries) == {"adopted", "small"}
    assert any("%d unchanged" % USERS in line for line in summaries["adopted"]), summaries["adopted"]


@pytest.mark.uses_graph
def test_export_with_graph_declares_graph_fields_blocked_sign_in_and_groups(emu, playbook, tmp_path):
    # What the export writes, that its Graph requests carry the run's one correlation id like its Partner Center
    # requests, and that the role converges the exported Graph keys without a write to either API.
    domain = "graphed.onmicrosoft.com"
    (customer,) = emu.seed([{
        "companyName": "Graphed", "domain": domain, "gdapRoles": "all", "consentedApplications": True,
        "users": [seeded_user("ada@" + domain, "Ada", "Lovelace", jobTitle="CFO", department="Finance"),
                  seeded_user("bob@" + domain, "Bob", "Smith", jobTitle="Accountant", manager="ada@" + domain,
                              businessPhones=["+1 555 0101"]),
                  seeded_user("cat@" + domain, "Cat", "Blocked", accountEnabled=False)],
        "groups": [{"displayName": "Finance", "members": ["ada@" + domain, "bob@" + domain]},
                   {"displayName": "Team", "members": ["bob@" + domain]},
                   {"displayName": "Team", "members": ["cat@" + domain]}]}])
    export_dir = tmp_path / "exported"
    emu.clear_requests()
    playbook(str(EXPORT), inventory={"partnercenter_customers": {"hosts": {
        "graphed": {"partnercenter_customer_id": customer["id"], "partnercenter_export_graph": True}}}},
        extra_vars={"partnercenter_export_dir": str(export_dir)})
    users = dict((u["user_principal_name"], u) for u in yaml.safe_load(
        (export_dir / "graphed.yml").read_text(encoding="utf-8"))["partnercenter_users"])
    export_requests = emu.requests()
    state = emu.state(customer=customer["id"])["customers"][0]
    teams = sorted(g["id"] for g in state["groups"] if g["displayName"] == "Team")
    ada, bob, cat = users["ada@" + domain], users["bob@" + domain], users["cat@" + domain]
    assert (ada["job_title"], ada["department"], ada["groups"]) == ("CFO", "Finance", {"set": ["Finance"]})
    assert "manager" not in ada and "account_enabled" not in ada
    assert (bob["manager"], bob["business_phones"]) == ("ada@" + domain, ["+1 555 0101"])
    (bob_team,) = [g for g in bob["groups"]["set"] if g != "Finance"]
    (cat_team,) = cat["groups"]["set"]
    assert sorted([bob_team, cat_team]) == teams, "two groups named Team: each by its object id"
    assert cat["account_enabled"] is False
    logged = [r for r in export_requests if r["route"] not in ("token", "openid_config")]
    assert {"graph", "partner_center"} <= set(r.get("api") for r in logged)
    assert len(set(r["correlation_id"] for r in logged)) == 1 and emu.writes() == []

    # The next converge, with the exported variables (Graph keys, blocked sign-in, groups by id) and purge on.
    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory={"partnercenter_customers": {"hosts": {"graphed": dict(
        partnercenter_customer_id=customer["id"], partnercenter_users_purge=True,
        **yaml.safe_load((export_dir / "graphed.yml").read_text(encoding="utf-8")))}}})
    assert emu.writes() == [], [(r.get("api"), r["method"], r["path"]) for r in emu.writes()]
    assert {"graph", "partner_center"} <= set(r.get("api") for r in emu.requests())  # Graph was read, not skipped
    assert not any(r["result"].get("changed") for r in run.results)
    assert any("3 unchanged" in line for line in role_summaries(run)["graphed"]), role_summaries(run)
    assert emu.state(customer=customer["id"])["customers"][0] == state
