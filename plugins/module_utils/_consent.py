# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""``partnercenter_application_consent``: the partner's app consented to Microsoft Graph in a customer tenant.

Partner Center's Control Panel Vendor API has a POST (``applicationconsents``: 201, or 409 when a consent is
there) and a DELETE, and no documented GET.  What is consented is read instead from what the customer tenant
issues: a customer-tenant token for the connection's app (``TokenProvider.for_customer``, always redeemed
afresh here: a cached one may predate a change).  Refused with AADSTS65001/650051/650052: no consent; issued:
a consent, with the delegated scopes of its ``scp`` claim.  That read sends nothing to Partner Center and
writes nothing, so check mode predicts from it, and a run that finds the consent as declared writes nothing.
For another app than the connection's (``application_id``), or credentials that cannot redeem a token there
(app-only), nothing can be read: the module sends the POST (409 means it was there) or the DELETE (404 means
it was gone), and check mode says it would, with a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.csp.partnercenter.plugins.module_utils._claims import granted_scopes
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import check_graph_url
from ansible_collections.csp.partnercenter.plugins.module_utils._customers import CustomersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import check_customer_domain, customer_by_domain
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_domain, check_guid

# Microsoft Graph's application id: the enterprise application the grants are for.
GRAPH_APPLICATION_ID = "00000003-0000-0000-c000-000000000000"
# What the collection's Graph routes need (each Graph v1.0 reference page's Permissions section):
# User.ReadWrite.All: job details, accountEnabled, the manager ($ref) and revokeSignInSessions (whose least
# privileged permission, User.RevokeSessions.All, it includes); GroupMember.ReadWrite.All: member $ref writes and
# group reads; Directory.Read.All: memberOf and the manager, which are directory objects of any type.  Role-assignable
# groups also need RoleManagement.ReadWrite.Directory (not by default).
DEFAULT_SCOPES = ("User.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.Read.All")
_SCOPE_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+\Z")


def checked_scopes(scopes):
    """The scopes as given, each checked once (a Graph delegated permission name), duplicates (any case) dropped."""
    if not scopes:
        raise InputError("scopes", "must name at least one Microsoft Graph delegated permission, such as %s"
                                   % DEFAULT_SCOPES[0])
    kept, seen = [], set()
    for position, scope in enumerate(scopes):
        if not isinstance(scope, str) or not _SCOPE_RE.match(scope.strip()):
            raise InputError("scopes[%d]" % position, "%r is not a Microsoft Graph permission name (such as %s); "
                                                      "give one name per list item" % (scope, DEFAULT_SCOPES[0]))
        if scope.strip().lower() not in seen:
            seen.add(scope.strip().lower())
            kept.append(scope.strip())
    return kept


def read_consent(context, customer_id, application_id):
    """(consented: True/False/None, its scopes or None, why unknown): from a fresh customer-tenant token."""
    params = context.params
    if application_id != (params.get("client_id") or "").lower():
        return None, None, "application_id is not the connection's client_id, whose tokens alone tell"
    graph = context.graph(customer_id)
    if not graph.token_provider.unusable:
        graph.token_provider.forget()  # a consent given or removed a moment ago: never a cached token
    consented, claims, _why = graph.consent()
    if consented is None:
        return None, None, "these credentials cannot redeem a token in the customer tenant"
    return consented, granted_scopes(claims) if consented else None, None


def _lacking(wanted, held):
    held_lower = set(s.lower() for s in held or [])
    return [s for s in wanted if s.lower() not in held_lower]


def run_consent(context):
    params = context.params
    client_id = params.get("client_id")
    application_id = params["application_id"] or client_id
    if not application_id:
        raise InputError("application_id", "is required when the connection has no client_id")
    application_id = check_guid("application_id", application_id)
    present = params["state"] == "present"
    scopes = checked_scopes(params["scopes"])
    check_graph_url(params)
    domain = params["customer_domain"]
    if domain is not None:
        check_domain("customer_domain", domain)
    client = context.client()
    # customer_id: checked by _task.check_inputs; else the one customer whose primary domain this is.
    customer_id = params["customer_id"] or customer_by_domain(CustomersAPI(client), domain)
    consented, held, unknown = read_consent(context, customer_id, application_id)
    lacking = _lacking(scopes, held) if consented else list(scopes)
    if unknown:
        context.warn("Whether customer %s has consented application %s could not be read (%s): %s"
                     % (customer_id, application_id, unknown,
                        "check mode assumes it would change" if context.check_mode else
                        "the module sent the request, and Partner Center's answer told"))
    before = dict(consented=consented, scopes=held)
    if present:
        changed = consented is not True or bool(lacking)
        after = dict(consented=True, scopes=sorted(set(held or []) | set(scopes), key=str.lower)
                     if consented else sorted(scopes, key=str.lower))
    else:
        changed = consented is not False
        after = dict(consented=False, scopes=None)
    result = dict(customer_id=customer_id, application_id=application_id, state=params["state"],
                  scopes=sorted(scopes, key=str.lower) if present else None)
    if changed and params["customer_id"] and domain is not None:
        check_customer_domain(CustomersAPI(client), customer_id, domain)  # both must name one customer
    if changed and not context.check_mode:
        changed = _apply(context, client, customer_id, application_id, present, scopes, consented, lacking)
        if consented is None:  # Partner Center's answer told: there now (201, 409) or gone (204, 404)
            after = dict(consented=present, scopes=after["scopes"] if present and changed else None)
    result.update(consent=after if changed or consented is None else before, changed=changed,
                  diff=dict(before=before, after=after if changed else before))
    return result


def _apply(context, client, customer_id, application_id, present, scopes, consented, lacking):
    """Send what makes it so; True when Partner Center says it changed something."""
    values = {"customer_id": customer_id}
    if consented and present and lacking:
        # A consent answers 409 to another POST whatever its scopes: widening it is a DELETE and a POST.
        _delete(client, customer_id, application_id)
        context.warn("The consent of application %s in customer %s lacked %s: it was removed and granted again "
                     "with every declared scope" % (application_id, customer_id, ", ".join(lacking)))
    if present:
        body = {"applicationId": application_id,
                "applicationGrants": [{"enterpriseApplicationId": GRAPH_APPLICATION_ID, "scope": ",".join(scopes)}]}
        try:
            client.call("create_application_consent", values, body=body)
            changed = True
        except PartnerCenterError as exc:
            if exc.status != 409 or exc.is_in_progress:
                raise
            changed = bool(consented and lacking)  # already there: done
    else:
        changed = _delete(client, customer_id, application_id)
    _forget_customer_token(context, customer_id, application_id)
    return changed


def _delete(client, customer_id, application_id):
    try:
        client.call("delete_application_consent", {"customer_id": customer_id, "application_id": application_id})
    except PartnerCenterError as exc:
        # 404: already gone; but not a 404 whose code says the customer is unknown (60003, 20002).
        if exc.is_not_found and not (exc.is_unknown_customer and exc.code not in (None, "")):
            return False
        raise
    return True


def _forget_customer_token(context, customer_id, application_id):
    """After a change, the cached customer-tenant token (and its scopes) is stale: the next task redeems anew."""
    if application_id == (context.params.get("client_id") or "").lower():
        tokens = context.graph(customer_id).token_provider
        if not tokens.unusable:
            tokens.forget()


CONSENT = ModuleTask("partnercenter_application_consent", dict(
    customer_id=dict(type="str"),
    customer_domain=dict(type="str"),
    application_id=dict(type="str"),
    scopes=dict(type="list", elements="str", default=list(DEFAULT_SCOPES)),
    state=dict(type="str", choices=["present", "absent"], default="present"),
), run_consent, rules=dict(required_one_of=[("customer_id", "customer_domain")]))
