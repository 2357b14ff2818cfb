# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Contoso test customer: seeding it, its users' UPNs, declared users, and checks of its state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from plays import PASSWORD, task
from profiles import known_upn, the_user

CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}
DOMAIN = CONTOSO["domain"]


def upn(name):
    return "%s@%s" % (name, DOMAIN)


def person(name, password=PASSWORD, **overrides):
    """One item of the many-users form (``users:``) for a user that can be created."""
    item = dict(upn=upn(name), first_name=name.capitalize(), last_name="Tester",
                display_name="%s Tester" % name.capitalize(), usage_location="US", password=password)
    item.update(overrides)
    return item


def seeded_user(name, **extra):
    """A user of the seed (``POST /_emulator/seed``) known by ``upn(name)``."""
    user = {"userPrincipalName": upn(name), "firstName": name.capitalize(), "lastName": "Tester",
            "displayName": "%s Tester" % name.capitalize(), "usageLocation": "US", "password": PASSWORD}
    user.update(extra)
    return user


def state_of(emu, cid, name):
    """The one user object known by the name's UPN, in either form once deleted (profiles.py)."""
    return the_user(emu, cid, upn(name))


def users_task(customer_id, users, name="users", **args):
    return task("partnercenter_user", name=name, customer_id=customer_id, users=list(users), **args)


def seed_contoso(emu, **extra):
    """Seed one customer; return its id with an empty request log."""
    customer_id = emu.seed([dict(CONTOSO, **extra)])[0]["id"]
    emu.clear_requests()
    return customer_id


def upn_counts(emu, customer_id):
    """Lower-case UPN -> how many user objects (active or not, visible or not) carry it.

    A soft-deleted user counts under its own UPN also where Entra lists it prefixed (profiles.known_upn).
    """
    return collections.Counter(known_upn(u) for u in emu.users(customer_id))


def assert_each_exists_once(emu, customer_id, upns):
    """Every declared UPN is one active user object, and there is no other user object for it."""
    users = emu.users(customer_id)
    counts = collections.Counter(known_upn(u) for u in users)
    wanted = [u.lower() for u in upns]
    assert {u: counts[u] for u in wanted} == {u: 1 for u in wanted}, counts
    states = {known_upn(u): u["state"] for u in users}
    assert {u: states[u] for u in wanted} == {u: "active" for u in wanted}
