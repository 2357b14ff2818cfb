# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token cache seen from a playbook: one token per credential, switched off or moved by option or
environment variable, kept in a private directory, and refreshed before the token expires.

Each play runs three tasks (three module processes); the emulator's request log counts the token
requests they make between them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from contoso import seed_contoso
from plays import jane, play, task, user_play


def three_lookups(customer_id, **connection):
    return play(*[task("partnercenter_user_info", name="lookup %d" % n, customer_id=customer_id, **connection)
                  for n in range(3)])


def token_requests(emu):
    return len(emu.requests(route="token"))


def cached_files(directory):
    return sorted(name for name in os.listdir(str(directory))) if directory.exists() else []


def assert_private(directory):
    """One cached token (plus its lock file), all of it private to the user."""
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = cached_files(directory)
    assert [os.path.splitext(name)[1] for name in files] == [".json", ".lock"], files
    for name in files:
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name


def test_tasks_share_one_token_within_and_across_runs(emu, playbook):
    cid = seed_contoso(emu)
    playbook(three_lookups(cid))
    assert token_requests(emu) == 1
    assert_private(playbook.token_cache_dir)

    emu.clear_requests()
    playbook(three_lookups(cid))
    assert token_requests(emu) == 0, "the second run finds the token cached"


def test_option_token_cache_false_wins_over_the_environment(emu, playbook):
    cid = seed_contoso(emu)
    playbook(three_lookups(cid, token_cache=False), env={"PARTNERCENTER_TOKEN_CACHE": "true"})
    assert token_requests(emu) == 3
    assert cached_files(playbook.token_cache_dir) == [], "nothing is written with the cache off"


def test_environment_switches_the_cache_off(emu, playbook):
    cid = seed_contoso(emu)
    playbook(three_lookups(cid), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    assert token_requests(emu) == 3
    assert cached_files(playbook.token_cache_dir) == []


def test_option_token_cache_dir_wins_over_the_environment(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    relocated = tmp_path / "relocated" / "tokens"
    playbook(three_lookups(cid, token_cache_dir=str(relocated)))
    assert token_requests(emu) == 1
    assert_private(relocated)
    assert cached_files(playbook.token_cache_dir) == [], "PARTNERCENTER_TOKEN_CACHE_DIR was overridden"


def test_default_location_is_under_xdg_cache_home(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    xdg = tmp_path / "xdg-cache"
    playbook(three_lookups(cid), env={"PARTNERCENTER_TOKEN_CACHE_DIR": None, "XDG_CACHE_HOME": str(xdg)})
    assert token_requests(emu) == 1
    assert_private(xdg / "csp.partnercenter" / "tokens")
    assert cached_files(playbook.token_cache_dir) == []


def test_token_close_to_expiry_is_not_used(emu, playbook):
    cid = seed_contoso(emu)
    # Tokens are refreshed five minutes before they expire: one that lives four minutes is
    # stored, but already too close to its expiry for the next task to use it.
    emu.config(token_lifetime=240)
    playbook(three_lookups(cid))
    assert token_requests(emu) == 3

    emu.config(token_lifetime=3600)
    emu.clear_requests()
    playbook(three_lookups(cid))
    assert token_requests(emu) == 1, "a fresh token replaces the one near expiry, then is shared"


@pytest.mark.parametrize("content", ["[]", "null", '{"access_token": 5, "expires_on": 9999999999}',
                                     '{"access_token": "x y", "expires_on": 9999999999}', '"just a string"'])
def test_a_token_cache_entry_of_the_wrong_shape_is_ignored_and_replaced(emu, playbook, content):
    cid = seed_contoso(emu)
    playbook(user_play(**jane(cid)))
    entries = list(playbook.token_cache_dir.glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text(content)
    emu.clear_requests()
    assert playbook(user_play(**jane(cid))).result("user")["result"]["action"] == "unchanged"
    assert len(emu.requests(route="token")) == 1
    assert [r["status"] for r in emu.requests(route="list_users")] == [200]  # the bad entry was never sent
    assert set(json.loads(entries[0].read_text())) == {"access_token", "expires_on"}


@pytest.mark.parametrize("token_value", [123, "", None, ["a"], "two words"])
def test_a_malformed_token_from_the_authority_is_refused_and_never_cached(emu, playbook, token_value):
    cid = seed_contoso(emu)
    emu.faults([{"route": "token", "kind": "token_shape", "token_value": token_value, "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "malformed access token" in result["msg"]
    assert list(playbook.token_cache_dir.glob("*.json")) == []
    assert emu.requests(route="list_users") == []
