# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""refresh_token_file: the rotated refresh token is kept, so a schedule never has to repeat the consent.

The emulator rotates refresh tokens on every grant and lets each die 90 days after it was issued,
as Entra ID does; its clock is moved forward between runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import stat

from contoso import seed_contoso
from plays import play, task

DAY = 24 * 3600


def lookup(cid):
    return play(task("partnercenter_user_info", name="lookup", register="r", ignore_errors=True, customer_id=cid))


def sha(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def schedule(emu, playbook, cid, env, runs, every_days):
    """Run the lookup every ``every_days`` days of emulator time; the failures' messages by day."""
    failures = {}
    for run_number in range(runs):
        day = run_number * every_days
        result = playbook(lookup(cid), env=env).result("lookup")["result"]
        if result.get("failed"):
            failures[day] = result["msg"]
        emu.call("POST", "clock", {"advance_seconds": every_days * DAY})
    return failures


def test_a_schedule_with_the_file_outlives_the_first_refresh_token_and_without_it_dies_at_day_90(
        emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    token_file = tmp_path / "refresh-token"
    token_file.write_text(emu.refresh_token + "\n")
    token_file.chmod(0o600)
    with_file = {"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file)}
    known = set(t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"])

    assert schedule(emu, playbook, cid, with_file, runs=8, every_days=15) == {}  # 105 days, every run fine
    stored = token_file.read_text().strip()
    assert stored != emu.refresh_token
    assert stat.S_IMODE(os.stat(str(token_file)).st_mode) == 0o600
    tokens = emu.call("GET", "refresh_tokens")["refresh_tokens"]
    assert tokens[-1]["sha256"] == sha(stored) and tokens[-1]["source"] == "rotated"
    chain = [t for t in tokens if t["source"] == "rotated" and t["sha256"] not in known]
    assert len(chain) == 8  # one rotation per grant, none lost

    # the same schedule with the refresh token stored once (a vault, a static credential)
    emu.reset()  # the clock back to now, the configured refresh token issued anew
    cid = seed_contoso(emu)
    failures = schedule(emu, playbook, cid, {}, runs=8, every_days=15)
    assert sorted(failures) == [90, 105]
    assert all("AADSTS700082" in msg and "Repeat the consent sign-in" in msg for msg in failures.values())


def test_parallel_forks_rotate_the_file_once_per_grant_and_never_tear_it(emu, playbook, tmp_path):
    cids = [emu.seed([{"companyName": "C%d" % n, "domain": "c%d.onmicrosoft.com" % n}])[0]["id"] for n in range(6)]
    token_file = tmp_path / "refresh-token"
    token_file.write_text(emu.refresh_token)
    token_file.chmod(0o600)
    hosts = dict(("c%d" % n, {"cid": cid}) for n, cid in enumerate(cids))
    inventory = {"customers": {"hosts": hosts}}
    body = '[{"hosts": "customers", "gather_facts": false, "tasks": [' \
           '{"name": "lookup", "csp.partnercenter.partnercenter_user_info": {"customer_id": "{{ cid }}"}}]}]'
    env = {"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file),
           "PARTNERCENTER_TOKEN_CACHE": "false"}  # every fork asks for its own token: the worst case
    known = set(t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"])
    run = playbook(body, inventory=inventory, forks=6, env=env)
    assert all(not r["result"].get("failed") for r in run.results)
    grants = [r for r in emu.requests(route="token") if r["status"] == 200]
    tokens = emu.call("GET", "refresh_tokens")["refresh_tokens"]
    rotated = [t for t in tokens if t["source"] == "rotated" and t["sha256"] not in known]
    assert len(grants) == len(rotated) == 6
    # a chain: each fork redeemed the token the previous one stored
    assert [t["rotated_from"] for t in rotated] == [sha(emu.refresh_token)] + [t["sha256"] for t in rotated[:-1]]
    assert sha(token_file.read_text().strip()) == rotated[-1]["sha256"]


def test_a_file_that_cannot_be_replaced_warns_once_and_the_run_goes_on(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    folder = tmp_path / "readonly"
    folder.mkdir()
    token_file = folder / "refresh-token"
    token_file.write_text(emu.refresh_token)
    folder.chmod(0o500)
    try:
        run = playbook(lookup(cid), env={"PARTNERCENTER_REFRESH_TOKEN": None,
                                         "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file)})
    finally:
        folder.chmod(0o700)
    result = run.result("lookup")["result"]
    if os.geteuid() == 0:  # root writes anyway; the rotation then simply lands
        assert not result.get("failed")
        return
    assert not result.get("failed") and len(result["warnings"]) == 1
    assert "could not be stored in refresh_token_file" in result["warnings"][0]
