# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults: every run converges to exactly the declared users, or fails naming the fault, route and MS-RequestId.

Each test injects one kind of failure through the emulator's fault rules or knobs and then
checks the emulator's state (each declared UPN exists once) and its request log (what was
retried, what was looked up before a create was sent again).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

import pytest

from concurrency import Watcher, wait_until
from catalogue import E3
from contoso import assert_each_exists_once, person, seed_contoso, state_of, upn, users_task
from request_log import arrival, body_upn, by_arrival
from plays import jane, play, task, user_play
from profiles import by_known_upn, duplicate_upn_status

# Run against the emulator's default and entra profiles (conftest.py): a failure names the profile.
pytestmark = pytest.mark.both_profiles

JANE = "jane@contoso.onmicrosoft.com"


def creates(emu):
    return by_arrival(emu.requests(route="create_user"))


def lookups_between(emu, first, second):
    """list_users requests that arrived after ``first`` and before ``second`` (log records)."""
    return [r for r in emu.requests(route="list_users") if arrival(first) <= arrival(r) <= arrival(second)]


# --------------------------------------------------------------------------- throttling


def test_429_with_retry_after_slows_single_and_parallel_writes_without_failing(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([
        {"route": "list_users", "kind": "status", "status": 429, "retry_after": 1, "times": 1},
        # jane's create is throttled once; her resend passes
        {"route": "create_user", "kind": "status", "status": 429, "retry_after": 1, "times": 1},
        # then, of the four parallel creates, the first is throttled for 2 s and the other three are
        # slow (0.5 s): when they are done, their writers must still wait for the Retry-After
        {"route": "create_user", "kind": "status", "status": 429, "retry_after": 2, "after": 1, "times": 1},
        {"route": "create_user", "kind": "delay", "delay": 0.5, "after": 1, "times": 3},
    ])
    many = [person("user%d" % i) for i in range(8)]
    run = playbook(play(
        task("partnercenter_user", name="single", **jane(cid)),
        users_task(cid, many, name="many", parallelism=4),
    ))

    assert run.result("single")["result"]["action"] == "created"
    summary = run.result("many")["result"]["summary"]
    assert summary["created"] == 8 and summary["failed"] == 0
    assert_each_exists_once(emu, cid, [JANE] + [u["upn"] for u in many])

    # the throttled read was sent again after Retry-After
    lists = by_arrival(emu.requests(route="list_users"))
    assert lists[0]["status"] == 429 and lists[1]["status"] == 200
    assert arrival(lists[1]) - arrival(lists[0]) >= 0.9

    # each throttled create was sent again after its Retry-After; every user was created once
    posts = creates(emu)
    throttled = [r for r in posts if r["status"] == 429]
    assert [body_upn(r) for r in throttled] == [JANE, body_upn(throttled[1])] and len(posts) == 9 + 2
    assert sorted(body_upn(r) for r in posts if r["status"] == 201) == sorted(
        [JANE] + [u["upn"] for u in many])
    for refused, retry_after in zip(throttled, (1, 2)):
        resend = [r for r in posts if body_upn(r) == body_upn(refused) and arrival(r) > arrival(refused)]
        assert resend and arrival(resend[0]) - arrival(refused) >= retry_after - 0.1, "resent before Retry-After"

    # with parallelism 4, one 429 holds every writer back: the three writers whose creates ended
    # after 0.5 s sent nothing more until the Retry-After of 2 s had passed
    first = arrival(throttled[1])
    assert len([r for r in posts if r["fault"] == "delay"]) == 3
    later = [r for r in posts if body_upn(r) != JANE and r["fault"] is None]
    assert len(later) == 1 + 4  # the throttled create again, and the four users not started yet
    assert min(arrival(r) for r in later) >= first + 1.9


# --------------------------------------------------------------------------- 5xx


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_read_is_retried_and_5xx_create_is_looked_up_then_sent_again(emu, playbook, status):
    # 600 users: the customer's list has two pages; the second page read fails once.
    cid = seed_contoso(emu, generate_users={"count": 600, "prefix": "staff"})
    emu.faults([
        {"route": "list_users", "kind": "status", "status": status, "after": 1, "times": 1},
        {"route": "create_user", "kind": "status", "status": status, "times": 1},
    ])
    run = playbook(user_play(**jane(cid)))

    result = run.result("user")["result"]
    assert result["changed"] is True and result["action"] == "created"
    assert_each_exists_once(emu, cid, [JANE])

    lists = by_arrival(emu.requests(route="list_users"))
    failed_read = [r for r in lists if r["status"] == status]
    assert len(failed_read) == 1 and failed_read[0]["query"].get("seekOperation") == ["Next"]
    retried = [r for r in lists if arrival(r) > arrival(failed_read[0])]
    assert retried[0]["status"] == 200 and retried[0]["query"].get("seekOperation") == ["Next"]

    # the 5xx on the POST is ambiguous: look up first, then create again (nothing was committed)
    first, second = creates(emu)
    assert (first["status"], first["fault"]) == (status, "status")
    assert second["status"] == 201
    assert lookups_between(emu, first, second), "no look-up before the create was sent again"


# --------------------------------------------------------------------------- lost connections


def test_connection_reset_before_the_response_retries_read_and_looks_up_before_recreating(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([
        {"route": "list_users", "kind": "reset", "times": 1},
        {"route": "create_user", "kind": "reset", "times": 1},
    ])
    run = playbook(user_play(**jane(cid)))

    assert run.result("user")["result"]["action"] == "created"
    assert_each_exists_once(emu, cid, [JANE])
    lists = by_arrival(emu.requests(route="list_users"))
    assert lists[0]["fault"] == "reset" and lists[0]["status"] is None and lists[1]["status"] == 200
    first, second = creates(emu)
    assert (first["fault"], first["status"]) == ("reset", None)
    assert second["status"] == 201
    assert lookups_between(emu, first, second)


def test_commit_then_reset_writes_are_found_or_safely_repeated(emu, playbook):
    """The write is committed, then the connection is reset: the answer is lost."""
    cid = seed_contoso(emu, users=[
        dict(userPrincipalName=upn("bob"), displayName="Bob Tester", usageLocation="US"),
        dict(userPrincipalName=upn("carol"), displayName="Carol Tester", usageLocation="US", state="inactive"),
        dict(userPrincipalName=upn("dave"), displayName="Dave Tester", usageLocation="US"),
    ])
    emu.faults([{"route": route, "kind": "commit_then_reset", "times": 1}
                for route in ("create_user", "delete_user", "update_user")])
    run = playbook(play(
        task("partnercenter_user", name="single", **jane(cid)),
        users_task(cid, [dict(upn=upn("bob"), state="absent"), person("carol"),
                         dict(upn=upn("dave"), display_name="Dave Renamed")], name="many", parallelism=1),
    ))

    # create: not sent again, the look-up found the user
    result = run.result("single")["result"]
    assert result["changed"] is True and result["action"] == "created"
    (only,) = creates(emu)
    assert only["fault"] == "commit_then_reset"
    assert_each_exists_once(emu, cid, [JANE, upn("carol"), upn("dave")])
    (user,) = [u for u in emu.users(cid) if u["userPrincipalName"] == JANE]
    assert result["user"]["id"] == user["id"]
    assert emu.requests(route="list_users")[-1]["seq"] > only["seq"], "looked the user up after the lost answer"

    # delete, restore and update are idempotent: sent again, and reported once
    many = run.result("many")["result"]
    assert [u["action"] for u in many["users"]] == ["deleted", "restored", "updated"]
    assert many["summary"]["failed"] == 0
    deletes = [r["status"] for r in by_arrival(emu.requests(route="delete_user"))]
    assert deletes[0] is None and deletes[1:] in ([204], [404])
    state = by_known_upn(emu, cid)  # bob, deleted, under either form of his UPN (profiles.py)
    assert state[upn("bob")]["state"] == "inactive"
    assert state[upn("carol")]["state"] == "active"
    assert state[upn("dave")]["displayName"] == "Dave Renamed"


@pytest.mark.parametrize("lag", [0, 600], ids=["visible", "replication-lag"])
def test_answer_after_client_timeout_when_create_was_committed(emu, playbook, lag):
    """commit_then_delay with delay > timeout: the POST landed, its answer came too late."""
    cid = seed_contoso(emu)
    emu.config(replication_lag=lag)
    emu.faults([{"route": "create_user", "kind": "commit_then_delay", "delay": 4, "times": 1}])
    duplicate = duplicate_upn_status(emu)  # 409, or 400 under the entra profile
    # with replication lag the user stays invisible until the create sent again has conflicted
    watcher = Watcher(lambda: duplicate in [r["status"] for r in emu.requests(route="create_user")],
                      lambda: emu.control.call("POST", "clock", {"advance_seconds": lag + 1}))
    watcher.start()
    try:
        run = playbook(play(
            task("partnercenter_user_info", name="cache a token", customer_id=cid),
            users_task(cid, [person("jane")], name="many", timeout=2),
        ))
    finally:
        watcher.stop()

    result = run.result("many")["result"]
    assert result["summary"]["created"] == 1 and result["summary"]["failed"] == 0
    assert result["users"][0]["action"] == "created"
    assert_each_exists_once(emu, cid, [JANE])

    # the delayed request is logged only once its answer was (too late) sent
    wait_until(lambda: [r for r in emu.requests(route="create_user") if r["fault"] == "commit_then_delay"],
               timeout=10, what="the delayed create in the request log")
    posts = creates(emu)
    assert posts[0]["fault"] == "commit_then_delay" and posts[0]["status"] == 201
    assert len(posts) <= 2
    if len(posts) == 2:
        assert posts[1]["status"] == duplicate, "a create sent again must be refused as a conflict"
        assert lookups_between(emu, posts[0], posts[1]), "no look-up before the create was sent again"
    if lag == 0:
        assert len(posts) == 1, "the user was visible: the create must not be sent again"
    else:
        assert len(posts) == 2 and watcher.fired_at  # not visible yet: sent again, refused, then found
        (user,) = emu.users(cid)
        assert result["users"][0]["id"] == user["id"]


def test_replication_lag_second_run_conflicts_and_reports_unchanged(emu, playbook):
    cid = seed_contoso(emu)
    emu.config(replication_lag=600)  # invisible until the watcher below moves the emulator clock
    first = playbook(user_play(**jane(cid)))
    assert first.result("user")["result"]["action"] == "created"

    emu.clear_requests()
    duplicate = duplicate_upn_status(emu)  # 409, or 400 under the entra profile
    watcher = Watcher(lambda: [r for r in emu.requests(route="create_user") if r["status"] == duplicate],
                      lambda: emu.control.call("POST", "clock", {"advance_seconds": 601}))
    watcher.start()
    try:
        second = playbook(user_play(**jane(cid)))
    finally:
        watcher.stop()

    result = second.result("user")["result"]
    assert result["failed"] is False
    assert result["changed"] is False and result["action"] == "unchanged"
    assert_each_exists_once(emu, cid, [JANE])
    (post,) = emu.requests(route="create_user")
    assert post["status"] == duplicate  # the listing did not show the user, the create conflicted
    assert watcher.fired_at is not None
    (user,) = emu.users(cid)
    assert result["user"]["id"] == user["id"]


# --------------------------------------------------------------------------- tokens


def test_token_expired_by_fault_is_refreshed_once_and_cached_token_revoked_between_runs(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "expire_token", "times": 1}])
    run = playbook(user_play(**jane(cid)))
    assert run.result("user")["result"]["action"] == "created"
    tokens = emu.requests(route="token")
    assert [t["status"] for t in tokens] == [200, 200]  # the first token, and exactly one refresh
    first, second = creates(emu)
    assert (first["status"], first["fault"]) == (401, "expire_token") and second["status"] == 201
    assert arrival(tokens[1]) < arrival(second)
    assert_each_exists_once(emu, cid, [JANE])

    # the cached token is revoked between runs: the next run is refused once, then refreshes once
    emu.faults([])
    emu.expire_tokens()
    emu.clear_requests()
    run = playbook(user_play(**jane(cid, display_name="Jane Q. Doe")))
    assert run.result("user")["result"]["action"] == "updated"
    assert [t["status"] for t in emu.requests(route="token")] == [200]
    lists = by_arrival(emu.requests(route="list_users"))
    assert lists[0]["status"] == 401 and lists[1]["status"] == 200
    assert [w["route"] for w in emu.writes()] == ["update_user"]


def test_tokens_expiring_mid_run_are_refreshed_once_for_parallel_writers(emu, playbook):
    cid = seed_contoso(emu)
    # the first four creates (four writers at once) are held 3 s; meanwhile every token expires
    emu.faults([{"route": "create_user", "kind": "delay", "delay": 3, "times": 4}])
    watcher = Watcher(lambda: len([r for r in emu.requests(route="list_users") if r["status"] == 200]) >= 2,
                      emu.expire_tokens)
    watcher.start()
    many = [person("user%d" % i) for i in range(6)]
    try:
        run = playbook(play(users_task(cid, many, name="many", parallelism=4)))
    finally:
        watcher.stop()

    result = run.result("many")["result"]
    assert result["summary"]["created"] == 6 and result["summary"]["failed"] == 0
    assert_each_exists_once(emu, cid, [u["upn"] for u in many])
    assert [t["status"] for t in emu.requests(route="token")] == [200, 200], "exactly one extra token request"
    posts = creates(emu)
    refused = [r for r in posts if r["status"] == 401]
    assert [r["fault"] for r in refused] == ["delay"] * 4  # four writers refused at once, one refresh
    assert len([r for r in posts if r["status"] == 201]) == 6 and len(posts) == 6 + len(refused)


def test_transient_token_endpoint_failures_are_retried(emu, playbook):
    cid = seed_contoso(emu)
    # no token cache: each task asks for its own token; each token request fails once, differently
    emu.faults([
        {"route": "token", "kind": "status", "status": 503, "times": 1},
        {"route": "token", "kind": "reset", "after": 1, "times": 1},
        {"route": "token", "kind": "status", "status": 429, "retry_after": 1, "after": 2, "times": 1},
    ])
    run = playbook(play(*[task("partnercenter_user_info", name=name, ignore_errors=True, customer_id=cid)
                          for name in ("after 503", "after reset", "after 429")]),
                   env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    failures = dict((name, run.result(name)["result"].get("msg")) for name in ("after 503", "after reset", "after 429")
                    if run.result(name)["result"]["failed"])
    assert failures == {}
    assert [(t["status"], t["fault"]) for t in by_arrival(emu.requests(route="token"))] == [
        (503, "status"), (200, None), (None, "reset"), (200, None), (429, "status"), (200, None)]


# --------------------------------------------------------------------------- odd bodies


def test_bom_prefixed_pascal_case_bodies_converge_and_stay_idempotent(emu, playbook):
    cid = seed_contoso(emu, generate_users={"count": 510, "prefix": "staff"}, users=[
        dict(userPrincipalName=upn("jane"), displayName="Jane Doe", usageLocation="US", password="Old-Passw0rd!"),
        dict(userPrincipalName=upn("bob"), displayName="Bob Tester", usageLocation="US", state="inactive"),
    ])
    emu.config(bom=True, pascal_case=True)  # every answer: a UTF-8 BOM, then PascalCase keys
    declared = [
        dict(upn=upn("jane"), display_name="Jane Renamed"),           # update
        person("bob"),                                                 # restore
        person("carol"),                                               # create
        dict(upn=upn("staff00007"), state="absent"),                  # delete (on page 1)
        dict(upn=upn("staff00505"), display_name="Staff 00505"),      # unchanged (on page 2)
    ]
    run = playbook(play(users_task(cid, declared, name="many")))
    result = run.result("many")["result"]
    # the 508 generated users nobody declares, from both pages; the result lists the first 100
    assert result["summary"] == dict(created=1, updated=1, restored=1, deleted=1, unchanged=1, purged=0, failed=0,
                                     renamed=0, offboarded=0, undeclared=508)
    assert len(result["undeclared_users"]) == 100 and result["undeclared_users"][0] == upn("staff00001")
    assert [u["action"] for u in result["users"]] == ["updated", "restored", "created", "deleted", "unchanged"]
    assert all(u.get("id") for u in result["users"])
    assert result["users"][0]["display_name"] == "Jane Renamed"
    assert result["users"][4]["usage_location"] == "US"
    assert_each_exists_once(emu, cid, [upn("jane"), upn("bob"), upn("carol"), upn("staff00505")])
    state = by_known_upn(emu, cid)  # staff00007, deleted, under either form of the UPN (profiles.py)
    assert state[upn("staff00007")]["state"] == "inactive"
    assert state[upn("jane")]["displayName"] == "Jane Renamed"

    emu.clear_requests()
    run = playbook(play(users_task(cid, declared, name="many")))
    assert run.result("many")["result"]["changed"] is False
    assert run.result("many")["result"]["summary"]["unchanged"] == 5
    assert emu.writes() == []


# --------------------------------------------------------------------------- giving up


def test_retry_budget_runs_out_within_bounded_time_naming_fault_route_and_request_id(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "status", "status": 503, "times": -1}])
    started = time.monotonic()
    run = playbook(user_play(**jane(cid)), env={"PARTNERCENTER_RETRY_BUDGET": "3"}, expect_rc=2)
    wall = time.monotonic() - started

    result = run.result("user")["result"]
    msg = result["msg"]
    lists = by_arrival(emu.requests(route="list_users"))
    assert 2 <= len(lists) <= 8 and all(r["status"] == 503 for r in lists)
    # the client stopped retrying once waiting longer would exceed the budget of 3 s
    assert arrival(lists[-1]) - arrival(lists[0]) <= 3.5
    assert wall < 60, "the whole run must end in bounded time, took %.1f s" % wall
    assert "HTTP 503" in msg and "retry budget" in msg
    assert "/customers/{customer_id}/users" in msg
    assert "MS-RequestId %s" % lists[-1]["request_id"] in msg
    assert result["error"]["request_id"] == lists[-1]["request_id"]
    assert result["error"]["status"] == 503
    assert emu.writes() == []


def test_create_that_keeps_failing_stops_after_one_look_up_and_one_resend(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "status", "status": 503, "times": -1}])
    run = playbook(user_play(**jane(cid)), expect_rc=2)

    result = run.result("user")["result"]
    first, second = creates(emu)  # never more than one resend of a write that may have landed
    assert first["status"] == second["status"] == 503
    assert lookups_between(emu, first, second)
    msg = result["msg"]
    assert "HTTP 503" in msg and "may or may not have been applied" in msg
    assert "/customers/{customer_id}/users" in msg and "MS-RequestId %s" % second["request_id"] in msg
    assert result["error"]["request_id"] == second["request_id"]
    assert emu.users(cid) == []


def test_failure_message_names_the_route_once(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "status", "status": 400, "times": 1}])
    run = playbook(user_play(**jane(cid)), expect_rc=2)
    msg = run.result("user")["result"]["msg"]
    (read,) = emu.requests(route="list_users")
    assert "HTTP 400" in msg and "MS-RequestId %s" % read["request_id"] in msg
    assert not re.search(r"\b(GET|POST|PATCH|DELETE) (GET|POST|PATCH|DELETE) /", msg), msg


def test_no_write_is_sent_for_a_user_whose_id_is_unknown(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.config(replication_lag=600)  # out of the user list for longer than the task looks for it
    emu.faults([{"route": "create_user", "kind": "commit_then_reset", "times": 1}])
    run = playbook(user_play(ignore_errors=True, retry_budget=5, licenses={"add": ["SPE_E3"]}, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "replication lag" in result["msg"] and upn("jane") in result["msg"]
    assert not [r for r in emu.requests() if "None" in r["path"]]
    assert [r["route"] for r in emu.writes()] == ["create_user", "create_user"]  # the resend met the duplicate


def test_a_create_confirmed_without_a_body_still_converges_every_user(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.faults([{"route": "create_user", "kind": "commit_then_empty", "after": 1, "times": 1}])
    many = [person(n, licenses={"add": ["SPE_E3"]}) for n in ("ann", "ben", "cat")]
    result = playbook(play(users_task(cid, many))).result("users")["result"]
    assert result["summary"]["created"] == 3 and result["summary"]["failed"] == 0
    for name in ("ann", "ben", "cat"):
        assert len(state_of(emu, cid, name)["licenses"]) == 1
