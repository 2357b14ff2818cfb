# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Throttling shared by all forks (issue 18): a 429 one fork gets holds back every fork of the run.

Partner Center throttles per partner tenant.  The emulator answers 429 (Retry-After R) whenever
more than N API requests arrived within the last second; a fleet run of the customer_users role
with several forks must converge, and after each 429 no fork may *start* a request before its
Retry-After has passed, except requests already in flight when the 429 was answered.  The request
log's epoch times (``started_at``, ``answered_at``) tell which requests started when.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time
from pathlib import Path

from partnercenter_emulator.requestlog import IN_FLIGHT_GRACE, throttle_windows

from contoso import assert_each_exists_once, person, seed_contoso, users_task
from fleet import converged_fleet
from plays import play

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"
CONVERGE = "csp.partnercenter.customer_users : Converge the customer's users"
CUSTOMERS = 16
USERS = 2
FORKS = 8
OVER_RATE = 3       # a 429 for every API request beyond 3 within a second
RETRY_AFTER = 2     # seconds
# A request that started within IN_FLIGHT_GRACE (0.5 s) of a 429's answer counts as already in
# flight: the throttled fork must read the answer and write the hold, and a request another fork
# let through its gate just before that must still reach the emulator.


def test_a_429_holds_back_every_fork_until_its_retry_after(emu, playbook):
    names, ids, hosts = converged_fleet(emu, "throttled", CUSTOMERS, USERS)
    emu.config(throttle_over_rate=OVER_RATE, retry_after=RETRY_AFTER, latency_ms=30)
    emu.clear_requests()

    run = playbook(str(PLAYBOOK), inventory={"partnercenter_customers": {"hosts": hosts}}, forks=FORKS,
                   timeout=600)

    # converged: every customer listed, every user unchanged, nothing written
    for name in names:
        result = run.result(CONVERGE, host=name)
        assert result["event"] == "ok", result
        assert result["result"]["summary"]["unchanged"] == USERS, result["result"]["summary"]
    assert emu.writes() == []
    entries = emu.requests()
    listed = set(e["path"].split("/")[3] for e in entries if e["route"] == "list_users" and e["status"] == 200)
    assert listed == set(ids.values())

    report = throttle_windows(entries, grace=IN_FLIGHT_GRACE)
    print("429s: %(throttled)d in %(windows)d windows, at most %(max_429_per_window)d per window" % report)
    assert report["throttled"] > 0, "the emulator never throttled: the test measured nothing"
    early = report["early_starts"]
    assert not early, (
        "%d request(s) started while another fork's 429 asked to wait (first: %s); %d 429s in %d windows"
        % (len(early), early[:5], report["throttled"], report["windows"]))

    # the shared hold lives next to the token cache, private
    holds = [p for p in playbook.token_cache_dir.iterdir() if p.name.startswith("throttle-") and p.suffix == ".json"]
    assert len(holds) == 1
    assert stat.S_IMODE(os.stat(str(holds[0])).st_mode) == 0o600


def test_a_retry_after_longer_than_the_budget_holds_nobody_back(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "status", "status": 429, "retry_after": 90, "times": 1}])
    # twice as many users as writers: the second four start after the 429 came back
    many = [person("user%d" % n) for n in range(8)]
    started = time.monotonic()
    run = playbook(play(users_task(cid, many, parallelism=4, retry_budget=10, ignore_errors=True)))
    elapsed = time.monotonic() - started
    result = run.result("users")["result"]
    assert elapsed < 70, "a 90 s Retry-After against a 10 s budget took %.0f s" % elapsed
    assert result["summary"]["created"] == 7 and result["summary"]["failed"] == 1
    failed = result["failed_users"][0]
    assert "429" in failed["msg"] and "retry budget" in failed["msg"]
    assert_each_exists_once(emu, cid, [u["upn"] for u in many if u["upn"] != failed["user_principal_name"]])
