# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Echoed secrets: a server that echoes the request back in its error shows no secret, in any encoding.

Partner Center (or the authority) may put the request's body or headers into an error answer; the
collection's messages, results and -vvvv output must still hold no form of the password, client secret,
refresh token or bearer token (secret_scan.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from contoso import person, seed_contoso, upn, users_task
from plays import jane, play, task, user_play
from secret_scan import assert_no_form_of

# Characters every encoding writes differently, around runs of letters and digits that survive any
# encoding: a leak shows as one of those runs, however many times the text was escaped.
ECHO_PASSWORD = "Qx7Lm2Vb9Rt\"\\+<&>'Kp4Wz8"
ECHO_SECRET = "Cs3Hj8Nq5Tw+\"<&>'Yd6Fg1"
ECHO_REFRESH = "Rt2Mk7Pz4Lq~\"+<&>Bv9Xc3"


def create_body_text(cid_unused, password):
    """The create request's JSON as the collection writes it (for cutting the echo inside the password)."""
    body = {"firstName": "Jane", "lastName": "Doe", "displayName": "Jane Doe", "usageLocation": "US",
            "userPrincipalName": upn("jane"), "passwordProfile": {"password": password, "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"}}
    return json.dumps(body)


@pytest.mark.parametrize("style", ["raw", "json", "dotnet", "html", "truncated"])
def test_a_password_echoed_in_any_encoding_never_shows(emu, playbook, style):
    cid = seed_contoso(emu)
    rules = [{"route": "create_user", "kind": "echo", "echo": style, "times": 1}]
    if style == "truncated":
        text = create_body_text(cid, ECHO_PASSWORD)
        start = len("Bad request: ") + text.index(json.dumps(ECHO_PASSWORD)[1:-1])
        rules = [{"route": "create_user", "kind": "echo", "echo": style, "cut": start + cut, "times": 1}
                 for cut in (3, 6, 9, 13)]
    emu.faults(rules)
    tasks = [task("partnercenter_user", name="single %d" % n, ignore_errors=True,
                  **jane(cid, password="{{ lookup('env', 'PC_ECHO_PW') }}")) for n in range(len(rules) - 1)]
    tasks.append(users_task(cid, [person("jane", password="{{ lookup('env', 'PC_ECHO_PW') }}")], name="many",
                            ignore_errors=True))
    run = playbook(play(*tasks), verbosity=4, env={"PC_ECHO_PW": ECHO_PASSWORD})
    failures = [r for r in run.results if r["result"].get("failed")]
    assert len(failures) == len(rules)
    assert all("HTTP 400" in r["result"]["msg"] for r in failures)
    assert_no_form_of({"password": ECHO_PASSWORD}, run)


@pytest.mark.parametrize("style", ["raw", "json", "dotnet", "html", "truncated"])
def test_client_secret_and_refresh_token_echoed_by_the_authority_never_show(emu, playbook, style):
    cid = seed_contoso(emu)
    rule = {"route": "token", "kind": "echo", "echo": style, "times": -1}
    if style == "truncated":
        rule["cut"] = 60  # inside the form body's secrets
    emu.faults([rule])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), verbosity=4,
                   env={"PARTNERCENTER_TOKEN_CACHE": "false", "PARTNERCENTER_CLIENT_SECRET": ECHO_SECRET,
                        "PARTNERCENTER_REFRESH_TOKEN": ECHO_REFRESH})
    assert run.result("user")["result"]["failed"]
    assert_no_form_of({"client secret": ECHO_SECRET, "refresh token": ECHO_REFRESH}, run)


def test_an_echoed_bearer_token_is_redacted(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "echo", "echo": "headers", "times": 1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), verbosity=4)
    result = run.result("user")["result"]
    assert result["failed"] and "Bearer ********" in result["msg"]
    tokens = [json.loads(p.read_text())["access_token"] for p in playbook.token_cache_dir.glob("*.json")]
    assert tokens
    assert_no_form_of(dict(("access token %d" % n, t) for n, t in enumerate(tokens)), run)
