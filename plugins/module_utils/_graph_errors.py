# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Microsoft Graph's failure vocabulary: the sibling of ``_pc_errors.PartnerCenterVocabulary``.

Graph answers a refusal with ``{"error": {"code", "message", "innerError": {"request-id", "date",
"client-request-id"}}}`` (reference partnercenter-api.md §11).  ``graph_error_details`` reads that body;
``GraphVocabulary`` answers the predicates ``PartnerCenterError`` asks (the names of ``_pc_errors.PREDICATES``)
from Graph's status and code, and from its English only where Graph has no code of its own (an existing
member: ``Request_BadRequest`` "One or more added object references already exist ...").  What HTTP says
(``is_not_found``, ``is_denied`` for 403 ``Authorization_RequestDenied``, ``is_throttled`` for 429/503 with
``Retry-After``) stays on ``PartnerCenterError``, the same for both APIs.

The authority's refusal of a customer-tenant token for missing consent is recognised here too, by its AADSTS
code (``CONSENT_CODES``), never by its wording.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.csp.partnercenter.plugins.module_utils._pc_errors import PartnerCenterVocabulary

ORIGIN = "Microsoft Graph"
RESOURCE_NOT_FOUND = "Request_ResourceNotFound"
AUTHORIZATION_DENIED = "Authorization_RequestDenied"
# Entra's codes for "the app is not consented in this tenant": 65001 (user or administrator has not consented),
# 650051 / 650052 (the app, or a resource it needs, has no service principal / permission grant in the tenant).
CONSENT_CODES = frozenset(["65001", "650051", "650052"])
_AADSTS_RE = re.compile(r"AADSTS(\d+)")


def _text(error):
    return (error.description or "").lower()


def _code(error):
    return str(error.code) if error.code is not None else ""


def graph_error_details(body):
    """(code, message, request id, date) of Graph's error body; Nones where it does not say."""
    inner = body.get("error") if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return None, None, None, None
    details = inner.get("innerError")
    if not isinstance(details, dict):
        details = inner.get("innererror")
    details = details if isinstance(details, dict) else {}
    code, message = inner.get("code"), inner.get("message")
    request_id, date = details.get("request-id"), details.get("date")
    return tuple(value if isinstance(value, str) else None for value in (code, message, request_id, date))


def aadsts_codes(error_codes=None, description=None):
    """The AADSTS codes the authority gave: its ``error_codes`` list, and any AADSTSnnnn in the description."""
    codes = [str(c) for c in error_codes or [] if isinstance(c, (int, str))]
    return codes + _AADSTS_RE.findall(description or "")


def is_consent_missing(error_codes=None, description=None):
    """A customer-tenant token refused because the partner's app is not consented there."""
    return bool(CONSENT_CODES.intersection(aadsts_codes(error_codes, description)))


class GraphVocabulary(PartnerCenterVocabulary):
    """The predicates of ``PartnerCenterVocabulary``, read from Graph's answers.

    Subclassing keeps the set of names one; every predicate Graph answers differently is defined here
    (``tests/unit/plugins/module_utils/test_graph_errors.py`` holds the table).
    """

    origin = ORIGIN
    request_id_name = "request-id"

    def is_in_progress(self, error):
        return False  # Graph has no "being processed by another request"

    def is_upn_conflict(self, error):
        """400 "Another object with the same value for property userPrincipalName already exists."."""
        return error.status == 400 and "same value for property userprincipalname" in _text(error)

    def is_member_conflict(self, error):
        """400 "One or more added object references already exist for the following modified properties: 'members'"."""
        return error.status == 400 and "added object references already exist" in _text(error)

    def is_restore_conflict(self, error):
        return False  # restores go through Partner Center

    def refuses_password(self, error):
        return False  # passwords go through Partner Center

    def is_user_not_found(self, error):
        """404 ``Request_ResourceNotFound`` on a user route."""
        return error.status == 404 and _code(error) == RESOURCE_NOT_FOUND

    def is_user_not_visible_yet(self, error):
        """A user Partner Center just created that Graph does not see yet: the same 404 (Graph is eventually
        consistent); only the caller knows the user was just created."""
        return self.is_user_not_found(error)

    def lacks_usage_location(self, error):
        return False  # licenses go through Partner Center

    def is_out_of_licenses(self, error):
        return False

    def lacks_mfa(self, error):
        return False  # Graph does not answer 900421

    def is_unknown_customer(self, error):
        return False  # the customer is the token's tenant: an unknown one fails at the token endpoint


GRAPH = GraphVocabulary()
