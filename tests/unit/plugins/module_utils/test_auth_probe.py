# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_auth_info's verdicts: one line for the run from the customers' statuses."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._auth_probe import run_verdict


def entry(status, customer_id="c", domain=None):
    return dict(customer_id=customer_id, status=status, **({"customer_domain": domain} if domain else {}))


def test_the_run_verdict_counts_the_ready_customers_and_names_the_others_by_status():
    assert run_verdict([entry("ready")]) == "ready for user management in 1 of 1 customer"
    assert run_verdict([entry("ready"), entry("ready")]) == "ready for user management in 2 of 2 customers"
    assert run_verdict([entry("ready"), entry("denied", "d1"), entry("not found", None, "x.example"),
                        entry("unreadable", "u1"), entry("denied", "d2")]) == (
        "ready for user management in 1 of 5 customers (not found: x.example; denied: d1, d2; unreadable: u1)")


def test_without_customers_the_verdict_says_what_to_give():
    assert run_verdict([]) == "the credential works; no customer was probed (give customer_ids or customer_domains)"
