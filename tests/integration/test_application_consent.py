# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_application_consent: the partner's app consented to Microsoft Graph in a customer, read from the
customer tenant's token, granted and removed through Partner Center's Control Panel Vendor API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

from plays import play, task

APP_ADMIN = ["Application Administrator", "User Administrator"]
DEFAULT_SCOPES = ["Directory.Read.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All"]


def customer(emu, name="Contoso", roles=None, **extra):
    seed = {"companyName": name, "domain": "%s.onmicrosoft.com" % name.lower(), "gdapRoles": roles or APP_ADMIN}
    seed.update(extra)
    return emu.seed([seed])[0]["id"]


def consents(emu, cid):
    return emu.state(customer=cid)["customers"][0]["consentedApplications"]


def consent_calls(emu):
    return [(r["method"], r["route"], r["status"]) for r in emu.requests()
            if r["route"] in ("create_application_consent", "delete_application_consent")]


def customer_tokens(emu, cid):
    return [r["status"] for r in emu.requests(route="token") if r.get("tenant") == cid]


def test_consent_check_real_check_real_then_absent(emu, playbook):
    cid = customer(emu)
    consent = task("partnercenter_application_consent", name="consent", customer_id=cid)
    emu.clear_requests()

    check = playbook(play(consent), check=True, diff=True)
    predicted = check.result("consent")["result"]
    assert predicted["changed"] is True
    assert predicted["diff"] == {"before": {"consented": False, "scopes": None},
                                 "after": {"consented": True, "scopes": DEFAULT_SCOPES}}
    assert consents(emu, cid) == [] and emu.writes() == [] and consent_calls(emu) == []
    assert customer_tokens(emu, cid) == [400]  # the read: the customer tenant refused a token (no consent)

    emu.clear_requests()
    real = playbook(play(consent), diff=True).result("consent")["result"]
    assert real["changed"] is True and real["consent"] == {"consented": True, "scopes": DEFAULT_SCOPES}
    assert consent_calls(emu) == [("POST", "create_application_consent", 201)]
    (posted,) = emu.requests(route="create_application_consent")
    (granted,) = consents(emu, cid)
    assert granted["applicationId"] == emu.info["client_id"]
    assert granted["applicationGrants"] == [{"enterpriseApplicationId": "00000003-0000-0000-c000-000000000000",
                                             "scope": ",".join(sorted(DEFAULT_SCOPES, key=DEFAULT_SCOPES_ORDER))}]
    assert posted["tenant"] == cid

    emu.clear_requests()
    again = playbook(play(consent), check=True, diff=True).result("consent")["result"]
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]
    assert again["consent"]["consented"] is True and set(DEFAULT_SCOPES) <= set(again["consent"]["scopes"])
    assert customer_tokens(emu, cid) == [200] and emu.writes() == []

    emu.clear_requests()
    noop = playbook(play(consent)).result("consent")["result"]
    assert noop["changed"] is False and emu.writes() == [] and consent_calls(emu) == []

    remove = task("partnercenter_application_consent", name="consent", customer_id=cid, state="absent")
    emu.clear_requests()
    predicted = playbook(play(remove), check=True).result("consent")["result"]
    assert predicted["changed"] is True and emu.writes() == [] and len(consents(emu, cid)) == 1
    removed = playbook(play(remove), diff=True).result("consent")["result"]
    assert removed["changed"] is True and removed["diff"]["after"] == {"consented": False, "scopes": None}
    assert consents(emu, cid) == []
    assert consent_calls(emu) == [("DELETE", "delete_application_consent", 204)]
    emu.clear_requests()
    gone = playbook(play(remove)).result("consent")["result"]
    assert gone["changed"] is False and emu.writes() == []  # the token read says: not consented


# The order the module sends: as declared (the default list's order).
DEFAULT_SCOPES_ORDER = ["User.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.Read.All"].index


def test_a_consent_lacking_a_declared_scope_is_granted_again_with_every_scope(emu, playbook):
    cid = customer(emu, consentedApplications=[{"scopes": ["User.ReadWrite.All"]}])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_application_consent", name="consent", customer_id=cid,
                             scopes=["User.ReadWrite.All", "GroupMember.ReadWrite.All"])), diff=True)
    result = run.result("consent")["result"]
    assert result["changed"] is True
    assert result["diff"]["before"] == {"consented": True, "scopes": ["User.ReadWrite.All"]}
    assert consent_calls(emu) == [("DELETE", "delete_application_consent", 204),
                                  ("POST", "create_application_consent", 201)]
    (granted,) = consents(emu, cid)
    assert granted["applicationGrants"][0]["scope"] == "User.ReadWrite.All,GroupMember.ReadWrite.All"
    assert any("GroupMember.ReadWrite.All" in w for w in result.get("warnings", []))


def test_another_app_cannot_be_read_so_the_409_of_partner_center_tells(emu, playbook):
    other = "5a1e6c1b-7d37-4a4b-9a55-0e2cd2d7ad11"
    cid = customer(emu, consentedApplications=[other])
    emu.clear_requests()
    consent = task("partnercenter_application_consent", name="consent", customer_id=cid, application_id=other)
    check = playbook(play(consent), check=True).result("consent")["result"]
    assert check["changed"] is True and any("could not be read" in w for w in check["warnings"])
    assert emu.requests() == []  # nothing to read for another app: nothing sent at all
    real = playbook(play(consent)).result("consent")["result"]
    assert real["changed"] is False  # Partner Center answered 409: it was there
    assert consent_calls(emu) == [("POST", "create_application_consent", 409)]


def test_without_the_gdap_role_the_grant_is_refused_naming_the_roles(emu, playbook):
    cid = customer(emu, roles=["Directory Readers"])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_application_consent", name="consent", customer_id=cid,
                             ignore_errors=True)))
    msg = run.result("consent")["result"]["msg"]
    assert cid in msg and "HTTP 403" in msg and "Privileged Role Administrator" in msg
    assert consents(emu, cid) == []


def test_bad_scopes_are_refused_before_any_request(emu, playbook):
    cid = customer(emu)
    emu.clear_requests()
    run = playbook(play(
        task("partnercenter_application_consent", name="comma", customer_id=cid, ignore_errors=True,
             scopes=["User.ReadWrite.All,GroupMember.ReadWrite.All"]),
        task("partnercenter_application_consent", name="empty", customer_id=cid, ignore_errors=True, scopes=[]),
        task("partnercenter_application_consent", name="app", customer_id=cid, ignore_errors=True,
             application_id="not-a-guid"),
    ))
    assert "scopes[0]" in run.result("comma")["result"]["msg"]
    assert "scopes" in run.result("empty")["result"]["msg"]
    assert "application_id" in run.result("app")["result"]["msg"]
    assert emu.requests() == []


PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"
CONVERGE = "Converge the customer's users"


def converge_result(run, host):
    (result,) = [r["result"] for r in run.results if str(r["task"]).endswith(CONVERGE) and r["host"] == host]
    return result


def test_the_role_consents_every_customer_first_when_asked(emu, playbook):
    fresh = customer(emu, "Fresh")
    done = customer(emu, "Done", consentedApplications=True)
    hosts = {"partnercenter_customers": {"hosts": {
        "fresh.onmicrosoft.com": {"partnercenter_customer_domain": "fresh.onmicrosoft.com",
                                  "partnercenter_application_consent": True},
        "done.onmicrosoft.com": {"partnercenter_customer_id": done, "partnercenter_application_consent": True},
        "off.onmicrosoft.com": {"partnercenter_customer_id": done}}}}
    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=hosts)
    fresh_result = converge_result(run, "fresh.onmicrosoft.com")
    assert fresh_result["changed"] is True and fresh_result["application_consent"]["changed"] is True
    assert converge_result(run, "done.onmicrosoft.com")["application_consent"]["changed"] is False
    assert "application_consent" not in converge_result(run, "off.onmicrosoft.com")
    assert [(r["tenant"], r["status"]) for r in emu.requests(route="create_application_consent")] == [(fresh, 201)]
    assert len(consents(emu, fresh)) == 1
    # each consenting host redeemed one customer-tenant token; the host without the variable none
    assert sorted(customer_tokens(emu, fresh) + customer_tokens(emu, done)) == [200, 400]
    emu.clear_requests()
    again = playbook(str(PLAYBOOK), inventory=hosts)
    assert not any(converge_result(again, h)["changed"] for h in hosts["partnercenter_customers"]["hosts"])
    assert emu.writes() == []
