# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Guard-rails (issue 29): mass_change_limit per customer and the role's play-wide limit refuse before any write;
a privileged user is not offboarded without allow_privileged (check mode predicts it); active users nobody declares
are listed in the summary and the run report, and fail the host with partnercenter_users_fail_on_undeclared."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from catalogue import E3
from contoso import seed_contoso, seeded_user, upn, users_task
from fleet import CONVERGE, PLAYBOOK, load_report, report_env, role_summaries
from plays import play

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
E3_15 = dict(E3, totalUnits=20)


def leavers(count):
    return ["leaver%02d" % n for n in range(count)]


def test_a_threshold_of_10_refuses_15_offboardings_with_zero_writes(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3_15],
                       users=[seeded_user(name, licenses=["SPE_E3"]) for name in leavers(15)])
    offboard = play(users_task(cid, [dict(upn=upn(name), state="offboarded") for name in leavers(15)], name="users",
                               mass_change_limit=10, offboard_with_graph=False, ignore_errors=True))
    for check in (True, False):
        msg = playbook(offboard, check=check).result("users")["result"]["msg"]
        assert "delete 0, offboard 15 and rename 0 users" in msg and "more than mass_change_limit (10)" in msg
        assert "First ones: %s, %s" % (upn("leaver00"), upn("leaver01")) in msg and "and 10 more" in msg
        assert "partnercenter_users_mass_change_limit=15" in msg and "nothing was changed" in msg
    assert emu.writes() == []
    assert all(u["licenses"] for u in emu.users(cid))


def test_a_global_administrator_is_not_offboarded_without_allow_privileged(emu, playbook):
    cid = seed_contoso(emu, users=[seeded_user("boss", directoryRoles=[GLOBAL_ADMIN]), seeded_user("bob")])
    (boss,) = [u for u in emu.users(cid) if u["userPrincipalName"] == upn("boss")]

    def offboard(**allow):
        return play(users_task(cid, [dict(upn=upn("boss"), state="offboarded", **allow), dict(upn=upn("bob"))],
                               name="users", offboard_with_graph=False, ignore_errors=True))

    for check in (True, False):
        result = playbook(offboard(), check=check).result("users")["result"]
        (failed,) = result["failed_users"]
        assert failed["user_principal_name"] == upn("boss") and result["summary"]["failed"] == 1
        assert "Global Administrator" in failed["msg"] and "allow_privileged: true" in failed["msg"]
        assert "Nothing was sent for it" in failed["msg"]
    assert emu.writes() == []
    assert [u["directoryRoles"] for u in emu.users(cid) if u["id"] == boss["id"]] == [[GLOBAL_ADMIN]]

    result = playbook(offboard(allow_privileged=True)).result("users")["result"]
    assert result["users"][0]["action"] == "offboarded" and "failed_users" not in result
    assert sorted(w["route"] for w in emu.writes()) == ["remove_role_member", "reset_password"]


def role_inventory(ids, users, **extra):
    hosts = dict((name, dict({"partnercenter_customer_id": ids[name], "partnercenter_users": users[name]}, **extra))
                 for name in ids)
    return {"partnercenter_customers": {"hosts": hosts}}


def test_the_play_wide_limit_plans_every_customer_first_and_refuses_the_batch(emu, playbook):
    ids = dict((name, c["id"]) for name, c in zip(("contoso", "fabrikam"), emu.seed([
        {"companyName": name.capitalize(), "domain": "%s.onmicrosoft.com" % name,
         "users": [seeded_user(n, userPrincipalName="%s@%s.onmicrosoft.com" % (n, name)) for n in leavers(7)]
         + [seeded_user("stay", userPrincipalName="stay@%s.onmicrosoft.com" % name)]}
        for name in ("contoso", "fabrikam")])))
    emu.clear_requests()
    users = dict((name, [{"user_principal_name": "%s@%s.onmicrosoft.com" % (n, name), "state": "absent"}
                         for n in leavers(7)] + [{"user_principal_name": "stay@%s.onmicrosoft.com" % name}])
                 for name in ids)
    hosts = role_inventory(ids, users, partnercenter_users_play_mass_change_limit=12)

    for check in (True, False):
        run = playbook(str(PLAYBOOK), inventory=hosts, check=check, expect_rc=2)
        (refusal,) = [r["result"]["msg"] for r in run.results if "partnercenter_users_play_mass_change_limit" in
                      str(r["task"]) and r["event"] == "failed"]
        assert "delete 14, offboard 0 and rename 0 users (14 in all), more than " \
               "partnercenter_users_play_mass_change_limit (12)" in refusal
        assert "contoso: 7 (leaver00@contoso.onmicrosoft.com" in refusal and "fabrikam: 7" in refusal
        assert "-e partnercenter_users_play_mass_change_limit=14" in refusal
        assert ("check mode predicts" in refusal) is check
    assert emu.writes() == []
    # The planning pass read every customer before the refusal: one user listing each.
    assert len(emu.requests(route="list_users")) == 4

    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=hosts, extra_vars="partnercenter_users_play_mass_change_limit=14")
    assert sorted(w["route"] for w in emu.writes()) == ["delete_user"] * 14
    assert all(r["result"]["summary"]["deleted"] == 7 for r in run.results if r["task"].endswith(CONVERGE)
               and "summary" in r["result"])


def test_undeclared_users_are_listed_and_can_fail_the_host(emu, playbook, tmp_path):
    cid = seed_contoso(emu, users=[seeded_user(n) for n in ("ann", "old.intern", "temp", "admin")])
    hosts = role_inventory({"contoso": cid}, {"contoso": [{"user_principal_name": upn("ann")}]},
                           partnercenter_users_purge_exclude=["admin@*"])
    run = playbook(str(PLAYBOOK), inventory=hosts, env=report_env(tmp_path / "report"))
    lines = role_summaries(run)["contoso"]
    assert "  not declared, left active (purge is off): 2: %s, %s" % (upn("old.intern"), upn("temp")) in lines
    report, markdown = load_report(tmp_path / "report")
    assert report["customers"][0]["undeclared"] == {"count": 2, "users": [upn("old.intern"), upn("temp")]}
    assert "Active users no declaration names" in markdown

    hosts["partnercenter_customers"]["hosts"]["contoso"]["partnercenter_users_fail_on_undeclared"] = True
    run = playbook(str(PLAYBOOK), inventory=hosts, expect_rc=2)
    msg = [r["result"]["msg"] for r in run.results if r["event"] == "failed"][-1]
    assert "2 active users of the customer are declared nowhere" in msg and upn("old.intern") in msg
    assert "partnercenter_users_fail_on_undeclared" in msg
    assert emu.writes() == []


def test_the_play_wide_limit_defaults_to_25_across_the_batch(emu, playbook):
    """Nothing set: the role's documented default (25) refuses 26 deletes across two customers, though each stays
    under its own partnercenter_users_mass_change_limit; zero writes."""
    ids = dict((name, c["id"]) for name, c in zip(("contoso", "fabrikam"), emu.seed([
        {"companyName": name.capitalize(), "domain": "%s.onmicrosoft.com" % name,
         "users": [seeded_user(n, userPrincipalName="%s@%s.onmicrosoft.com" % (n, name)) for n in leavers(13)]}
        for name in ("contoso", "fabrikam")])))
    users = dict((name, [{"user_principal_name": "%s@%s.onmicrosoft.com" % (n, name), "state": "absent"}
                         for n in leavers(13)]) for name in ids)
    run = playbook(str(PLAYBOOK), inventory=role_inventory(ids, users, partnercenter_users_mass_change_limit=20),
                   expect_rc=2)
    (refusal,) = [r["result"]["msg"] for r in run.results if r["event"] == "failed"]
    assert "delete 26, offboard 0 and rename 0 users (26 in all), more than " \
           "partnercenter_users_play_mass_change_limit (25)" in refusal, refusal
    assert emu.writes() == []
    assert not [r for r in run.results if r["task"].endswith(CONVERGE)], "refused before any converge"
