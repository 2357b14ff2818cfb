# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Redirects: an API or authority answer that redirects is an error, and nothing reaches the other host.

The emulator's trap records whatever follows a redirect: a password, a bearer token or a client secret
sent there would show in its log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from contoso import seed_contoso
from plays import jane, user_play


def trap_requests(emu):
    return emu.call("GET", "trap")["requests"]


@pytest.mark.parametrize("route", ["create_user", "list_users"])
def test_an_api_redirect_is_an_error_and_nothing_reaches_the_other_host(emu, playbook, route):
    cid = seed_contoso(emu)
    emu.faults([{"route": route, "kind": "redirect", "status": 307, "location": "trap", "times": -1}])
    run = playbook(user_play(register="r", ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"]
    assert "HTTP 307" in result["msg"] and "redirect" in result["msg"] and emu.info["trap_url"] in result["msg"]
    # nothing was sent to the Location: not the password, not the bearer token
    assert trap_requests(emu) == []
    # and the redirect was not retried: one request to the redirecting route
    assert len(emu.requests(route=route)) == 1
    assert emu.users(cid) == []


@pytest.mark.parametrize("route", ["token", "openid_config"])
def test_a_redirect_from_the_authority_sends_no_secret_anywhere_else(emu, playbook, route):
    cid = seed_contoso(emu)
    emu.faults([{"route": route, "kind": "redirect", "status": 308, "location": "trap", "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    result = run.result("user")["result"]
    assert result["failed"] and "HTTP 308" in result["msg"] and "redirect" in result["msg"]
    assert trap_requests(emu) == []
    assert len(emu.requests(route=route)) == 1
    assert emu.writes() == []
