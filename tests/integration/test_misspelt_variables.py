# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A typo never reaches a customer (issue 25, items 8, 9 and 10).

A misspelt prefix of a role variable (``partnercentre_users``, ``pc_users``) is refused like any near miss,
and so is a purge with no user of the host's own (``partnercenter_users_common`` alone declares no customer):
before any request.  Two customer selectors that name different customers are refused before any write.  A
misspelt secret key (``users[0].pasword``) is refused, and its value shows nowhere at ``-vvv``, in-process and
as a module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from pathlib import Path

import pytest

from contoso import seeded_user, upn
from masking import ansible_no_log_marker
from plays import PASSWORD, play, task
from secret_scan import assert_no_form_of

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"
CONVERGE = "Converge the customer's users"
BOREAL = {"companyName": "Boreal Bikes", "domain": "borealbikes.onmicrosoft.com"}
CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}
FABRIKAM = {"companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com"}
# From ansible-core 2.21 a module's result carries its invocation only when asked; older releases always add it.
WAYS = {"in-process": {"ANSIBLE_INJECT_INVOCATION": "true"},
        "module": {"PARTNERCENTER_IN_PROCESS": "false", "ANSIBLE_INJECT_INVOCATION": "true"}}


def member(upn, name, **extra):
    item = dict(user_principal_name=upn, display_name=name, usage_location="GB", password=PASSWORD)
    item.update(extra)
    return item


def seeded(upn, name):
    return {"userPrincipalName": upn, "displayName": name, "usageLocation": "GB", "password": PASSWORD}


def results_of(run, suffix):
    return dict((r["host"], r["result"]) for r in run.results if str(r["task"]).endswith(suffix))


def converge_results(run):
    return results_of(run, CONVERGE)


CHEF = "chef@borealbikes.onmicrosoft.com"
BREAKGLASS = "breakglass@borealbikes.onmicrosoft.com"

# host -> (its own variables, the names its refusal must say)
REFUSED = {
    "british": ({"partnercentre_users": [member(CHEF, "Chef")]}, ["partnercentre_users", "partnercenter_users"]),
    "words_apart": ({"partner_center_users": [member(CHEF, "Chef")]}, ["partner_center_users", "partnercenter_users"]),
    "short": ({"pc_users": [member(CHEF, "Chef")]}, ["pc_users", "partnercenter_users"]),
    "capitals": ({"PartnerCenter_Users": [member(CHEF, "Chef")]}, ["PartnerCenter_Users", "partnercenter_users"]),
    "word_missing": ({"partnercenter_users": [member(CHEF, "Chef")], "partnercenter_purge_exclude": ["chef@*"]},
                     ["partnercenter_purge_exclude", "partnercenter_users_purge_exclude"]),
    "own_list_undefined": ({}, ["partnercenter_users", "partnercenter_users_common", "partnercenter_users_purge"]),
    "own_list_empty": ({"partnercenter_users": []},
                       ["partnercenter_users", "partnercenter_users_common", "partnercenter_users_purge"]),
    "own_list_only_leavers": ({"partnercenter_users": [{"user_principal_name": "old@borealbikes.onmicrosoft.com",
                                                        "state": "absent"}]},
                              ["partnercenter_users", "partnercenter_users_common", "partnercenter_users_purge"]),
}


def test_a_misspelt_prefix_or_a_purge_without_own_users_is_refused_before_any_request(emu, playbook):
    # The reproduction of the field report: purge on for every customer, a break-glass user in the common list, and
    # the customer's real user declared under a name the role does not read.  1 of 2 users is within the 50 % guard.
    cid = emu.seed([dict(BOREAL, users=[seeded(CHEF, "Chef"), seeded(BREAKGLASS, "Break Glass")])])[0]["id"]
    emu.clear_requests()
    hosts = dict((host, dict(own, partnercenter_customer_id=cid)) for host, (own, _said) in REFUSED.items())
    inventory = {"partnercenter_customers": {"hosts": hosts, "vars": {
        "partnercenter_users_purge": True,
        "partnercenter_users_common": [member(BREAKGLASS, "Break Glass")]}}}

    run = playbook(str(PLAYBOOK), inventory=inventory, check=True, expect_rc=2)

    results = converge_results(run)
    for host, (_own, said) in REFUSED.items():
        result = results[host]
        assert result["converge_failed"] and not result.get("changed"), (host, result)
        assert "purged" not in result and "users" not in result, (host, result)
        for name in said:
            assert name in result["msg"], (host, name, result["msg"])
    assert "did you mean partnercenter_users?" in results["british"]["msg"]
    assert "declare partnercenter_users for this host" in results["own_list_empty"]["msg"]
    assert "partnercenter_users_purge to false" in results["own_list_empty"]["msg"]
    assert emu.requests() == []  # not a token, not a listing: nothing
    assert sorted(u["userPrincipalName"] for u in emu.users(cid, state="active")) == [BREAKGLASS, CHEF]


def test_somebody_elses_variables_are_left_alone(emu, playbook):
    # A host's own variables that merely look alike are not refused: pc_name, users, a csp_ variable that a
    # role variable is templated from, pc_users next to a partnercenter_users of the host's own.
    cid = emu.seed([dict(BOREAL, users=[seeded(CHEF, "Chef")])])[0]["id"]
    emu.clear_requests()
    inventory = {"partnercenter_customers": {"hosts": {"boreal": {
        "pc_name": "reception-01", "users": ["alice", "bob"], "csp_policy": "default-src 'self'",
        "csp_customer_id": cid, "partnercenter_customer_id": "{{ csp_customer_id }}",
        "pc_users": [member("stale@borealbikes.onmicrosoft.com", "Stale")],
        "partnercenter_users": [member(CHEF, "Chef"), member("ops@borealbikes.onmicrosoft.com", "Ops")],
        "partnercenter_users_purge": True}}}}

    run = playbook(str(PLAYBOOK), inventory=inventory)

    result = converge_results(run)["boreal"]
    assert [(u["user_principal_name"], u["action"]) for u in result["users"]] == [
        (CHEF, "unchanged"), ("ops@borealbikes.onmicrosoft.com", "created")]
    assert [w["route"] for w in emu.writes()] == ["create_user"]


def test_two_customer_selectors_that_name_different_customers_are_refused_before_any_write(emu, playbook):
    # A13: the domain is contoso's, the id fabrikam's (pasted from its file).  Today the create goes to fabrikam.
    contoso, fabrikam = [c["id"] for c in emu.seed([CONTOSO, FABRIKAM])]
    assert contoso != fabrikam
    emu.clear_requests()
    ada = member("ada@contoso.onmicrosoft.com", "Ada Lovelace")
    inventory = {"partnercenter_customers": {"hosts": {
        "contoso": {"partnercenter_customer_domain": "contoso.onmicrosoft.com", "partnercenter_customer_id": fabrikam,
                    "partnercenter_users": [ada]},
        # both given and naming one customer, as the customers inventory plugin gives them: converged
        "fabrikam": {"partnercenter_customer_domain": "Fabrikam.onmicrosoft.com", "partnercenter_customer_id": fabrikam,
                     "partnercenter_users": [member("grace@fabrikam.onmicrosoft.com", "Grace Hopper")]}}}}

    run = playbook(str(PLAYBOOK), inventory=inventory, expect_rc=2)

    message = results_of(run, "Converge the customer's users")["contoso"]["msg"]
    assert message.startswith("contoso: partnercenter_customer_domain: contoso.onmicrosoft.com is not the primary "
                              "domain of partnercenter_customer_id %s, whose primary domain is "
                              "fabrikam.onmicrosoft.com" % fabrikam), message
    assert [(w["route"], w["path"]) for w in emu.writes()] == [
        ("create_user", "/v1/customers/%s/users" % fabrikam)]  # the consistent host's own create, nothing else
    # the check is the customer read a create needs anyway: one per host, and no customer search
    assert sorted(r["path"] for r in emu.requests(route="get_customer")) == ["/v1/customers/%s" % fabrikam] * 2
    assert emu.requests(route="list_customers") == []
    assert emu.users(contoso) == []
    assert [u["userPrincipalName"] for u in emu.users(fabrikam)] == ["grace@fabrikam.onmicrosoft.com"]


TYPO_SECRETS = {"pasword": "Typo-Qx7Zw2Vb-9911!", "passwrd": "Typo-Lm4Rt8Kp-2277#",
                "Password": "Typo-Hy6Nc3Ds-5120$", "client_secert": "Typo-Wd9Fg1Jz-7302%",
                "refresh_tokne": "Typo-Pv5Ks2Xe-6648&", "role_password": "Typo-Bn8Qa4Tu-3391*"}


def from_env(key):
    """The secret of ``key``, read from the environment: no playbook or inventory file holds it (ansible-core
    quotes the lines of a file around a failed task)."""
    return "{{ lookup('env', 'PC_TEST_TYPO_%s') }}" % key.upper()


@pytest.mark.parametrize("way", sorted(WAYS))
def test_a_misspelt_secret_key_is_refused_and_its_value_shows_nowhere_at_vvv(emu, playbook, way):
    cid = emu.seed([CONTOSO])[0]["id"]
    emu.clear_requests()
    env = dict(WAYS[way], **dict(("PC_TEST_TYPO_%s" % key.upper(), value) for key, value in TYPO_SECRETS.items()))

    def item(name, key):
        return {"upn": "%s@contoso.onmicrosoft.com" % name, "display_name": name, "usage_location": "US",
                key: from_env(key)}

    module_play = json.loads(play(
        task("partnercenter_user", name="item keys", ignore_errors=True, customer_id=cid,
             users=[item("ann", "pasword"), item("bea", "passwrd"), item("cy", "Password")]),
        task("partnercenter_user", name="top-level keys", ignore_errors=True, customer_id=cid,
             client_secert=from_env("client_secert"), refresh_tokne=from_env("refresh_tokne"),
             **item("dee", "pasword")),
        # the value as a key=value item, which Ansible turns into a dict
        task("partnercenter_user", name="item as text", ignore_errors=True, customer_id=cid,
             users=["upn=eve@contoso.onmicrosoft.com display_name=Eve usage_location=US role_password=%s"
                    % from_env("role_password")])))
    role_play = {"hosts": "partnercenter_customers", "gather_facts": False,
                 "roles": [{"role": "csp.partnercenter.customer_users"}]}
    inventory = {"partnercenter_customers": {"hosts": {"contoso": {
        "partnercenter_customer_id": cid,
        "partnercenter_users": [dict(member("fay@contoso.onmicrosoft.com", "Fay"), pasword=from_env("pasword"))],
    }}}}

    run = playbook(module_play + [role_play], inventory=inventory, verbosity=3, env=env, expect_rc=2)

    items = run.result("item keys")["result"]
    assert items["failed"] and "users[0].password instead of users[0].pasword" in items["msg"], items["msg"]
    top = run.result("top-level keys")["result"]
    assert "client_secret instead of client_secert" in top["msg"], top["msg"]
    assert run.result("item as text")["result"]["failed"]
    (arg_check,) = [r["result"] for r in run.results if "Validating arguments against arg spec" in str(r["task"])]
    assert arg_check["failed"] and "pasword" in arg_check["msg"], arg_check
    masked = ansible_no_log_marker()
    assert items["invocation"]["module_args"]["users"][0]["pasword"] == masked, items["invocation"]
    assert_no_form_of(TYPO_SECRETS, run)
    assert emu.requests() == []


def test_role_refuses_a_misspelt_variable_naming_the_right_one(emu, playbook):
    contoso, fabrikam = [c["id"] for c in emu.seed([
        dict(companyName="Contoso", domain="contoso.onmicrosoft.com", users=[seeded_user("a"), seeded_user("b")]),
        dict(companyName="Fabrikam", domain="fabrikam.onmicrosoft.com")])]
    emu.clear_requests()
    inventory = {"all": {"children": {"partnercenter_customers": {"hosts": {
        "contoso": {
            "partnercenter_customer_id": contoso,
            "partnercenter_user": [{"user_principal_name": upn("a")}],  # missing "s"
            "partnercenter_users_purge": True,
            "partnercenter_tenant_label": "kept: not a near miss of any role argument",
        },
        "fabrikam": {"partnercenter_customer_id": fabrikam, "partnercenter_users": [dict(
            user_principal_name="fab@fabrikam.onmicrosoft.com", display_name="Fab Tester", usage_location="US",
            password=PASSWORD)]},
    }}}}}
    run = playbook(_role_play(), inventory=inventory, expect_rc=2)
    text = run.output
    assert "partnercenter_user is not a variable of this role; did you mean partnercenter_users?" in text
    assert "partnercenter_tenant_label" not in text
    # the host with the misspelling sent nothing and kept its users (purge would have deleted both);
    # the other customer converged, as with a failed argument check
    assert [r for r in emu.requests() if contoso in r["path"]] == []
    assert sorted(u["state"] for u in emu.users(contoso)) == ["active", "active"]
    assert [u["userPrincipalName"] for u in emu.users(fabrikam)] == ["fab@fabrikam.onmicrosoft.com"]


def _role_play():
    return json.dumps([{"hosts": "partnercenter_customers", "gather_facts": False,
                        "roles": [{"role": "csp.partnercenter.customer_users"}]}])
