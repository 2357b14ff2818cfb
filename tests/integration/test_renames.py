# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renames (issue 29): previous_user_principal_names renames the account in place through Partner Center's
user update (PATCH userPrincipalName), keeping its id, roles and licenses; purge never takes the old name; a
create plus a purge that look like one person are warned about; ambiguity is refused before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from catalogue import BILLING, E3
from contoso import seed_contoso, seeded_user, upn, users_task
from plays import play

JANE, JANE_SMITH = upn("jane.doe"), upn("jane.doe-smith")


def renamed_jane(**extra):
    return dict(upn=JANE_SMITH, display_name="Jane Doe-Smith", previous_user_principal_names=[JANE], **extra)


def test_a_rename_keeps_the_id_and_memberships_and_makes_no_create_or_delete(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3], users=[
        seeded_user("jane.doe", displayName="Jane Doe", directoryRoles=[BILLING], licenses=["SPE_E3"]),
        seeded_user("bob")], groups=[{"displayName": "Sales", "members": [JANE]}])
    (before,) = [u for u in emu.users(cid) if u["userPrincipalName"] == JANE]
    rename = play(users_task(cid, [renamed_jane(licenses=["SPE_E3"]), dict(upn=upn("bob"))], name="users",
                             purge=True))

    predicted = playbook(rename, check=True, diff=True).result("users")["result"]
    assert emu.writes() == []
    assert predicted["users"][0]["action"] == "renamed" and predicted["summary"]["renamed"] == 1
    assert predicted["purged"] == [] and predicted["summary"]["purged"] == 0  # the old name is the same person
    assert predicted["diff"]["before"][JANE_SMITH] == {"user_principal_name": JANE, "display_name": "Jane Doe"}
    assert predicted["diff"]["after"][JANE_SMITH] == {"user_principal_name": JANE_SMITH,
                                                      "display_name": "Jane Doe-Smith"}

    done = playbook(rename).result("users")["result"]
    assert done["users"][0]["action"] == "renamed" and done["users"][0]["id"] == before["id"]
    writes = emu.writes()
    assert [(w["route"], w["body"]["userPrincipalName"]) for w in writes] == [("update_user", JANE_SMITH)]
    (after,) = [u for u in emu.users(cid) if u["id"] == before["id"]]
    assert after["userPrincipalName"] == JANE_SMITH and after["state"] == "active"
    assert after["directoryRoles"] == before["directoryRoles"] and after["licenses"] == before["licenses"]
    assert len(emu.users(cid)) == 2  # no new account, none deleted
    (sales,) = emu.state(customer=cid)["customers"][0]["groups"]
    assert sales["members"] == [before["id"]]  # the same object, so its groups are its own still

    emu.clear_requests()
    assert playbook(rename, check=True).result("users")["result"]["changed"] is False
    again = playbook(rename).result("users")["result"]
    assert again["changed"] is False and again["summary"]["unchanged"] == 2 and emu.writes() == []


def test_ambiguous_renames_are_refused_before_any_write_and_a_look_alike_purge_is_warned(emu, playbook):
    cid = seed_contoso(emu, users=[seeded_user("jane.doe", displayName="Jane Doe"),
                                   seeded_user("jdoe", displayName="Jane Doe"),
                                   seeded_user("jane.doe-smith"), seeded_user("ann", displayName="Ann Lee")])
    run = playbook(play(
        users_task(cid, [dict(upn=upn("new.jane"), previous_user_principal_names=[JANE, upn("jdoe")])],
                   name="two previous names exist", ignore_errors=True),
        users_task(cid, [dict(upn=JANE_SMITH, previous_user_principal_names=[JANE])],
                   name="the new name is taken", ignore_errors=True),
        users_task(cid, [dict(upn=upn("ann.lee"), first_name="Ann", last_name="Lee", display_name="Ann Lee",
                              usage_location="US", password="Initial-Passw0rd!")]
                   + [dict(upn=upn(n)) for n in ("jane.doe", "jdoe", "jane.doe-smith")],
                   name="create and purge", purge=True)), check=True)
    both = run.result("two previous names exist")["result"]["msg"]
    assert JANE in both and upn("jdoe") in both and "ambiguous" in both and "users[0]" in both
    taken = run.result("the new name is taken")["result"]["msg"]
    assert "both exist" in taken and JANE_SMITH in taken and "previous_user_principal_names" in taken
    warned = " ".join(run.result("create and purge")["result"]["warnings"])
    assert "previous_user_principal_names: [%s]" % upn("ann") in warned and "display_name" in warned
    assert emu.writes() == []
