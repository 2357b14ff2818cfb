# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Purge plans: who is deleted, who is kept, and when a purge is refused before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DELETE
from ansible_collections.csp.partnercenter.plugins.module_utils._purge import purge_excluded, purge_plans


def active(*upns):
    return dict((upn.lower(), dict(user_principal_name=upn, id="id-" + upn, state="active")) for upn in upns)


def test_purge_deletes_the_undeclared_users_and_spares_the_excluded_ones():
    users = active("admin@c.com", "a@c.com", "B@c.com", "keep@c.com")
    plans = purge_plans(users, {"keep@c.com"}, ["ADMIN@*"], limit=10)
    assert [(p.kind, p.current["user_principal_name"], p.desired.state) for p in plans] == [
        (DELETE, "a@c.com", "absent"), (DELETE, "B@c.com", "absent")]
    assert purge_excluded(users, {"keep@c.com"}, ["ADMIN@*"]) == ["admin@c.com"]
    assert purge_excluded(users, {"admin@c.com"}, ["admin@*"]) == []  # declared: not purge's to keep


def test_nothing_undeclared_is_nothing_to_purge():
    assert purge_plans(active("a@c.com"), {"a@c.com"}, None, limit=0, max_percent=0) == []


def test_purge_is_refused_above_the_limit_naming_the_first_users():
    with pytest.raises(InputError, match=r"purge_limit.*3 users, more than purge_limit \(2\).*a@c.com, b@c.com"):
        purge_plans(active("a@c.com", "b@c.com", "c@c.com", "keep@c.com"), {"keep@c.com"}, [], limit=2)


def test_purge_is_refused_above_the_share_of_the_customers_users():
    users = active("a@c.com", "b@c.com", "keep@c.com", "also@c.com")
    assert len(purge_plans(users, {"keep@c.com", "also@c.com"}, [], limit=10, max_percent=50)) == 2
    with pytest.raises(InputError, match=r"purge_max_percent.*3 of the customer's 4 active users \(75%\)"):
        purge_plans(users, {"keep@c.com"}, [], limit=10, max_percent=50)
