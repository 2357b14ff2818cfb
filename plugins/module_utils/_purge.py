# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The active users nobody declared: purge's delete plans (bounded by purge_limit and purge_max_percent), or, with
purge off, the list the summary shows as drift."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DesiredUser, plan_user


def _excluded(key, patterns):
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def purge_excluded(active, declared_keys, exclude_patterns):
    """The undeclared active users that ``exclude_patterns`` keep from a purge, by UPN."""
    patterns = [p.lower() for p in exclude_patterns or []]
    return [user["user_principal_name"] for key, user in sorted(active.items())
            if key not in declared_keys and _excluded(key, patterns)]


def undeclared(active, declared_keys, exclude_patterns):
    """The active users (sorted by UPN) that no declaration names (as its UPN or a previous one) and
    ``exclude_patterns`` does not keep."""
    patterns = [p.lower() for p in exclude_patterns or []]
    return [user for key, user in sorted(active.items()) if key not in declared_keys and not _excluded(key, patterns)]


def purge_plans(active, declared_keys, exclude_patterns, limit, max_percent=100):
    """Delete plans for active users nobody declared, except those matching ``exclude_patterns``.

    Refused (InputError, before any write) above ``limit`` users or ``max_percent`` of the
    customer's active users.
    """
    doomed = undeclared(active, declared_keys, exclude_patterns)
    first = ", ".join(u["user_principal_name"] for u in doomed[:5])
    if len(doomed) > limit:
        raise InputError(
            "purge_limit",
            "purge would soft-delete %d users, more than purge_limit (%d); nothing was changed. "
            "Check the declared users and purge_exclude, or raise purge_limit. First ones: %s"
            % (len(doomed), limit, first))
    if doomed and len(doomed) * 100 > max_percent * len(active):
        raise InputError(
            "purge_max_percent",
            "purge would soft-delete %d of the customer's %d active users (%d%%), more than purge_max_percent "
            "(%d%%); nothing was changed. Check the declared users, or raise purge_max_percent. First ones: %s"
            % (len(doomed), len(active), len(doomed) * 100 // len(active), max_percent, first))
    return [plan_user(DesiredUser(u["user_principal_name"], state="absent"), u) for u in doomed]
