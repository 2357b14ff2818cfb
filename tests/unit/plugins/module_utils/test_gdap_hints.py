# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""After a 403, the hint names the customer, what the route does and the GDAP roles that allow it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._gdap import OPERATIONS, PER_USER, denied_hint
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES

CUSTOMER = "0d2c6a1e-1111-4c1b-9e64-000000000001"


@pytest.mark.parametrize("route_name, what, roles", [
    ("create_user", "create users", "Directory Writers, User Administrator"),
    ("delete_user", "delete users", "User Administrator"),
    ("list_users", "read the customer's users", "Directory Readers, Global Reader, User Administrator"),
    ("add_role_member", "add directory role members", "Privileged Role Administrator"),
    ("reset_password", "reset passwords (of admins: Privileged Authentication Administrator only)",
     "User Administrator, Privileged Authentication Administrator"),
])
def test_the_hint_names_the_customer_the_operation_and_the_roles(route_name, what, roles):
    hint = denied_hint(route_name, CUSTOMER)
    assert "with customer %s " % CUSTOMER in hint
    assert "no admin role that may %s;" % what in hint
    assert "one of these is needed: %s." % roles in hint


@pytest.mark.parametrize("route_name", ["token", "openid_config", "no_such_route", ""])
def test_no_hint_for_a_route_gdap_does_not_govern(route_name):
    assert denied_hint(route_name, CUSTOMER) is None


def test_every_operation_is_a_route_of_the_route_table():
    assert set(OPERATIONS) <= set(ROUTES)
    assert PER_USER <= set(OPERATIONS)
    assert all(what and roles for what, roles in OPERATIONS.values())
