# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Deciding, not doing: compare a declared user with what Partner Center reports.

``plan_user`` is a pure function.  It returns a ``Plan`` that the executor in
``_converge`` applies (or, in check mode, only reports).  The single-user and the
many-users forms of ``partnercenter_user`` both use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError

# Attributes compared with Partner Center; only those a task gives are compared.
COMPARED_FIELDS = ("first_name", "last_name", "display_name", "usage_location", "immutable_id")
CASE_INSENSITIVE_FIELDS = frozenset(["usage_location"])
REQUIRED_TO_CREATE = ("password", "display_name", "usage_location")

CREATE, UPDATE, RESTORE, DELETE, NOTHING = "create", "update", "restore", "delete", "nothing"
# What the module reports for each kind of plan.
REPORTED_ACTION = {CREATE: "created", UPDATE: "updated", RESTORE: "restored", DELETE: "deleted",
                   NOTHING: "unchanged"}
PASSWORD_MARKER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


class DesiredUser:
    """A user as a task declares it.  ``fields`` holds only the attributes the task gives."""

    def __init__(self, user_principal_name, fields=None, password=None, force_change_password=True,
                 update_password="on_create", state="present", option_prefix=""):
        self.user_principal_name = user_principal_name
        self.fields = dict((k, v) for k, v in (fields or {}).items() if v is not None)
        self.password = password
        self.force_change_password = force_change_password
        self.update_password = update_password
        self.state = state
        self.option_prefix = option_prefix  # "users[3]." in the many-users form, for error messages

    @property
    def key(self):
        return self.user_principal_name.lower()


class Plan:

    def __init__(self, kind, desired, current=None, changes=None, reset_password=False, send_password=False):
        self.kind = kind
        self.desired = desired
        self.current = current
        self.changes = changes or {}  # field -> new value
        self.reset_password = reset_password
        self.send_password = send_password

    @property
    def changed(self):
        return self.kind != NOTHING

    @property
    def action(self):
        return REPORTED_ACTION[self.kind]

    def predicted_user(self):
        """The user as Partner Center would report it after this plan; used in check mode."""
        if self.kind == CREATE:
            user = dict((k, None) for k in ("id", "first_name", "last_name", "immutable_id",
                                             "soft_deletion_time", "last_directory_sync_time"))
            user.update(self.desired.fields)
            user.update(user_principal_name=self.desired.user_principal_name, state="active",
                        user_domain_type="none")
            return user
        if self.current is None:
            return None
        user = dict(self.current)
        user.update(self.changes)
        if self.kind == RESTORE:
            user.update(state="active", soft_deletion_time=None)
        elif self.kind == DELETE:
            user.update(state="inactive")
        return user

    def diff(self):
        """``before``/``after`` holding only what changes; never a password."""
        if self.kind == NOTHING:
            return {}, {}
        if self.kind == CREATE:
            after = dict((k, v) for k, v in self.predicted_user().items() if v is not None)
            if self.send_password:
                after["password"] = PASSWORD_MARKER
            return {}, after
        before = dict((k, self.current.get(k)) for k in self.changes)
        after = dict(self.changes)
        if self.kind in (RESTORE, DELETE):
            before["state"] = self.current.get("state")
            after["state"] = "active" if self.kind == RESTORE else "inactive"
        if self.reset_password or (self.kind == RESTORE and self.send_password):
            after["password"] = PASSWORD_MARKER
        return before, after


def field_differs(field, wanted, current):
    if field in CASE_INSENSITIVE_FIELDS and isinstance(wanted, str) and isinstance(current, str):
        return wanted.upper() != current.upper()
    return wanted != current


def _changes(desired, current):
    changes = {}
    for field in COMPARED_FIELDS:
        if field in desired.fields and field_differs(field, desired.fields[field], current.get(field)):
            value = desired.fields[field]
            changes[field] = value.upper() if field in CASE_INSENSITIVE_FIELDS else value
    return changes


def needs_deleted_lookup(desired, active):
    """Deleted users are listed only for a user declared present and not active."""
    return desired.state == "present" and active is None


def plan_user(desired, active, deleted=None):
    """The plan that makes Partner Center match ``desired``.

    ``active`` is the matching active user (snake_case) or ``None``; ``deleted`` the
    matching soft-deleted user, consulted only when ``needs_deleted_lookup`` said so.
    Raises ``InputError`` when the user must be created but lacks what creation needs.
    """
    if desired.state == "absent":
        return Plan(DELETE if active else NOTHING, desired, current=active)

    if active is not None:
        changes = _changes(desired, active)
        reset = desired.update_password == "always" and desired.password is not None
        return Plan(UPDATE if (changes or reset) else NOTHING, desired, current=active, changes=changes,
                    reset_password=reset)

    if deleted is not None:
        # A soft-deleted UPN cannot be re-created while it is retained: restoring is what
        # "present" means, with any changed attributes in the same request.
        return Plan(RESTORE, desired, current=deleted, changes=_changes(desired, deleted),
                    send_password=desired.password is not None)

    missing = [name for name in REQUIRED_TO_CREATE
               if (desired.password if name == "password" else desired.fields.get(name)) is None]
    if missing:
        raise InputError(
            desired.option_prefix + missing[0],
            "user %s does not exist in the customer, and creating it needs %s"
            % (desired.user_principal_name, ", ".join(desired.option_prefix + m for m in missing)))
    return Plan(CREATE, desired, send_password=True)
