# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""After a 403, the hint names the customer, what the route does and the GDAP roles of its route row."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._hints import denied_hint
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
    hint = denied_hint(ROUTES[route_name], CUSTOMER)
    assert "with customer %s " % CUSTOMER in hint
    assert "no admin role that may %s;" % what in hint
    assert "one of these is needed: %s." % roles in hint


def test_no_hint_for_a_route_gdap_does_not_govern():
    ungoverned = [route for route in ROUTES.values() if route.gdap is None]
    assert ungoverned, "the route table has routes GDAP does not govern (the customer listing)"
    assert all(denied_hint(route, CUSTOMER) is None for route in ungoverned)


def test_every_customer_user_route_says_what_it_does_and_which_roles_allow_it():
    governed = [route for route in ROUTES.values() if "/users" in route.template]
    assert governed and all(route.gdap for route in governed), [r.name for r in governed if not r.gdap]
    assert all(what and roles for what, roles in (route.gdap for route in governed))
    assert all(not route.denied_per_user or route.gdap for route in ROUTES.values())
