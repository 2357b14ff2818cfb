# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS: certificates are validated by default; ca_path and validate_certs win over REQUESTS_CA_BUNDLE.

The emulator's certificate is signed by a private CA.  Without ca_path (or with the wrong
bundle) a task must fail, naming ca_path and validate_certs; validate_certs: false works but
warns.  requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace ``verify=True`` and a
session-level ``verify``; the collection must not be fooled by that, for the token request
(MSAL) nor for the API calls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import certifi

from contoso import seed_contoso, upn
from plays import PASSWORD, play, task

NO_CA = {"PARTNERCENTER_CA_PATH": None, "REQUESTS_CA_BUNDLE": None, "CURL_CA_BUNDLE": None}
OTHER_BUNDLE = {"PARTNERCENTER_CA_PATH": None, "REQUESTS_CA_BUNDLE": certifi.where(),
                "CURL_CA_BUNDLE": certifi.where()}


def names_both_options(msg):
    return "ca_path" in msg and "validate_certs" in msg


def insecure_warning(result):
    return [w for w in result.get("warnings") or [] if "validate_certs" in w]


def test_certificates_are_validated_by_default_and_validate_certs_false_warns(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        # no token cached yet: the token request (MSAL) meets the untrusted certificate
        task("partnercenter_customer_info", name="token request, no ca_path", ignore_errors=True),
        task("partnercenter_user", name="insecure", validate_certs=False, customer_id=cid, upn=upn("jane"),
             display_name="Jane", usage_location="US", password=PASSWORD),
        # the token is cached now: the API call itself meets the untrusted certificate
        task("partnercenter_user_info", name="api call, no ca_path", ignore_errors=True, customer_id=cid),
    ), env=NO_CA)

    token_failure = run.result("token request, no ca_path")["result"]
    assert token_failure["failed"] and names_both_options(token_failure["msg"]), token_failure["msg"]
    assert "certificate" in token_failure["msg"]

    insecure = run.result("insecure")["result"]
    assert insecure["failed"] is False and insecure["action"] == "created"
    assert insecure_warning(insecure)
    assert [u["userPrincipalName"] for u in emu.users(cid)] == [upn("jane")]

    api_failure = run.result("api call, no ca_path")["result"]
    assert api_failure["failed"] and names_both_options(api_failure["msg"]), api_failure["msg"]
    assert api_failure["error"]["fault"] == "TLS error"

    # nothing but the insecure task got through: one token, its listings, the customer's domains, one create
    routes = [r["route"] for r in emu.requests() if r["route"] != "openid_config"]
    assert set(routes) == {"token", "list_users", "get_customer", "create_user"}
    assert routes.count("token") == 1 and routes.count("create_user") == 1


def test_requests_ca_bundle_overrides_neither_ca_path_nor_validate_certs_false(emu, playbook):
    cid = seed_contoso(emu)
    # no token cache: every task fetches its own token, so MSAL's requests are checked too
    env = dict(OTHER_BUNDLE, PARTNERCENTER_TOKEN_CACHE="false")
    run = playbook(play(
        task("partnercenter_user", name="ca_path given", ca_path=emu.ca_path, customer_id=cid, upn=upn("jane"),
             display_name="Jane", usage_location="US", password=PASSWORD),
        task("partnercenter_user_info", name="validate_certs false", validate_certs=False, customer_id=cid),
        task("partnercenter_user_info", name="neither", ignore_errors=True, customer_id=cid),
    ), env=env)

    given = run.result("ca_path given")["result"]
    assert given["failed"] is False and given["action"] == "created"
    assert not insecure_warning(given)
    insecure = run.result("validate_certs false")["result"]
    assert insecure["failed"] is False and [u["user_principal_name"] for u in insecure["users"]] == [upn("jane")]
    assert insecure_warning(insecure)
    # certifi's bundle does not trust the emulator: without ca_path the task still fails, clearly
    neither = run.result("neither")["result"]
    assert neither["failed"] and names_both_options(neither["msg"])
    assert [r["status"] for r in emu.requests(route="token")] == [200, 200]
