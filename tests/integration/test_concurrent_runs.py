# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two ansible-playbook runs converging the same customer at the same moment both succeed.

Each run lists the customer, finds (some of) the users missing and creates them; for every
user one create wins and the other is refused as a conflict, after which the losing run must
find the user and report it unchanged.  Every declared user must exist exactly once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import harness
from contoso import assert_each_exists_once, person, seed_contoso, users_task
from request_log import body_upn
from plays import play
from profiles import duplicate_upn_status, known_upn

# Racing creates and deletes are where Entra's answers (400 duplicates, 409 in progress) differ most.
pytestmark = pytest.mark.both_profiles


def test_two_runs_at_once_both_succeed_and_each_user_exists_once(emu, tmp_path):
    cid = seed_contoso(emu)
    # a slow service: the first four creates take 2.5 s, so whichever run starts writing first
    # cannot finish before the other one has listed the customer; the runs must overlap
    emu.faults([{"route": "create_user", "kind": "delay", "delay": 2.5, "times": 4}])
    declared = [person("staff%02d" % i) for i in range(20)]
    upns = [u["upn"] for u in declared]
    # two runners with their own work directories, sharing one token cache like two runs of one user
    runners = [harness.PlaybookRunner(tmp_path / name, emulator=emu, token_cache_dir=tmp_path / "token-cache")
               for name in ("first", "second")]
    start = threading.Barrier(len(runners))

    def converge(runner):
        start.wait(30)
        return runner(play(users_task(cid, declared, name="converge", parallelism=4)), timeout=240)

    with ThreadPoolExecutor(max_workers=len(runners)) as pool:
        runs = list(pool.map(converge, runners))

    assert [run.rc for run in runs] == [0, 0]
    summaries = [run.result("converge")["result"]["summary"] for run in runs]
    for summary in summaries:
        assert summary["failed"] == 0
        assert summary["created"] + summary["unchanged"] == 20, summary
    assert sum(s["created"] for s in summaries) == 20, summaries
    assert_each_exists_once(emu, cid, upns)
    assert len(emu.users(cid)) == 20

    # per user: exactly one create succeeded; any other create of it was refused as a conflict
    posts = emu.requests(route="create_user")
    won = collections.Counter(body_upn(r) for r in posts if r["status"] == 201)
    assert won == collections.Counter(u.lower() for u in upns)
    assert set(r["status"] for r in posts) <= {201, 409, duplicate_upn_status(emu)}
    refused = [r for r in posts if r["status"] != 201]  # as duplicates (409, or 400 under entra) or in progress
    assert refused, "the runs did not race for any user"
    assert len(posts) == 20 + len(refused)
    results = [run.result("converge")["result"] for run in runs]
    for result in results:
        assert sorted(u["user_principal_name"] for u in result["users"]) == sorted(upns)
        assert all(u["id"] for u in result["users"])


def test_two_runs_at_once_deleting_the_same_users_both_succeed(emu, tmp_path):
    cid = seed_contoso(emu, users=[dict(userPrincipalName="leaver%d@contoso.onmicrosoft.com" % i,
                                        displayName="Leaver %d" % i, usageLocation="US") for i in range(4)])
    # the first delete is held 15 s, long enough for the other run to start, list the customer and see
    # the user still active even on a loaded machine (2.5 s was not); both runs then delete it
    emu.faults([{"route": "delete_user", "kind": "delay", "delay": 15, "times": 1}])
    declared = [dict(upn="leaver%d@contoso.onmicrosoft.com" % i, state="absent") for i in range(4)]
    declared += [person("staff%02d" % i) for i in range(4)]
    runners = [harness.PlaybookRunner(tmp_path / name, emulator=emu, token_cache_dir=tmp_path / "token-cache")
               for name in ("first", "second")]
    start = threading.Barrier(len(runners))

    def converge(runner):
        start.wait(30)
        return runner(play(users_task(cid, declared, name="converge", parallelism=4)), timeout=240, expect_rc=None)

    with ThreadPoolExecutor(max_workers=len(runners)) as pool:
        runs = list(pool.map(converge, runners))

    deletes = emu.requests(route="delete_user")
    assert 404 in [r["status"] for r in deletes], "the runs did not race for a delete"
    failures = [run.result("converge")["result"].get("msg") for run in runs if run.rc != 0]
    assert failures == []
    states = dict((known_upn(u), u["state"]) for u in emu.users(cid))
    assert [states["leaver%d@contoso.onmicrosoft.com" % i] for i in range(4)] == ["inactive"] * 4
    assert_each_exists_once(emu, cid, [u["upn"] for u in declared[4:]])
