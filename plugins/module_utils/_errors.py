# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The two exception types of the collection.

``PartnerCenterError`` is raised by the HTTP client for every failure of a call to
Partner Center or the identity provider; ``InputError`` is raised by validation before
any request is made.  Modules turn both into a failed result in one place
(``_task.run_task``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# "Another object with the same value for property userPrincipalName already exists."
_CONFLICT_PROPERTY_RE = re.compile(r"same value for property '?([a-z]+)'? already exist")


class InputError(ValueError):
    """A task option is invalid.  Raised before any request is sent.

    ``option`` is the option's path (``users[3].usage_location``), ``str()`` the whole message;
    ``text`` replaces that message when the caller knows a better way to name the option.
    """

    def __init__(self, option, message, text=None):
        self.option = option
        self.reason = message
        super(InputError, self).__init__(text or ("%s: %s" % (option, message) if option else message))


class PartnerCenterError(Exception):
    """A failed call to Partner Center (or to the token endpoint).

    ``status`` is the HTTP status (``None`` when no response arrived), ``code`` and
    ``description`` come from the error body (already scrubbed of secrets and bounded),
    ``request_id`` is the ``MS-RequestId`` of the failed request, ``fault`` names a
    transport failure (``timeout``, ``connection error``, ``throttled`` ...), ``attempts``
    how many times the request was sent.  ``ambiguous`` is true when a write may or may
    not have been applied.  Built once by the client with everything it carries.
    """

    def __init__(self, message, status=None, code=None, description=None, request_id=None,
                 method=None, route=None, fault=None, ambiguous=False, retry_after=None, origin="Partner Center",
                 attempts=1, hint=None):
        super(PartnerCenterError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.description = description
        self.request_id = request_id
        self.method = method
        self.route = route
        self.fault = fault
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.origin = origin  # "Partner Center", or the authority for token failures
        self.attempts = attempts
        self.hint = hint  # what to do next, when the collection knows

    def derive(self, message=None, hint=None):
        """The same failure told differently: a new exception, the original left as it was."""
        return PartnerCenterError(
            message or self.message, status=self.status, code=self.code, description=self.description,
            request_id=self.request_id, method=self.method, route=self.route, fault=self.fault,
            ambiguous=self.ambiguous, retry_after=self.retry_after, origin=self.origin, attempts=self.attempts,
            hint=hint or self.hint)

    @property
    def _text(self):
        return (self.description or "").lower()

    @property
    def is_upn_conflict(self):
        """Partner Center refused a create because a user with this UPN exists.

        A 409 that says the object "is being processed" is not that, and neither is a 400
        about another property (proxyAddresses): those are the user's failures.
        """
        named = _CONFLICT_PROPERTY_RE.search(self._text)
        if named and named.group(1) != "userprincipalname":
            return False
        if self.status == 409:
            return not self.is_in_progress
        return self.status == 400 and named is not None

    @property
    def is_member_conflict(self):
        """Adding a role member it already has: 409, or Graph's 400 "... already exist ... 'members'"."""
        if self.status == 409:
            return not self.is_in_progress
        return self.status == 400 and "already exist" in self._text and "members" in self._text

    @property
    def is_in_progress(self):
        return self.status == 409 and ("being processed" in self._text or "in progress" in self._text)

    @property
    def is_not_found(self):
        return self.status == 404

    def to_dict(self):
        """What a module returns next to ``msg`` so playbooks can branch on it."""
        return {
            "status": self.status,
            "code": self.code,
            "description": self.description,
            "request_id": self.request_id,
            "method": self.method,
            "route": self.route,
            "fault": self.fault,
        }

    def __str__(self):
        return self.full_message()

    def full_message(self):
        parts = [self.message]
        details = []
        if self.route:
            # Routes are written "GET /customers/..."; name the method only when the route does not.
            starts_with_method = self.method and self.route.startswith(self.method + " ")
            details.append(self.route if starts_with_method or not self.method else "%s %s" % (self.method, self.route))
        if self.status is not None:
            details.append("HTTP %s" % self.status)
        if self.code is not None:
            details.append("%s code %s" % (self.origin, self.code) if self.origin == "Partner Center"
                           else "error %s" % self.code)
        if self.description and self.description not in self.message:
            details.append("description: %s" % self.description)
        if self.fault and self.fault not in self.message:
            details.append("fault: %s" % self.fault)
        if self.request_id:
            details.append("MS-RequestId %s" % self.request_id)
        if details:
            parts.append("(" + "; ".join(details) + ")")
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)
