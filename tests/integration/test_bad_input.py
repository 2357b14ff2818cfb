# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: each malformed option fails with a message naming the option, and nothing is written.

One playbook holds every case of the table as its own task (``ignore_errors``), so the whole
table costs one ansible-playbook run; each parametrized case then checks its task's result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

import harness
from concurrency import computed_once
from contoso import CONTOSO, person, seed_contoso, upn, users_task
from plays import PASSWORD, jane, play, task, user_play
from secret_scan import assert_no_form_of

CID = "@@CID@@"  # replaced by the seeded customer's id
NEW = dict(user_principal_name=upn("newbie"), display_name="New Bie", usage_location="US", password=PASSWORD)
SEEDED = ["keep", "old1", "old2", "old3", "old4"]
API_SECRET = "pw-Zq9vW2"
AUTHORITY_SECRET = "auth-Xk7pL4"


def user(**args):
    """A single-form partnercenter_user task for a user that does not exist yet."""
    return "partnercenter_user", dict(dict(customer_id=CID, **NEW), **args)


def without(key, **args):
    module, values = user(**args)
    del values[key]
    return module, values


def many(users, **args):
    return "partnercenter_user", dict(customer_id=CID, users=users, **args)


# id -> ((module, args), the option the message must name, the "option" return value or None
#        for Ansible's own argument-spec errors, a substring the message must NOT contain)
CASES = {
    # customer_id: a GUID, nothing that could walk the URL path
    "customer_id-word": (user(customer_id="contoso"), "customer_id", "customer_id", None),
    "customer_id-dotdot": (user(customer_id="../"), "customer_id", "customer_id", None),
    "customer_id-traversal": (user(customer_id=CID + "/../" + CID), "customer_id", "customer_id", None),
    "customer_id-percent-2f": (user(customer_id="%2F"), "customer_id", "customer_id", None),
    "customer_id-empty": (user(customer_id=""), "customer_id", "customer_id", None),
    "customer_id-spaces": (user(customer_id="   "), "customer_id", "customer_id", None),
    "customer_id-padded": (user(customer_id=" " + CID + " "), "customer_id", "customer_id", None),
    "user_info-customer_id": (("partnercenter_user_info", dict(customer_id="..%2F..")), "customer_id",
                              "customer_id", None),
    # customer_domain: one of customer_id and it (both: one customer), and a domain name
    "customer_domain-of-another-customer_id": (user(customer_domain="fabrikam.onmicrosoft.com"), "customer_domain",
                                               "customer_domain", None),
    "customer_domain-not-a-domain": (without("customer_id", customer_domain="not a domain"), "customer_domain",
                                     "customer_domain", None),
    "customer_domain-empty": (without("customer_id", customer_domain=""), "customer_domain", "customer_domain", None),
    "customer_domain-list": (without("customer_id", customer_domain=["contoso.onmicrosoft.com"]), "customer_domain",
                             "customer_domain", None),
    # user principal names Entra ID would refuse
    "upn-no-domain": (user(user_principal_name="jane"), "user_principal_name", "user_principal_name", None),
    "upn-space": (user(user_principal_name="jane doe@contoso.onmicrosoft.com"), "user_principal_name",
                  "user_principal_name", None),
    "upn-two-at": (user(user_principal_name="jane@doe@contoso.onmicrosoft.com"), "user_principal_name",
                   "user_principal_name", None),
    "upn-local-part-65": (user(user_principal_name="a" * 65 + "@contoso.onmicrosoft.com"),
                          "user_principal_name", "user_principal_name", None),
    "upn-total-114": (user(user_principal_name="b" * 64 + "@" + "c" * 25 + ".contoso.onmicrosoft.com"),
                      "user_principal_name", "user_principal_name", None),
    "upn-non-ascii": (user(user_principal_name=u"j\u00f6hn@contoso.onmicrosoft.com"), "user_principal_name",
                      "user_principal_name", None),
    "upn-leading-dot": (user(user_principal_name=".jane@contoso.onmicrosoft.com"), "user_principal_name",
                        "user_principal_name", None),
    # usage locations that are not two letters
    "usage_location-USA": (user(usage_location="USA"), "usage_location", "usage_location", None),
    "usage_location-digit": (user(usage_location="1"), "usage_location", "usage_location", None),
    "usage_location-empty": (user(usage_location=""), "usage_location", "usage_location", None),
    # the many-users form: options of an item are named with the item's UPN
    "users-unknown-key": (many([dict(person("ann"), colour="red")]), "users", None, None),
    "users-same-upn-other-case": (many([person("ann"), person("ANN")]), "users[1] (%s).user_principal_name" % upn("ANN"),
                                  "users[1].user_principal_name", None),
    "users-bad-upn": (many([person("ann"), dict(upn="no-domain")]), "users[1] (no-domain).user_principal_name",
                      "users[1].user_principal_name", None),
    "users-usage_location": (many([person("ann", usage_location="USA")]), "users[0] (%s).usage_location" % upn("ann"),
                             "users[0].usage_location", None),
    "users-missing-password": (many([person("ann"), dict(upn=upn("bea"), display_name="Bea", usage_location="US")]),
                               "users[1] (%s).password" % upn("bea"), "users[1].password", None),
    "users-and-user_principal_name": (many([person("ann")], user_principal_name=upn("ann")), "users", None, None),
    "parallelism-zero": (many([person("ann")], parallelism=0), "parallelism", "parallelism", None),
    # what creating a missing user needs
    "create-without-password": (without("password"), "password", "password", None),
    "create-without-display_name": (without("display_name"), "display_name", "display_name", None),
    "create-without-usage_location": (without("usage_location"), "usage_location", "usage_location", None),
    # purge would delete more than allowed
    "purge-past-limit": (many([person("keep")], purge=True, purge_limit=2), "purge_limit", "purge_limit", None),
    # endpoints: https only, never credentials in the URL (and never echo them)
    "api_url-http": (user(api_url="http://example.com"), "api_url", "api_url", None),
    "authority-http": (user(authority="http://example.com"), "authority", "authority", None),
    "api_url-credentials": (user(api_url="https://user:%s@example.com" % API_SECRET), "api_url", "api_url",
                            API_SECRET),
    "authority-credentials": (user(authority="https://admin:%s@login.example.com" % AUTHORITY_SECRET),
                              "authority", "authority", AUTHORITY_SECRET),
    # connection and authentication options
    "access_token-with-refresh_token": (user(access_token="a-ready-token", refresh_token="a-refresh-token"),
                                        "access_token", "access_token", None),
    "timeout-zero": (user(timeout=0), "timeout", "timeout", None),
    "ca_path-missing": (user(ca_path="/nonexistent/ca.pem"), "ca_path", "ca_path", None),
}


def _with_customer(value, customer_id):
    if isinstance(value, str):
        return value.replace(CID, customer_id)
    if isinstance(value, list):
        return [_with_customer(v, customer_id) for v in value]
    if isinstance(value, dict):
        return dict((k, _with_customer(v, customer_id)) for k, v in value.items())
    return value


@pytest.fixture(scope="module")
def table(emulator, tmp_path_factory):
    """Run every case once (one playbook); the results, the writes and the output."""

    def produce():
        emu = emulator.clean()
        customer_id = emu.seed([dict(CONTOSO, users=[
            dict(userPrincipalName=upn(name), displayName=name, usageLocation="US") for name in SEEDED])])[0]["id"]
        emu.clear_requests()
        runner = harness.PlaybookRunner(tmp_path_factory.mktemp("bad-input"), emulator=emu)
        tasks = [task(module, name=case_id, ignore_errors=True, **_with_customer(args, customer_id))
                 for case_id, ((module, args), _o, _r, _s) in CASES.items()]
        run = runner(play(*tasks))
        return dict(
            results=dict((case_id, run.result(case_id)["result"]) for case_id in CASES),
            writes=emu.writes(),
            output=run.output + "\n" + (run.log_path.read_text(encoding="utf-8") if run.log_path.exists() else ""),
            users=sorted(u["userPrincipalName"] for u in emu.users(customer_id)),
            states=sorted(u["state"] for u in emu.users(customer_id)),
        )

    return computed_once(tmp_path_factory, "bad_input_table", produce)


@pytest.mark.parametrize("case_id", list(CASES))
def test_bad_input_fails_naming_the_option_and_writes_nothing(table, case_id):
    _args, option, returned_option, secret = CASES[case_id]
    result = table["results"][case_id]
    assert result["failed"] is True, result
    assert result["changed"] is False
    msg = result["msg"]
    assert option in msg, msg
    if returned_option is not None:
        assert result.get("option") == returned_option
    if secret is not None:
        shown = dict((k, v) for k, v in result.items() if k != "invocation")  # invocation is the task's own input
        assert secret not in repr(shown)
        assert secret not in table["output"]
    assert table["writes"] == []


def test_the_whole_table_wrote_nothing(table):
    assert len(CASES) >= 30
    assert table["writes"] == []
    assert table["users"] == sorted(upn(name) for name in SEEDED)
    assert set(table["states"]) == {"active"}


def test_a_static_token_with_a_trailing_newline_is_refused_at_once(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(user_play(ignore_errors=True, **jane(cid)),
                   env={"PARTNERCENTER_ACCESS_TOKEN": "emu.sometoken\n", "PARTNERCENTER_CLIENT_SECRET": None,
                        "PARTNERCENTER_REFRESH_TOKEN": None})
    result = run.result("user")["result"]
    assert result["failed"] and result["msg"].startswith("access_token:") and "newline" in result["msg"]
    # refused before any request (the old code retried for about 72 s); no wall-clock bound, which load would break
    assert emu.requests() == []


def test_ids_and_names_with_a_trailing_newline_are_refused_before_any_request(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        task("partnercenter_user", name="user", ignore_errors=True, **jane(cid + "\n")),
        task("partnercenter_user_info", name="user_info", ignore_errors=True, customer_id=cid,
             user_principal_name=upn("jane") + "\n"),
        task("partnercenter_customer_info", name="customer_info", ignore_errors=True,
             domain="contoso.onmicrosoft.com\n"),
        task("partnercenter_subscribed_sku_info", name="sku_info", ignore_errors=True, customer_id=cid + "\n"),
    ))
    options = {"user": "customer_id", "user_info": "user_principal_name", "customer_info": "domain",
               "sku_info": "customer_id"}
    for name, option in options.items():
        result = run.result(name)["result"]
        assert result["failed"] and result["msg"].startswith(option + ":"), (name, result["msg"])
    assert emu.requests() == []


@pytest.mark.parametrize("given_as", ["option", "environment"])
def test_a_credential_in_api_url_is_refused_and_never_shown(emu, playbook, given_as):
    cid = seed_contoso(emu)
    url = emu.api_url.replace("https://", "https://partner:Url-Cr3d-Secret@")
    args = jane(cid)
    env = {}
    if given_as == "option":
        args["api_url"] = url
    else:
        env["PARTNERCENTER_API_URL"] = url
    run = playbook(user_play(ignore_errors=True, **args), verbosity=3, env=env)
    result = run.result("user")["result"]
    assert result["failed"] and result["msg"].startswith("api_url:") and "credentials" in result["msg"]
    assert_no_form_of({"URL credential": "Url-Cr3d-Secret"}, run)
    assert emu.requests() == []


def test_a_list_where_a_name_belongs_is_refused_not_converted(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        task("partnercenter_user", name="single", ignore_errors=True, **jane(cid, display_name=["A", "B"])),
        users_task(cid, [person("ann", first_name=7)], name="many", ignore_errors=True),
    ))
    assert run.result("single")["result"]["msg"].startswith("display_name: must be a string, got a list")
    assert run.result("many")["result"]["msg"].startswith("users[0].first_name: must be a string, got a number")
    assert emu.requests() == []
