# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the emulator's profile changes in its state and request log, for tests that run under both.

The ``entra`` profile (tests/emulator/partnercenter_emulator/README.md, "Entra variants") lists a
soft-deleted user under ``<object id without dashes><UPN>``, refuses a duplicate UPN with 400
instead of 409, and takes passwords only through ``/resetpassword``.  These helpers read the
running emulator's knobs, so each assertion says exactly what the knob in force produces.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def knobs(emu):
    return emu.control.call("GET", "config")


def prefixes_deleted_upns(emu):
    return knobs(emu)["deleted_upn_style"] == "prefixed"


def duplicate_upn_status(emu):
    """The status of a create refused because the UPN is taken (409 by default, 400 under entra)."""
    return knobs(emu)["duplicate_upn_status"]


def passwords_only_by_reset(emu):
    """True when a PATCH of the user carrying ``passwordProfile`` is refused (entra)."""
    return knobs(emu)["password_reset_route"] == "resetpassword"


def deleted_form(user_id, upn):
    """The UPN Entra lists a soft-deleted user under: its object id without dashes, then the UPN."""
    return user_id.replace("-", "").lower() + upn.lower()


def known_upn(user):
    """The UPN a user of the state dump is known by (its original one while Entra prefixes it), lower case.

    A prefixed UPN must be exactly ``deleted_form`` of the original, and only a soft-deleted user has one.
    """
    listed = user["userPrincipalName"].lower()
    original = user.get("originalUserPrincipalName")
    if original is None:
        return listed
    assert user["state"] == "inactive", user
    assert listed == deleted_form(user["id"], original), user
    return original.lower()


def users_known_as(emu, customer_id, upn, state=None):
    """Every user object of the customer known by ``upn`` (in either form), optionally in ``state``.

    A soft-deleted user is checked to carry the form the emulator's ``deleted_upn_style`` gives it.
    """
    prefixed = prefixes_deleted_upns(emu)
    found = []
    for user in emu.users(customer_id, state=state):
        if known_upn(user) != upn.lower():
            continue
        if user["state"] == "inactive":
            expected = deleted_form(user["id"], upn) if prefixed else upn.lower()
            assert user["userPrincipalName"].lower() == expected, (user, "deleted_upn_style", prefixed)
        found.append(user)
    return found


def the_user(emu, customer_id, upn, state=None):
    """The one user object known by ``upn`` (see ``users_known_as``)."""
    users = users_known_as(emu, customer_id, upn, state=state)
    assert len(users) == 1, (upn, users)
    return users[0]


def by_known_upn(emu, customer_id):
    """Known UPN -> user, for a customer where each UPN names one user object."""
    users = emu.users(customer_id)
    index = dict((known_upn(u), u) for u in users)
    assert len(index) == len(users), "two user objects share a UPN: %r" % users
    return index


def restore_writes(emu, with_password):
    """The (route, status) of the writes that restore one user, under the emulator's knobs.

    By default one PATCH carries the state, the changes and the password.  Where passwords go only
    through /resetpassword, that PATCH is refused (400), the restore is sent without the password,
    and the password is reset.
    """
    if with_password and passwords_only_by_reset(emu):
        return [("update_user", 400), ("update_user", 200), ("reset_password", 200)]
    return [("update_user", 200)]
