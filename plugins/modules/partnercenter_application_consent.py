#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_application_consent
short_description: Consent the partner's app to Microsoft Graph in a CSP customer's tenant
version_added: 0.3.0
description:
  - Makes the partner's app (by default the connection's O(client_id)) consented in the customer's tenant to the
    Microsoft Graph delegated permissions in O(scopes), through Partner Center's Control Panel Vendor API
    (C(POST /v1/customers/{customer_id}/applicationconsents)), or removes that consent with O(state=absent)
    (C(DELETE /v1/customers/{customer_id}/applicationconsents/{application_id})).
  - Microsoft Graph calls in a customer tenant (the work details, sign-in state, sessions and groups of
    M(csp.partnercenter.partnercenter_user), O(csp.partnercenter.partnercenter_user_info#module:include), the roles
    of M(csp.partnercenter.partnercenter_auth_info)) need this consent; without it they fail before any write,
    naming this module. The role P(csp.partnercenter.customer_users#role) runs it first for every customer when
    C(partnercenter_application_consent) is true.
  - Partner Center documents no way to read a consent. The module reads it from the customer tenant itself. It
    redeems the connection's refresh token there for C({graph_url}/.default) (a token request, never cached from
    an earlier run for this). A refusal with AADSTS65001, AADSTS650051 or AADSTS650052 means no consent; a token
    means a consent, whose delegated permissions are the token's C(scp). That read writes nothing, so check mode
    predicts from it, and a run that finds the consent as declared sends nothing to Partner Center.
  - A consent that lacks a declared scope is widened by removing it and granting it again with every declared
    scope (Partner Center answers HTTP 409 to a second grant, whatever its scopes), with a warning.
  - For another app than the connection's (O(application_id)), or with credentials that cannot redeem a token in
    the customer (an app-only O(client_secret), a given O(access_token)), nothing can be read. The module then sends
    the grant (HTTP 409 means it was there, so V(ok)) or the removal (HTTP 404 means it was gone, so V(ok)), and check
    mode reports a change with a warning.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  customer_id:
    description:
      - The customer's tenant id, a GUID such as V(0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11). Checked before any request
        and sent in lower case.
      - Give this or O(customer_domain), or both (then they must name one customer before anything is written).
    type: str
  customer_domain:
    description:
      - The customer's primary domain, looked up once instead of O(customer_id); it must match exactly one customer.
    type: str
  application_id:
    description:
      - The application (client) id of the app to consent, a GUID. Defaults to the connection's O(client_id), so
        ansible-doc shows no default.
    type: str
  scopes:
    description:
      - The Microsoft Graph delegated permissions granted, one name per item. Each is what a Graph route of the
        collection needs (the Permissions section of its Graph v1.0 reference page, least privileged).
      - V(User.ReadWrite.All) to update job details, O(csp.partnercenter.partnercenter_user#module:account_enabled)
        and the manager (C(PATCH /users/{id}), C(PUT /users/{id}/manager/$ref)), and to revoke a user's sessions
        (C(POST /users/{id}/revokeSignInSessions), whose least privileged permission V(User.RevokeSessions.All) it
        includes).
      - V(GroupMember.ReadWrite.All) to read groups and their members and add or remove members
        (C(/groups/{id}/members/$ref)).
      - V(Directory.Read.All) to read a user's memberships (C(/users/{id}/memberOf)) and manager, which are
        directory objects of any type.
      - Add V(RoleManagement.ReadWrite.Directory) only to change memberships of role-assignable groups.
      - What the partner user may do there is still limited by the GDAP roles of the relationship; a consent does
        not widen them.
    type: list
    elements: str
    default: [User.ReadWrite.All, GroupMember.ReadWrite.All, Directory.Read.All]
  state:
    description:
      - V(present) grants the consent, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.action
attributes:
  action:
    details: On a local connection the whole task runs in the controller's worker process.
  check_mode:
    support: full
    details: Nothing is written; the consent is read from a customer-tenant token (see the description), so the
      result predicts what a real run would do, save for another app than the connection's.
  diff_mode:
    support: full
    details: The diff shows whether the app is consented and with which scopes, before and after.
notes:
  - GDAP roles in the customer that allow it (any one); Microsoft Graph permissions need Privileged Role
    Administrator; partners' consent tools also use Application Administrator or Cloud Application Administrator.
  - Partner Center limits these calls to 50 a second per application id; the retry loop follows its
    C(Retry-After).
seealso:
  - module: csp.partnercenter.partnercenter_user
  - module: csp.partnercenter.partnercenter_auth_info
  - name: Acquire customer consent as a Control Panel Vendor
    description: Microsoft's reference of the applicationconsents routes.
    link: https://learn.microsoft.com/partner-center/developer/control-panel-vendor-apis
  - name: Least privileged roles by task in Microsoft Entra ID
    description: The GDAP roles each Graph operation of the collection needs.
    link: https://learn.microsoft.com/entra/identity/role-based-access-control/delegate-by-task
"""

EXAMPLES = r"""
- name: Let the partner's app use Microsoft Graph in a customer (the default scopes)
  csp.partnercenter.partnercenter_application_consent:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11

- name: Also allow changing memberships of role-assignable groups
  csp.partnercenter.partnercenter_application_consent:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    scopes: [User.ReadWrite.All, GroupMember.ReadWrite.All, Directory.Read.All, RoleManagement.ReadWrite.Directory]

- name: Remove the consent when the customer leaves
  csp.partnercenter.partnercenter_application_consent:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    state: absent
"""

RETURN = r"""
customer_id:
  description: The customer's tenant id, in lower case.
  returned: always
  type: str
application_id:
  description: The consented app's id, in lower case.
  returned: always
  type: str
state:
  description: The O(state) asked for.
  returned: always
  type: str
scopes:
  description: The declared scopes (without duplicates), or V(null) with O(state=absent).
  returned: always
  type: list
  elements: str
consent:
  description: The consent after the task (in check mode, as predicted).
  returned: always
  type: dict
  contains:
    consented:
      description: Whether the app is consented in the customer; V(null) when it could not be read.
      type: bool
    scopes:
      description: Its delegated Microsoft Graph scopes as the customer's token carries them, sorted; V(null) when
        not consented or not readable.
      type: list
      elements: str
  sample: {"consented": true, "scopes": ["Directory.Read.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All"]}
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._consent import CONSENT
from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(CONSENT)


if __name__ == "__main__":
    main()
