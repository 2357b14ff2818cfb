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

from ansible_collections.csp.partnercenter.plugins.module_utils._pc_errors import PARTNER_CENTER

# The route label of a token request: a failure there (or a 401 from the API) is an identity failure.
TOKEN_ROUTE = "POST token"


# The fault of a customer-tenant token refused for missing consent (``_graph_errors.CONSENT_CODES``).
CONSENT_MISSING = "consent missing"

# What a module's ``error`` result holds.
ERROR_KEYS = ("status", "code", "description", "request_id", "method", "route", "fault")


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

    What a refusal means is asked of the error: the HTTP-level questions (``is_not_found`` ...)
    are answered here, the API's own codes and words by ``vocabulary`` (``_pc_errors`` for
    Partner Center), so callers never read a code or a description themselves.
    """

    def __init__(self, message, status=None, code=None, description=None, request_id=None,
                 method=None, route=None, fault=None, ambiguous=False, origin="Partner Center",
                 attempts=1, hint=None, vocabulary=PARTNER_CENTER):
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
        self.origin = origin  # "Partner Center", or the authority for token failures
        self.attempts = attempts
        self.hint = hint  # what to do next, when the collection knows
        self.vocabulary = vocabulary

    def derive(self, message=None, hint=None):
        """The same failure told differently: a new exception, the original left as it was."""
        return PartnerCenterError(
            message or self.message, status=self.status, code=self.code, description=self.description,
            request_id=self.request_id, method=self.method, route=self.route, fault=self.fault,
            ambiguous=self.ambiguous, origin=self.origin, attempts=self.attempts, hint=hint or self.hint,
            vocabulary=self.vocabulary)

    @classmethod
    def from_dict(cls, error, message=""):
        """The error a module's ``error`` result (``to_dict``) describes, to ask it what it means."""
        return cls(message, **dict((key, error.get(key)) for key in ERROR_KEYS))

    # -- what HTTP says --------------------------------------------------------------------

    @property
    def is_not_found(self):
        return self.status == 404

    @property
    def is_denied(self):
        """403: the signed-in identity may not do this (GDAP roles, or an app-only token)."""
        return self.status == 403

    @property
    def is_bad_request(self):
        """400: the server refused what was sent."""
        return self.status == 400

    @property
    def refused_after_resend(self):
        """A 400 for a request the retry loop sent more than once: an earlier attempt may have landed.

        Partner Center does not document how it refuses a write that is already done (a role held, a
        license gone, a user restored), so such a refusal is judged by reading the user again, never by
        its wording.  More than one attempt is a superset of the retry loop's ambiguous attempts (a 429
        or a token refresh also counts), which costs no more than that one read.
        """
        return self.status == 400 and self.attempts > 1

    @property
    def is_throttled(self):
        """429, or 503 (Graph's throttling answer too): what was left after the retry loop's budget ran out."""
        return self.status in (429, 503) or str(self.fault or "").startswith("throttled")

    @property
    def lacks_consent(self):
        """A customer-tenant token refused because the partner's app is not consented there (AADSTS65001 ...)."""
        return self.fault == CONSENT_MISSING

    @property
    def is_identity_failure(self):
        """The token request failed, or the API refused the token: the same for every customer of the run."""
        return self.route == TOKEN_ROUTE or self.status == 401

    # -- what the API's codes and words say (its vocabulary) -------------------------------

    @property
    def is_in_progress(self):
        return self.vocabulary.is_in_progress(self)

    @property
    def is_upn_conflict(self):
        return self.vocabulary.is_upn_conflict(self)

    @property
    def is_member_conflict(self):
        return self.vocabulary.is_member_conflict(self)

    @property
    def is_restore_conflict(self):
        return self.vocabulary.is_restore_conflict(self)

    @property
    def refuses_password(self):
        return self.vocabulary.refuses_password(self)

    @property
    def is_user_not_found(self):
        return self.vocabulary.is_user_not_found(self)

    @property
    def is_user_not_visible_yet(self):
        return self.vocabulary.is_user_not_visible_yet(self)

    @property
    def lacks_usage_location(self):
        return self.vocabulary.lacks_usage_location(self)

    @property
    def is_out_of_licenses(self):
        return self.vocabulary.is_out_of_licenses(self)

    @property
    def lacks_mfa(self):
        return self.vocabulary.lacks_mfa(self)

    @property
    def is_unknown_customer(self):
        return self.vocabulary.is_unknown_customer(self)

    def to_dict(self):
        """What a module returns next to ``msg`` so playbooks can branch on it."""
        return dict((key, getattr(self, key)) for key in ERROR_KEYS)

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
            details.append("%s code %s" % (self.origin, self.code) if self.origin in ("Partner Center",
                                                                                       "Microsoft Graph")
                           else "error %s" % self.code)
        if self.description and self.description not in self.message:
            details.append("description: %s" % self.description)
        if self.fault and self.fault not in self.message:
            details.append("fault: %s" % self.fault)
        if self.request_id:
            details.append("%s %s" % (self.vocabulary.request_id_name, self.request_id))
        if details:
            parts.append("(" + "; ".join(details) + ")")
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)
