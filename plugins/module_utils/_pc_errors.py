# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Partner Center's failure vocabulary: what its refusals mean, read from status, code and description.

Every match on a Partner Center error code or on the English of its descriptions is one named
predicate here; nothing else in the collection reads a code or a phrase.  The code asks the error
(``exc.is_upn_conflict``): ``PartnerCenterError`` passes each such question to the vocabulary of the
API that answered, so another API (Microsoft Graph, with its ``{"error": {"code", "message",
"innerError"}}`` body and codes such as ``Request_ResourceNotFound``) gets a file of this shape
with the same predicate names, and the executor does not change.

Codes and wordings: reference partnercenter-api.md, the error table (§6) and the behaviours the
docs leave open (§10).  A phrase is matched in lower case, and a predicate never needs one phrase
alone where a code says it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

USER_NOT_FOUND = "60002"  # 404 "User object Id is not found"
OUT_OF_LICENSES = "60012"  # 400 "... you've run out of licenses"
MFA_REQUIRED = "900421"  # 401: the App+User token carries no MFA claim
# 404/60003 "Tenant not found", 403 or 404/20002 "no (commerce) relationship", 400/900118 "Invalid Customer Id".
UNKNOWN_CUSTOMER = frozenset(["60003", "20002", "900118"])

# "Another object with the same value for property userPrincipalName already exists."
_CONFLICT_PROPERTY_RE = re.compile(r"same value for property '?([a-z]+)'? already exist")


def _text(error):
    return (error.description or "").lower()


def _code(error):
    return str(error.code) if error.code is not None else ""


class PartnerCenterVocabulary:
    """The predicates ``PartnerCenterError`` asks on behalf of an answer from Partner Center.

    Each takes the error (its ``status``, ``code`` and ``description``) and says yes or no.
    """

    origin = "Partner Center"
    request_id_name = "MS-RequestId"

    def is_in_progress(self, error):
        """409 "... is being processed by another request" (800060, 800064): refused before any work."""
        return error.status == 409 and ("being processed" in _text(error) or "in progress" in _text(error))

    def is_upn_conflict(self, error):
        """A create refused because a user with this UPN exists.

        A 409 that says the object "is being processed" is not that, and neither is a 400
        about another property (proxyAddresses): those are the user's failures.
        """
        named = _CONFLICT_PROPERTY_RE.search(_text(error))
        if named and named.group(1) != "userprincipalname":
            return False
        if error.status == 409:
            return not self.is_in_progress(error)
        return error.status == 400 and named is not None

    def is_member_conflict(self, error):
        """Adding a role member it already has: 409, or Graph's 400 "... already exist ... 'members'"."""
        if error.status == 409:
            return not self.is_in_progress(error)
        return error.status == 400 and "already exist" in _text(error) and "members" in _text(error)

    def is_restore_conflict(self, error):
        """A restore refused because another user holds the UPN now: Entra's "A conflicting object ..."."""
        return error.status == 400 and "conflicting object" in _text(error)

    def refuses_password(self, error):
        """A 400 about the password: where passwords go only through ``/resetpassword``, a PATCH with one."""
        return error.status == 400 and "password" in _text(error)

    def is_user_not_found(self, error):
        """The code that says the user does not exist (60002), whatever the status."""
        return _code(error) == USER_NOT_FOUND

    def is_user_not_visible_yet(self, error):
        """404 with 60002 or "user ... not found": for a user just created, the member routes do not know it yet."""
        return error.status == 404 and (self.is_user_not_found(error)
                                        or "user" in _text(error) and "not found" in _text(error))

    def lacks_usage_location(self, error):
        """400 "... invalid usage location": no usage location, or (for a new user) one not replicated yet."""
        return error.status == 400 and "usage location" in _text(error)

    def is_out_of_licenses(self, error):
        """60012: the SKU has no available unit left."""
        return _code(error) == OUT_OF_LICENSES

    def lacks_mfa(self, error):
        """401/900421: the token has no MFA claim (the code, or the code in the text of a body of another shape)."""
        return error.status == 401 and (_code(error) == MFA_REQUIRED or MFA_REQUIRED in (error.description or ""))

    def is_unknown_customer(self, error):
        """The customer id names no customer of this partner: 60003, 20002, 900118, or a 404 without a code."""
        return _code(error) in UNKNOWN_CUSTOMER or (error.status == 404 and error.code in (None, ""))


PARTNER_CENTER = PartnerCenterVocabulary()

# Every predicate, for PartnerCenterError and the table test.
PREDICATES = ("is_in_progress", "is_upn_conflict", "is_member_conflict", "is_restore_conflict", "refuses_password",
              "is_user_not_found", "is_user_not_visible_yet", "lacks_usage_location", "is_out_of_licenses",
              "lacks_mfa", "is_unknown_customer")
