# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Which GDAP admin roles allow which Partner Center operation, for messages after a 403.

Source: Microsoft's DAP-to-GDAP API table,
https://learn.microsoft.com/partner-center/developer/dap-api-impact (and the per-operation pages).
The collection keeps its own copy for its messages; the emulator keeps another for its answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

READ_USERS = ("read the customer's users", ("Directory Readers", "Global Reader", "User Administrator"))
READ_ROLES = ("read directory roles", ("Directory Readers", "Global Reader", "Directory Writers",
                                       "Privileged Role Administrator"))

# route name -> (what the operation does, the GDAP roles that allow it (any one))
OPERATIONS = {
    "list_users": READ_USERS,
    "list_deleted_users": READ_USERS,
    "get_user": READ_USERS,
    "create_user": ("create users", ("Directory Writers", "User Administrator")),
    "update_user": ("update users (restoring one needs User Administrator)", ("Directory Writers",
                                                                              "User Administrator")),
    "reset_password": ("reset passwords (of admins: Privileged Authentication Administrator only)",
                       ("User Administrator", "Privileged Authentication Administrator")),
    "delete_user": ("delete users", ("User Administrator",)),
    "list_subscribed_skus": ("read subscribed SKUs", ("Directory Readers", "Global Reader", "User Administrator",
                                                      "License Administrator")),
    "list_user_licenses": ("read users' licenses", ("Directory Readers", "Directory Writers", "User Administrator",
                                                    "License Administrator")),
    "update_user_licenses": ("assign or remove licenses", ("Directory Writers", "User Administrator",
                                                           "License Administrator")),
    "list_directory_roles": READ_ROLES,
    "list_user_directory_roles": READ_ROLES,
    "add_role_member": ("add directory role members", ("Privileged Role Administrator",)),
    "remove_role_member": ("remove directory role members", ("Privileged Role Administrator",)),
    "get_customer": ("read the customer", ("Directory Readers",)),
}

# Operations whose refusal may depend on the user they touch: never assumed for the next user.
PER_USER = frozenset(["reset_password"])


def denied_hint(route_name, customer_id):
    """What to do after a 403 for ``route_name`` in ``customer_id``, or None."""
    if route_name not in OPERATIONS:
        return None
    what, roles = OPERATIONS[route_name]
    return ("The partner's GDAP relationship with customer %s gives the signed-in identity no admin role that may %s; "
            "one of these is needed: %s. Add one to the relationship's role assignments (for the security group of "
            "the account that consented), or renew an expired relationship; or leave out what needs it"
            % (customer_id, what, ", ".join(roles)))
