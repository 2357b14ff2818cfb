# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every request ends: a body that drips, a body far larger than any answer, a listing whose next link
repeats its continuation token.

Each test gives the task a small ``timeout`` and ``retry_budget`` and checks that the task ends within what
those options document (generously: ansible-playbook's own start-up on a loaded machine is allowed for), with
a message that names the route and what to do, and what the emulator's request log shows was sent. Every run
is bounded by the harness's timeout, so a collection that never ends fails the test instead of hanging it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from contoso import assert_each_exists_once, seed_contoso
from plays import jane, user_play

TIMEOUT, BUDGET = 2, 6
CONNECTION = {"PARTNERCENTER_TIMEOUT": TIMEOUT, "PARTNERCENTER_RETRY_BUDGET": BUDGET}
# ansible-playbook's start-up, the token request and the module on a loaded 2-core machine: generous on purpose.
START_UP = 60
# Without the limits, a dripping answer or a listing that repeats itself never ends: the harness stops the run.
NEVER_ENDS = 120

JANE = "jane@contoso.onmicrosoft.com"
USERS_ROUTE = "GET /customers/{customer_id}/users"
MIB = 1024 * 1024


def timed(playbook, play, **env):
    started = time.monotonic()
    run = playbook(play, env=dict(CONNECTION, **env), timeout=NEVER_ENDS)
    return run, time.monotonic() - started


def test_a_dripping_listing_ends_within_the_retry_budget_naming_the_route(emu, playbook):
    cid = seed_contoso(emu)
    # one byte a second: every read gets its byte well within the 2 s timeout
    emu.faults([{"route": "list_users", "kind": "drip", "delay": 1.0, "times": -1}])
    run, took = timed(playbook, user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    msg = result["msg"]
    assert result["failed"] and USERS_ROUTE in msg and "deadline" in msg
    assert "retry budget of %gs" % BUDGET in msg and "timeout" in msg  # what ran out, and what to change
    assert took < BUDGET + START_UP
    lists = emu.requests(route="list_users")
    assert 1 <= len(lists) <= 8 and emu.writes() == []
    # each attempt hung up long before the body's end: the emulator stopped dripping
    assert all(entry["body_sent"] < 100 for entry in lists)


def test_a_dripping_token_answer_ends_within_the_retry_budget_naming_the_token_endpoint(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "token", "kind": "drip", "delay": 1.0, "times": -1}])
    run, took = timed(playbook, user_play(ignore_errors=True, **jane(cid)), PARTNERCENTER_TOKEN_CACHE="false")
    msg = run.result("user")["result"]["msg"]
    assert "/oauth2/v2.0/token" in msg and "deadline" in msg and emu.authority in msg
    assert took < BUDGET + START_UP
    assert emu.requests(route="list_users") == [] and emu.writes() == []


def test_a_create_whose_answer_drips_is_looked_up_not_sent_again(emu, playbook):
    cid = seed_contoso(emu)
    # the create is applied, then its answer drips past the attempt's deadline: the collection cannot know
    emu.faults([{"route": "create_user", "kind": "drip", "delay": 1.0, "times": 1}])
    run, took = timed(playbook, user_play(**jane(cid)))
    result = run.result("user")["result"]
    assert not result.get("failed") and result["changed"]
    assert_each_exists_once(emu, cid, [JANE])
    assert len(emu.requests(route="create_user")) == 1  # looked up, found, never created twice
    assert took < 2 * BUDGET + START_UP


def test_a_next_link_that_repeats_its_continuation_token_stops_the_listing(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "repeat_next", "times": -1}])
    run, took = timed(playbook, user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    msg = result["msg"]
    assert result["failed"] and USERS_ROUTE in msg and "continuation token" in msg
    assert "MS-CorrelationId" in msg  # what to give Microsoft support
    # the first page, and the one whose next link repeated the token: not one request more
    assert len(emu.requests(route="list_users")) == 2 and emu.writes() == []
    assert took < BUDGET + START_UP


def test_a_huge_answer_is_read_only_up_to_the_size_cap(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "huge_body", "pad_bytes": 64 * MIB, "times": -1}])
    run, took = timed(playbook, user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    msg = result["msg"]
    assert result["failed"] and USERS_ROUTE in msg and "8 MiB" in msg and "api_url" in msg
    lists = emu.requests(route="list_users")
    assert len(lists) == 1 and emu.writes() == []  # not asked for again, nothing written
    # the emulator stopped writing soon after 8 MiB (plus what the sockets' buffers held), far from 64 MiB
    assert lists[0]["body_sent"] < 32 * MIB
    assert took < BUDGET + START_UP


def test_a_huge_error_body_is_bounded(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "description": "x" * 999 + " ",
                 "description_repeat": 5000, "times": 1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "more characters" in result["msg"]
    assert len(result["msg"]) < 5000 and len(run.stdout) < 100000
