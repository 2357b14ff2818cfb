# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's large-fleet form (issue 31): ``import_role`` with ``rolespec_validate: false``.

ansible-core then adds no "Validating arguments" task per host, which is half of the role's controller CPU on a
fleet of hundreds (docs/performance.md).  What that task refused is still refused, by the converge step against
the same ``meta/argument_specs.yml`` and before any request: a misspelt key of a user item, a value of the wrong
type, a misspelt role variable.  A valid fleet converges as the ``roles:`` form does: check, real, check, real.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from plays import PASSWORD

CONVERGE = "Converge the customer's users"
FLEET_FORM = [{"hosts": "partnercenter_customers", "connection": "local", "gather_facts": False, "tasks": [
    {"name": "Converge every customer (the large-fleet form)", "ansible.builtin.import_role": {
        "name": "csp.partnercenter.customer_users", "rolespec_validate": False}}]}]
ROLES_FORM = [{"hosts": "partnercenter_customers", "connection": "local", "gather_facts": False,
               "roles": [{"role": "csp.partnercenter.customer_users"}]}]
CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}


def person(upn, name, **extra):
    first, last = name.split(" ", 1)
    item = dict(user_principal_name=upn, first_name=first, last_name=last, display_name=name, usage_location="US",
                password=PASSWORD)
    item.update(extra)
    return item


def hosts(**variables):
    return {"partnercenter_customers": {"hosts": variables}}


def converge_result(run, host):
    matches = [r["result"] for r in run.results if r["host"] == host and str(r["task"]).endswith(CONVERGE)]
    assert len(matches) == 1, [r["task"] for r in run.results]
    return matches[0]


def comparable(result):
    """What a partner reads of a converge result, without the run's own identity."""
    return dict((key, result.get(key)) for key in ("changed", "failed", "users", "summary", "diff"))


ADA = "ada@contoso.onmicrosoft.com"
# host variables -> what the converge step's refusal must name
REFUSED = {
    "a misspelt key of a user item": (
        {"partnercenter_users": [dict(person(ADA, "Ada Lovelace"), usage_locaton="US")]},
        ["usage_locaton", "partnercenter_users"]),
    "a value of the wrong type": (
        {"partnercenter_users": [person(ADA, "Ada Lovelace")], "partnercenter_users_purge_limit": "ten"},
        ["partnercenter_users_purge_limit", "int"]),  # the value itself is said from ansible-core 2.17 on
    "a list given as nothing, with purge": (
        {"partnercenter_users": None, "partnercenter_users_purge": True}, ["partnercenter_users", "NoneType"]),
    "a misspelt role variable": (
        {"partnercenter_user": [person(ADA, "Ada Lovelace")]}, ["partnercenter_user", "partnercenter_users"]),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_fleet_form_refuses_what_the_argument_check_refused_before_any_request(emu, playbook, case):
    cid = emu.seed([dict(CONTOSO, users=[{"userPrincipalName": ADA, "firstName": "Ada", "lastName": "Lovelace",
                                          "displayName": "Ada Lovelace", "usageLocation": "US", "password": PASSWORD}])])[0]["id"]
    emu.clear_requests()
    variables, named = REFUSED[case]
    run = playbook(FLEET_FORM, inventory=hosts(contoso=dict(variables, partnercenter_customer_id=cid)),
                   expect_rc=2)
    assert "Validating arguments against arg spec" not in run.output  # ansible-core's check did not run ...
    result = converge_result(run, "contoso")  # ... the converge step refused the host, naming what was written
    assert result["failed"] is True
    for name in named:
        assert name in result["msg"], (name, result["msg"])
    assert emu.requests() == []
    assert [u["displayName"] for u in emu.users(cid, state="active")] == ["Ada Lovelace"]


def test_the_fleet_form_converges_as_the_roles_form_does(emu, playbook):
    contoso, fabrikam = [c["id"] for c in emu.seed([
        CONTOSO, {"companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com"}])]
    inventory = hosts(
        contoso={"partnercenter_customer_id": contoso, "partnercenter_users": [
            person(ADA, "Ada Lovelace"), person("grace@contoso.onmicrosoft.com", "Grace Hopper")]},
        fabrikam={"partnercenter_customer_id": fabrikam, "partnercenter_users": [
            person("alan@fabrikam.onmicrosoft.com", "Alan Turing")]})
    emu.clear_requests()

    for check in (True, False):  # check, then real: three creates
        run = playbook(FLEET_FORM, inventory=inventory, check=check)
        assert "Validating arguments against arg spec" not in run.output
        for host in ("contoso", "fabrikam"):
            result = converge_result(run, host)
            assert result["changed"] is True and {u["action"] for u in result["users"]} == {"created"}, result
        assert (emu.writes() == []) is check
    assert sorted(w["route"] for w in emu.writes()) == ["create_user"] * 3
    assert sorted(u["userPrincipalName"] for u in emu.users(contoso, state="active")) == [
        ADA, "grace@contoso.onmicrosoft.com"]
    assert [u["displayName"] for u in emu.users(fabrikam, state="active")] == ["Alan Turing"]
    assert PASSWORD not in run.output

    emu.clear_requests()
    for check in (True, False):  # and again: nothing to do, nothing written, the same result as the roles: form
        fleet = playbook(FLEET_FORM, inventory=inventory, check=check)
        roles = playbook(ROLES_FORM, inventory=inventory, check=check)
        assert "Validating arguments against arg spec" in roles.output
        for host in ("contoso", "fabrikam"):
            assert converge_result(fleet, host)["changed"] is False
            assert comparable(converge_result(fleet, host)) == comparable(converge_result(roles, host))
    assert emu.writes() == []
