# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Every Partner Center path the collection calls, in one table.

A call names its route and gives the values; ``Route.path`` checks each value (a GUID
where the API takes a GUID, ids that came back from the server included) and URL-quotes
it, so no call ever builds a path by hand and a value can never add a path segment.
The route's ``label`` ("GET /customers/{customer_id}/users") names it in errors, and its
``gdap`` what it does and the GDAP admin roles that allow it, for the message after a 403.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_PLACEHOLDER_RE = re.compile(r"{([a-z_]+)}")

# Placeholders whose values must be GUIDs; any other placeholder is quoted as one segment.
GUID_VALUES = frozenset(["customer_id", "user_id", "role_id", "application_id"])


class Route:
    """One API operation: method, path template (relative to ``/v1``), and a name."""

    def __init__(self, name, method, template, query_label=None, expected=None, idempotent=None, app_only=False,
                 gdap=None, denied_per_user=False):
        self.name = name
        # (what the operation does, the GDAP admin roles that allow it: any one), or None where GDAP has no say.
        self.gdap = gdap
        # A 403 that may depend on the user it touches (an admin's password): never assumed for the next user.
        self.denied_per_user = denied_per_user
        self.app_only = app_only  # an app-only token may call it (the customer routes); user routes need App+User
        self.method = method
        self.template = template
        self.expected = expected or _EXPECTED[method]
        # A POST that creates something must not be re-sent blindly after an ambiguous failure;
        # the others are safe to repeat (a repeated membership write answers "already done").
        self.idempotent = method != "POST" if idempotent is None else idempotent
        self.placeholders = tuple(_PLACEHOLDER_RE.findall(template))
        self.label = "%s %s%s" % (method, template, query_label or "")

    def check_value(self, name, value):
        """``value`` if it may stand for ``name`` in this route; raises before anything is sent."""
        if not isinstance(value, str) or not value:
            raise PartnerCenterError(
                "Refusing to call %s: %s is %r, not an id; nothing was sent" % (self.label, name, value),
                route=self.label, fault="invalid id")
        if name in GUID_VALUES and not GUID_RE.match(value):
            raise PartnerCenterError(
                "Refusing to call %s: %s %r is not a GUID; nothing was sent" % (self.label, name, value[:80]),
                route=self.label, fault="invalid id")
        return value

    def path(self, **values):
        """The path with every value checked and quoted.  Raises PartnerCenterError on a bad value."""
        missing = set(self.placeholders) - set(values)
        if missing:
            raise ValueError("route %s needs %s" % (self.name, ", ".join(sorted(missing))))

        def fill(match):
            name = match.group(1)
            return quote(self.check_value(name, values[name]), safe="")

        return _PLACEHOLDER_RE.sub(fill, self.template)


_EXPECTED = {"GET": (200,), "PATCH": (200,), "POST": (200, 201), "DELETE": (200, 204)}


# Which GDAP admin roles allow which operation.  Source: Microsoft's DAP-to-GDAP API table,
# https://learn.microsoft.com/partner-center/developer/dap-api-impact (and the per-operation pages).
# The collection keeps its own copy for its messages; the emulator keeps another for its answers.
READ_USERS = ("read the customer's users", ("Directory Readers", "Global Reader", "User Administrator"))
READ_ROLES = ("read directory roles", ("Directory Readers", "Global Reader", "Directory Writers",
                                       "Privileged Role Administrator"))
WRITE_ROLES = ("Privileged Role Administrator",)
# Consenting an app to Microsoft Graph's delegated permissions in the customer: Privileged Role Administrator
# (Entra's delegate-by-task: "Grant consent for ... Microsoft Graph" permissions); partners' consent tools also
# name Application Administrator and Cloud Application Administrator (enough for other APIs' permissions).
CONSENT_ROLES = ("consent the partner's app in the customer (Microsoft Graph permissions: Privileged Role "
                 "Administrator)", ("Privileged Role Administrator", "Application Administrator",
                                    "Cloud Application Administrator"))


def _table(*routes):
    return dict((r.name, r) for r in routes)


ROUTES = _table(
    Route("list_customers", "GET", "/customers", app_only=True),
    Route("search_customers", "GET", "/customers", "?filter=...", app_only=True),
    Route("get_customer", "GET", "/customers/{customer_id}", app_only=True,
          gdap=("read the customer", ("Directory Readers",))),
    Route("list_users", "GET", "/customers/{customer_id}/users", gdap=READ_USERS),
    Route("list_deleted_users", "GET", "/customers/{customer_id}/users", "?filter=UserState", gdap=READ_USERS),
    Route("get_user", "GET", "/customers/{customer_id}/users/{user_id}", gdap=READ_USERS),
    Route("create_user", "POST", "/customers/{customer_id}/users",
          gdap=("create users", ("Directory Writers", "User Administrator"))),
    Route("update_user", "PATCH", "/customers/{customer_id}/users/{user_id}",
          gdap=("update users (restoring one needs User Administrator)", ("Directory Writers", "User Administrator"))),
    Route("reset_password", "PATCH", "/customers/{customer_id}/users/{user_id}/resetpassword", denied_per_user=True,
          gdap=("reset passwords (of admins: Privileged Authentication Administrator only)",
                ("User Administrator", "Privileged Authentication Administrator"))),
    Route("delete_user", "DELETE", "/customers/{customer_id}/users/{user_id}",
          gdap=("delete users", ("User Administrator",))),
    Route("list_directory_roles", "GET", "/customers/{customer_id}/directoryroles", gdap=READ_ROLES),
    Route("list_user_directory_roles", "GET", "/customers/{customer_id}/users/{user_id}/directoryroles",
          gdap=READ_ROLES),
    Route("add_role_member", "POST", "/customers/{customer_id}/directoryroles/{role_id}/usermembers",
          idempotent=True, gdap=("add directory role members", WRITE_ROLES)),
    Route("remove_role_member", "DELETE", "/customers/{customer_id}/directoryroles/{role_id}/usermembers/{user_id}",
          gdap=("remove directory role members", WRITE_ROLES)),
    Route("list_subscribed_skus", "GET", "/customers/{customer_id}/subscribedskus",
          gdap=("read subscribed SKUs", ("Directory Readers", "Global Reader", "User Administrator",
                                         "License Administrator"))),
    Route("list_user_licenses", "GET", "/customers/{customer_id}/users/{user_id}/licenses",
          gdap=("read users' licenses", ("Directory Readers", "Directory Writers", "User Administrator",
                                         "License Administrator"))),
    Route("update_user_licenses", "POST", "/customers/{customer_id}/users/{user_id}/licenseupdates",
          idempotent=True, gdap=("assign or remove licenses", ("Directory Writers", "User Administrator",
                                                               "License Administrator"))),
    # The Control Panel Vendor API (learn.microsoft.com/partner-center/developer/control-panel-vendor-apis).  A
    # repeated consent answers 409, which means done: safe to send again.
    Route("create_application_consent", "POST", "/customers/{customer_id}/applicationconsents", idempotent=True,
          gdap=CONSENT_ROLES),
    Route("delete_application_consent", "DELETE", "/customers/{customer_id}/applicationconsents/{application_id}",
          gdap=CONSENT_ROLES),
)
