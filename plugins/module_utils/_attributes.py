# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The user attributes a task may declare, in one table.

Everything about an attribute is its row: the module's argument spec (``attribute_options``, top
level and each item of ``users``), its check and length limit (``Attribute.checked``, before any
request), what the planner compares and how, what creating a user needs, the keys of a returned
(or, in check mode, predicted) user, and the JSON name of the API that serves it: Partner Center's
(``PARTNER_CENTER``, read only by ``_users``) or Microsoft Graph's (``GRAPH``, read only by ``_graph_users``)
for what Partner Center's user contract does not have.  A new attribute is one row here plus its documentation, which
``tests/unit/plugins/module_utils/test_attributes.py`` holds to this table: the option and the
``users`` suboption of ``partnercenter_user`` and its ``RETURN``, the ``RETURN`` sample of
``partnercenter_user_info``, and the ``customer_users`` role's ``meta/argument_specs.yml``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    check_length, check_not_blank, check_usage_location,
)


PARTNER_CENTER, GRAPH = "partner_center", "graph"


class Attribute:
    __slots__ = ("name", "json_name", "max_length", "check", "case_insensitive", "required_to_create",
                 "blank_allowed", "api", "option_type")

    def __init__(self, name, json_name, max_length, check=None, case_insensitive=False, required_to_create=False,
                 blank_allowed=False, api=PARTNER_CENTER, option_type="str"):
        self.name = name  # the option and the returned key
        self.json_name = json_name  # the name in the JSON of the API that serves it (api)
        self.api = api  # PARTNER_CENTER or GRAPH: which API reads and writes it
        self.option_type = option_type  # "str", "bool", or "list" (of strings)
        self.max_length = max_length  # Entra ID's limit, in characters
        # check(option, value) -> the value to send, raising InputError; instead of the not-blank check
        self.check = check
        self.case_insensitive = case_insensitive
        self.required_to_create = required_to_create
        self.blank_allowed = blank_allowed

    def checked(self, option, value):
        """``value`` as it will be sent; ``InputError`` naming ``option`` for what Entra ID would refuse."""
        if self.option_type == "bool":
            return value
        if self.option_type == "list":
            return [self._checked_text("%s[%d]" % (option, position), item) for position, item in enumerate(value)]
        return self._checked_text(option, value)

    def _checked_text(self, option, value):
        if not isinstance(value, str):
            raise InputError(option, "must be a string, got %r" % (value,))
        if self.check is not None:
            value = self.check(option, value)
        elif not self.blank_allowed:
            check_not_blank(option, value)
        return check_length(option, value, self.max_length)


# Compared with Partner Center when a task gives them; left alone when it does not.
USER_ATTRIBUTES = (
    Attribute("first_name", "firstName", 64),
    Attribute("last_name", "lastName", 64),
    Attribute("display_name", "displayName", 256, required_to_create=True),
    Attribute("usage_location", "usageLocation", 2, check=check_usage_location, case_insensitive=True,
              required_to_create=True),
    Attribute("immutable_id", "immutableId", 256, blank_allowed=True),
)
ATTRIBUTE_NAMES = tuple(a.name for a in USER_ATTRIBUTES)

# What Partner Center's user contract does not have: read and written through Microsoft Graph in the customer's
# tenant (needs the partner's app consented there), only for users that declare them.  Entra ID's limits.
GRAPH_ATTRIBUTES = (
    Attribute("job_title", "jobTitle", 128, api=GRAPH),
    Attribute("department", "department", 64, api=GRAPH),
    Attribute("office_location", "officeLocation", 128, api=GRAPH),
    Attribute("company_name", "companyName", 64, api=GRAPH),
    Attribute("employee_id", "employeeId", 16, api=GRAPH),
    Attribute("mobile_phone", "mobilePhone", 64, api=GRAPH),
    Attribute("business_phones", "businessPhones", 64, api=GRAPH, option_type="list"),
    Attribute("account_enabled", "accountEnabled", None, api=GRAPH, option_type="bool"),
)
GRAPH_ATTRIBUTE_NAMES = tuple(a.name for a in GRAPH_ATTRIBUTES)

# Read back from Partner Center and returned, never declared.
READ_ONLY = (
    ("id", "id"),
    ("state", "state"),
    ("user_domain_type", "userDomainType"),
    ("soft_deletion_time", "softDeletionTime"),
    ("last_directory_sync_time", "lastDirectorySyncTime"),
)

# The keys of every user the modules return (and check mode predicts), in this order.
RETURNED_NAMES = ("user_principal_name",) + ATTRIBUTE_NAMES + tuple(name for name, _json in READ_ONLY)


def _option(attribute):
    if attribute.option_type == "list":
        return dict(type="list", elements="str")
    return dict(type=attribute.option_type)


def attribute_options():
    """The argument spec entries of the attributes (top level and each item of ``users``), both APIs'."""
    return dict((a.name, _option(a)) for a in USER_ATTRIBUTES + GRAPH_ATTRIBUTES)
