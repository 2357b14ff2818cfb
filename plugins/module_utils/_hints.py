# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What to do next, for the failures a partner meets: identity-provider codes and Partner Center answers.

The words of a refused call are put together here (``refused_call``), not in the transport: the
client hands over what came back, and the error asks ``_pc_errors`` what that means.  The authority's
own vocabulary (AADSTS codes, OAuth ``error`` values) is the table below.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_errors import GRAPH, ORIGIN as GRAPH_ORIGIN

AUTH_GUIDE = ("the authentication guide (docs/docsite/rst/guide_authentication.rst, "
              "section 'Getting the refresh token')")
CONSENT_AGAIN = ("Repeat the consent sign-in (with Entra MFA) as %s, then store the new refresh token where this run "
                 "reads it (refresh_token, PARTNERCENTER_REFRESH_TOKEN, refresh_token_file, or the AWX credential)"
                 % AUTH_GUIDE)

# Entra ID error codes (AADSTSnnnn) -> (the cause in a few words, what happened and what to do).
AUTHORITY_FAILURES = {
    "700082": ("the refresh token has expired",
               "The refresh token expired: refresh tokens die 90 days after they were issued. " + CONSENT_AGAIN
               + "; refresh_token_file keeps a rotated token alive from then on."),
    "50173": ("the refresh token was revoked",
              "The refresh token was revoked (a password change or a revoked session). " + CONSENT_AGAIN + "."),
    "9002313": ("the refresh token is malformed",
                "The refresh token is malformed (cut or pasted wrongly?), or not a refresh token. " + CONSENT_AGAIN
                + "."),
    "50078": ("a Conditional Access policy requires a new MFA sign-in",
              "A Conditional Access policy requires a new MFA sign-in. " + CONSENT_AGAIN + "."),
    "70043": ("a sign-in frequency policy expired the refresh token",
              "A Conditional Access sign-in frequency policy expired the refresh token. " + CONSENT_AGAIN + "."),
    "70008": ("the refresh token expired or was revoked",
              "The refresh token expired or was revoked. " + CONSENT_AGAIN + "."),
    "7000222": ("the client secret has expired",
                "The client secret expired. Create a new client secret for the app registration in the partner "
                "tenant and update client_secret (PARTNERCENTER_CLIENT_SECRET, or the AWX credential)."),
    "7000215": ("the client secret is wrong",
                "The client secret is wrong; a common mistake is the secret's ID instead of its Value. Copy the "
                "secret's Value from the app registration into client_secret."),
    "7000218": ("the app has no client secret", "The app needs a client secret: set client_secret "
                                                "(PARTNERCENTER_CLIENT_SECRET)."),
    "65001": ("the app is not consented in the partner tenant",
              "The app is not consented in the partner tenant. Grant admin consent for the app registration "
              "(API permission Partner Center user_impersonation), then repeat the consent sign-in."),
    "700016": ("no app with this client_id exists in the tenant",
               "No app with this client_id exists in the tenant. Check client_id and tenant_id (the partner's own "
               "tenant, where the app is registered)."),
    "90002": ("the tenant does not exist",
              "The tenant does not exist. Check tenant_id (the partner's own tenant id or domain) and authority."),
}
AUTHORITY_HINTS = dict((code, hint) for code, (cause, hint) in AUTHORITY_FAILURES.items())
_AADSTS_RE = re.compile(r"AADSTS(\d+)")

MFA_CAUSE = "the token has no MFA claim"
MFA_HINT = ("Partner Center refuses App+User calls whose token carries no MFA claim: the refresh token must come from a "
            "sign-in that used Entra MFA (not a third-party MFA provider, and not 'remember MFA on this device'). "
            + CONSENT_AGAIN + ".")
NO_CREDENTIALS_HINT = ("Give tenant_id, client_id, client_secret and refresh_token (or access_token) as options, in "
                       "module_defaults for group/csp.partnercenter.partnercenter, or through the environment "
                       "(PARTNERCENTER_TENANT_ID, PARTNERCENTER_CLIENT_ID, PARTNERCENTER_CLIENT_SECRET, "
                       "PARTNERCENTER_REFRESH_TOKEN); in AWX attach a credential of the type in "
                       "extensions/awx/credential_type_partnercenter.yml")


def authority_hint(error, description, error_codes=None):
    """What to do after the authority refused a token, or None."""
    codes = [str(c) for c in error_codes or []] + _AADSTS_RE.findall(description or "")
    for code in codes:
        if code in AUTHORITY_HINTS:
            return AUTHORITY_HINTS[code]
    if error == "invalid_grant":
        return "The refresh token was refused. " + CONSENT_AGAIN + "."
    if error == "invalid_client":
        return AUTHORITY_HINTS["7000215"]
    return None


def identity_cause(error):
    """The cause of an identity failure in a few words (where the full next step is said elsewhere), or None.

    ``error`` is a PartnerCenterError (``from_dict`` of a module's ``error`` result): Partner Center's code or
    the authority's ``error``, and its description (which carries the AADSTS code).
    """
    code = str(error.code) if error.code is not None else ""
    if error.lacks_mfa:
        return MFA_CAUSE
    for found in [code] + _AADSTS_RE.findall(error.description or ""):
        if found in AUTHORITY_FAILURES:
            return AUTHORITY_FAILURES[found][0]
    if code == "invalid_grant":
        return "the authority refused the refresh token"
    if code == "invalid_client":
        return "the authority refused the client credentials"
    if error.status == 401:
        return "Partner Center refused the access token"
    return None


def refused_call(route, status, customer_id, app_only, **facts):
    """The error for a call Partner Center answered with a refusal: its message and what to do next.

    ``route`` is the ``_routes.Route`` called, ``app_only`` whether the token was app-only; ``facts``
    the rest of what the answer said (code, description, request id, attempts).
    """
    where = " for customer %s" % customer_id if customer_id else ""
    if status == 403 and app_only:
        message = ("Partner Center refused an app-only token%s: customer user operations need App+User "
                   "authentication. Give refresh_token (secure application model) or access_token from a "
                   "user sign-in instead of only client_secret" % where)
    elif status == 401:
        message = "Partner Center refused the access token%s" % where
    else:
        message = "Partner Center refused the request%s" % where
    error = PartnerCenterError(message, status=status, method=route.method, route=route.label, **facts)
    error.hint = partner_center_hint(error, customer_id)
    if error.hint is None and error.is_denied and not app_only:
        error.hint = denied_hint(route, customer_id)
    return error


def graph_refusal(route, status, customer_id, **facts):
    """The error for a call Microsoft Graph refused in ``customer_id``: its message and what to do next.

    ``route`` is the ``_graph_routes.GraphRoute`` called; after a 403 (``Authorization_RequestDenied``) the hint
    names the operation and the GDAP roles of its row.
    """
    if status == 401:
        message = "%s refused the access token for customer %s" % (GRAPH_ORIGIN, customer_id)
    elif status == 403:
        what = route.gdap[0] if route.gdap else route.label
        message = "%s refused to %s in customer %s" % (GRAPH_ORIGIN, what, customer_id)
    else:
        message = "%s refused the request for customer %s" % (GRAPH_ORIGIN, customer_id)
    error = PartnerCenterError(message, status=status, method=route.method, route=route.label, origin=GRAPH_ORIGIN,
                               vocabulary=GRAPH, **facts)
    if error.is_denied:
        error.hint = denied_hint(route, customer_id)
    elif status == 401:
        error.hint = ("The customer-tenant token was refused although it was just issued: check that graph_url and "
                      "authority belong to the same cloud (the sovereign-cloud table of the authentication guide, "
                      "docs/docsite/rst/guide_authentication.rst)")
    return error


def partner_center_hint(error, customer_id=None):
    """What to do after Partner Center refused a call, or None."""
    if error.lacks_mfa:
        return MFA_HINT
    if customer_id and error.is_unknown_customer:
        return ("Check partnercenter customer id %s: it must be the customer's tenant id, and the partner must have a "
                "reseller relationship with that customer (partnercenter_customer_info lists them)" % customer_id)
    return None


def denied_hint(route, customer_id):
    """What to do after a 403 for ``route`` in ``customer_id`` (from its row's GDAP roles), or None."""
    if route.gdap is None:
        return None
    what, roles = route.gdap
    return ("The partner's GDAP relationship with customer %s gives the signed-in identity no admin role that may %s; "
            "one of these is needed: %s. Add one to the relationship's role assignments (for the security group of "
            "the account that consented), or renew an expired relationship; or leave out what needs it"
            % (customer_id, what, ", ".join(roles)))
