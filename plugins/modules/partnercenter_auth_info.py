#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_auth_info
short_description: Check the Partner Center credential before anything else
version_added: 0.2.0
description:
  - Gets an access token with the connection options, as every other module would, and reports what it says without
    any secret - the tenant, the signed-in user, whether the token carries the MFA claim Partner Center requires for
    App+User calls, its expiry and scope - and whether a rotated refresh token was stored in O(refresh_token_file).
  - With O(customer_ids), probes each customer with read calls only (users, subscribed SKUs, directory roles) and says
    which operations this identity may perform there; what read calls cannot tell (whether creates, deletes or role
    changes are allowed) is reported as V(unknown), with the GDAP roles that would allow it.
  - With O(graph=true), also redeems a Microsoft Graph token in each customer's tenant (one token request per
    customer, no Graph call). Its C(wids) claim lists the directory roles the signed-in partner user holds there
    through GDAP, so every operation is reported V(allowed) or V(denied) by those roles (V(allowed) when one of the
    roles that allow it is held), the Graph operations included. A customer where the app is not consented says
    so in C(graph.consented), and its operations stay as without O(graph);
    M(csp.partnercenter.partnercenter_application_consent) grants the consent.
  - Writes nothing in Partner Center. The one thing it may write is the rotated refresh token into
    O(refresh_token_file), in check mode too, because the old token is never extended.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  customer_ids:
    description:
      - Customer tenant ids (GUIDs) to probe.
    type: list
    elements: str
    default: []
  graph:
    description:
      - Whether to read each customer's GDAP roles from a Microsoft Graph token of its tenant (see the description).
    type: bool
    default: false
    version_added: 0.3.0
extends_documentation_fragment:
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
attributes:
  check_mode:
    support: full
    details: It only reads; it may still store the rotated refresh token in O(refresh_token_file).
  diff_mode:
    support: N/A
    details: This module changes nothing in Partner Center.
seealso:
  - module: csp.partnercenter.partnercenter_user
"""

EXAMPLES = r"""
- name: Is the credential good, and what may it do in these customers?
  csp.partnercenter.partnercenter_auth_info:
    customer_ids:
      - 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
  register: auth

- name: Stop before converging anything when MFA is missing
  ansible.builtin.assert:
    that: auth.identity.mfa
    fail_msg: The refresh token comes from a sign-in without MFA; repeat the consent sign-in with MFA.
"""

RETURN = r"""
identity:
  description: What the access token says.
  returned: always
  type: dict
  contains:
    kind:
      description: V(app+user) or V(app-only); null for an opaque token.
      type: str
    tenant_id:
      description: The partner tenant the token was issued in.
      type: str
    user:
      description: The signed-in user (UPN) of an App+User token.
      type: str
    mfa:
      description: Whether the token carries the MFA claim (C(amr) holds C(mfa)).
      type: bool
    scope:
      description: The delegated scope, normally C(user_impersonation).
      type: str
    expires:
      description: When the access token expires (UTC).
      type: str
    application_id:
      description: The app registration the token was issued to.
      type: str
    token_format:
      description: V(jwt), or V(opaque) when the token's claims cannot be read.
      type: str
    token_source:
      description: V(authority) (a token request was made), V(cache) (the token cache had one), or V(given)
        (O(access_token)).
      type: str
refresh_token_rotation:
  description: With O(refresh_token_file), whether the token request returned a new refresh token and it was stored.
  returned: always
  type: dict
  contains:
    stored:
      description: Whether the file now holds the rotated refresh token (V(true) only after it was written).
      type: bool
    path:
      description: The file, or the target of O(refresh_token_file) when it is a symbolic link (the file written).
      type: str
    problem:
      description: Why nothing was stored, for example that the file could not be replaced or that the authority
        returned no new refresh token.
      type: str
customers:
  description: One entry per O(customer_ids) item.
  returned: always
  type: list
  elements: dict
  contains:
    customer_id:
      description: The customer.
      type: str
    operations:
      description: Operation name to V(allowed), V(denied) or V(unknown) (read calls cannot tell).
      type: dict
    needs:
      description: For each operation that is not V(allowed), the GDAP roles that would allow it (any one).
      type: dict
    errors:
      description: Operation name to the Partner Center error of a probe that failed for another reason than 403.
      type: dict
    graph:
      description: With O(graph=true), what the customer tenant's Microsoft Graph token says. With O(graph=true),
        C(operations) also holds V(update_user_details), V(revoke_sessions) and V(change_group_memberships).
      returned: with O(graph=true)
      type: dict
      contains:
        consented:
          description: Whether the app is consented there (V(null) when that could not be told, see C(error)).
          type: bool
        roles:
          description: The directory roles the partner user holds in the customer (the token's C(wids), by the
            Entra admin center's names; an unknown template id as it is), sorted.
          type: list
          elements: str
        mfa:
          description: Whether the token carries the MFA claim.
          type: bool
        scopes:
          description: The consented Microsoft Graph delegated permissions (the token's C(scp)), sorted.
          type: list
          elements: str
        error:
          description: Why no token was had (missing consent names the module that grants it), else V(null).
          type: str
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._info_tasks import AUTH_INFO
from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(AUTH_INFO)


if __name__ == "__main__":
    main()
