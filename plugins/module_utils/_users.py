# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Customer users in Partner Center: paths, JSON field names, and the snake_case view."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

# snake_case option/return name -> Partner Center JSON name, for the fields a task may set.
WRITABLE_FIELDS = (
    ("user_principal_name", "userPrincipalName"),
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("display_name", "displayName"),
    ("usage_location", "usageLocation"),
    ("immutable_id", "immutableId"),
)
WRITABLE_JSON = dict(WRITABLE_FIELDS)

# What a module returns for a user.  passwordProfile is deliberately absent: Partner
# Center echoes the password in create and PATCH responses.
RETURNED_FIELDS = WRITABLE_FIELDS + (
    ("id", "id"),
    ("state", "state"),
    ("user_domain_type", "userDomainType"),
    ("soft_deletion_time", "softDeletionTime"),
    ("last_directory_sync_time", "lastDirectorySyncTime"),
)

# The documented filter is UserState; the doc's own response link and an older Microsoft
# module use UserStatus, so that name is the fallback.
DELETED_FILTER_FIELDS = ("UserState", "UserStatus")


def deleted_filter(field):
    return json.dumps({"Field": field, "Value": "Inactive", "Operator": "equals"}, separators=(",", ":"))


def to_snake(user):
    """The collection's view of a Partner Center user: snake_case, no password, no links."""
    if user is None:
        return None
    result = dict((snake, user.get(camel)) for snake, camel in RETURNED_FIELDS)
    if isinstance(result.get("state"), str):
        result["state"] = result["state"].lower()
    return result


def _password_profile(password, force_change):
    return {"password": password, "forceChangePassword": bool(force_change)}


class UsersAPI:
    """The users of one customer tenant."""

    def __init__(self, client, customer_id):
        self.client = client
        self.customer_id = customer_id
        self.base = "/customers/%s/users" % customer_id
        self._deleted_filter_field = None
        self._reset_route = None

    def _path(self, user_id=None, suffix=None):
        path = self.base
        if user_id:
            path += "/" + user_id
        if suffix:
            path += "/" + suffix
        return path

    def list_active(self):
        """Every active user, in snake_case, from every page."""
        for user in self.client.iterate(self.base, route="GET /customers/{customer_id}/users"):
            yield to_snake(user)

    def list_deleted(self):
        """Every soft-deleted user (state inactive), from every page."""
        fields = [self._deleted_filter_field] if self._deleted_filter_field else list(DELETED_FILTER_FIELDS)
        for position, field in enumerate(fields):
            try:
                users = [to_snake(u) for u in self.client.iterate(
                    self.base, route="GET /customers/{customer_id}/users?filter=%s" % field,
                    params={"filter": deleted_filter(field)})]
            except PartnerCenterError as exc:
                if exc.status == 400 and position + 1 < len(fields):
                    continue  # this service does not know that filter name; try the other
                raise
            self._deleted_filter_field = field
            return users
        return []

    def create(self, fields, password, force_change):
        body = dict((WRITABLE_JSON[k], v) for k, v in fields.items() if v is not None)
        body["passwordProfile"] = _password_profile(password, force_change)
        body["attributes"] = {"objectType": "CustomerUser"}
        user = self.client.request("POST", self.base, route="POST /customers/{customer_id}/users",
                                   body=body, expected=(200, 201))
        return to_snake(user)

    def update(self, user_id, fields, restore=False, password=None, force_change=True):
        """One PATCH with only ``fields``; ``restore`` adds ``state: active`` to the same body."""
        body = dict((WRITABLE_JSON[k], v) for k, v in fields.items())
        if restore:
            body["state"] = "active"
        if password is not None:
            body["passwordProfile"] = _password_profile(password, force_change)
        body["attributes"] = {"objectType": "CustomerUser"}
        user = self.client.request("PATCH", self._path(user_id),
                                   route="PATCH /customers/{customer_id}/users/{user_id}", body=body)
        return to_snake(user)

    def reset_password(self, user_id, password, force_change):
        """Reset through ``/resetpassword`` (current docs); fall back to PATCH on the user (2021 docs)."""
        body = {"passwordProfile": _password_profile(password, force_change),
                "attributes": {"objectType": "CustomerUser"}}
        if self._reset_route != "user":
            try:
                user = self.client.request(
                    "PATCH", self._path(user_id, "resetpassword"),
                    route="PATCH /customers/{customer_id}/users/{user_id}/resetpassword", body=body)
                self._reset_route = "resetpassword"
                return to_snake(user)
            except PartnerCenterError as exc:
                route_missing = exc.status in (404, 405) and str(exc.code) != "60002"
                if not route_missing or self._reset_route == "resetpassword":
                    raise
                self._reset_route = "user"
        user = self.client.request("PATCH", self._path(user_id),
                                   route="PATCH /customers/{customer_id}/users/{user_id}", body=body)
        return to_snake(user)

    def delete(self, user_id):
        self.client.request("DELETE", self._path(user_id),
                            route="DELETE /customers/{customer_id}/users/{user_id}", expected=(200, 204))
