# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge task's own failure message: an identity failure said in full by the first fork to meet it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.csp.partnercenter.plugins.plugin_utils._role_failure import (
    FirstToSay, failure_message, identity_key,
)


def identity_failure(code="invalid_client", description="AADSTS7000215: Invalid client secret provided."):
    return dict(failed=True, msg="The refusal (POST token; HTTP 401) What to do next, in full.",
                error=dict(route="POST token", status=401, code=code, description=description))


def claims_in_forks(first_to_say, key, hosts):
    """Each host claims ``key`` in a process of its own, forked after ``first_to_say`` was made (as the workers are
    forked after the strategy imported the action plugin); the host each was told says it in full."""
    told = []
    for host in hosts:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(reader)
            os.write(writer, first_to_say.claim(key, host).encode("utf-8"))
            os._exit(0)  # pylint: disable=protected-access
        os.close(writer)
        os.waitpid(pid, 0)
        told.append(os.read(reader, 100).decode("utf-8"))
        os.close(reader)
    return told


def test_the_first_fork_to_meet_an_identity_failure_says_it_and_every_other_fork_names_it():
    shared = FirstToSay()
    key = identity_key(identity_failure())
    assert claims_in_forks(shared, key, ["beta", "alpha", "gamma"]) == ["beta", "beta", "beta"]
    # another identity failure of the same run has its own first host
    other = identity_key(identity_failure("invalid_grant", "AADSTS700082: The refresh token has expired."))
    assert other != key and claims_in_forks(shared, other, ["gamma", "beta"]) == ["gamma", "gamma"]
    # a new run (a new strategy process, so a new record) says it in full again
    assert claims_in_forks(FirstToSay(), key, ["alpha"]) == ["alpha"]


def test_the_message_names_the_host_and_refers_to_the_first_for_an_identity_failure():
    result = identity_failure()
    first = failure_message(result, "unit-first", check_mode=False)
    assert first == "unit-first: " + result["msg"]
    again = failure_message(result, "unit-second", check_mode=False)
    assert again.startswith("unit-second: the client secret is wrong: the same identity failure as unit-first")
    assert "What to do next" not in again


def test_any_other_failure_is_said_in_full_by_each_host_in_the_role_variables():
    result = dict(failed=True, msg="users[0] (ann@contoso.com).usage_location: XX is not a country code")
    assert identity_key(result) is None
    for host in ("one", "two"):
        assert failure_message(result, host, check_mode=None) == (
            "%s: partnercenter_users[0] (ann@contoso.com).usage_location: XX is not a country code" % host)
