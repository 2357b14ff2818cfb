# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The user attributes a task may declare, in one table.

The module's argument spec, the planner (what is compared, and how) and the users API
(the JSON name Partner Center uses) all read this table; a new attribute is one row here
plus its documentation in the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Attribute:
    __slots__ = ("name", "json_name", "case_insensitive", "required_to_create", "blank_allowed")

    def __init__(self, name, json_name, case_insensitive=False, required_to_create=False, blank_allowed=False):
        self.name = name  # the option and the returned key
        self.json_name = json_name  # Partner Center's name, used only by _users
        self.case_insensitive = case_insensitive
        self.required_to_create = required_to_create
        self.blank_allowed = blank_allowed


# Compared with Partner Center when a task gives them; left alone when it does not.
USER_ATTRIBUTES = (
    Attribute("first_name", "firstName"),
    Attribute("last_name", "lastName"),
    Attribute("display_name", "displayName", required_to_create=True),
    Attribute("usage_location", "usageLocation", case_insensitive=True, required_to_create=True),
    Attribute("immutable_id", "immutableId", blank_allowed=True),
)
ATTRIBUTE_NAMES = tuple(a.name for a in USER_ATTRIBUTES)
BY_NAME = dict((a.name, a) for a in USER_ATTRIBUTES)

# Read back from Partner Center and returned, never declared.
READ_ONLY = (
    ("id", "id"),
    ("state", "state"),
    ("user_domain_type", "userDomainType"),
    ("soft_deletion_time", "softDeletionTime"),
    ("last_directory_sync_time", "lastDirectorySyncTime"),
)

# Every option that is a string a user writes for a user: never converted from another type.
STRING_OPTIONS = ("user_principal_name",) + ATTRIBUTE_NAMES + ("password",)


def attribute_options():
    """The argument spec entries of the attributes (top level and each item of ``users``)."""
    return dict((a.name, dict(type="str")) for a in USER_ATTRIBUTES)
