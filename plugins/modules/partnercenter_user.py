#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_user
short_description: Manage user accounts of a CSP customer through Partner Center
version_added: 0.1.0
description:
  - Makes a user account in a customer tenant match its declaration, through the Partner Center REST API.
  - Finds the user by user principal name (UPN), compared case-insensitively over every page of the customer's users.
  - A missing user is created (C(POST /v1/customers/{customer-tenant-id}/users)); an existing one is updated with one
    C(PATCH) that carries only the attributes that differ; a soft-deleted one is restored (with any changed attributes
    in the same request) because Partner Center keeps its UPN for 30 days; O(state=absent) soft-deletes.
  - With O(users), converges many users of one customer in one call; one listing of the customer serves them all and
    the writes run in parallel.
  - A run that changes nothing sends no write request.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  customer_id:
    description:
      - The customer's tenant id, a GUID such as V(0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11). Checked before any request
        and sent in lower case.
      - Give this or O(customer_domain), or both.
    type: str
  customer_domain:
    description:
      - The customer's primary (default) domain, for example V(contoso.onmicrosoft.com), looked up with one request
        before anything else; the task fails unless exactly one customer of the partner has it.
      - Give this or O(customer_id). M(csp.partnercenter.partnercenter_customer_info) finds customers by other means.
      - Given with O(customer_id), a check instead; before the first write the task fails, naming both, unless this
        is the primary domain of the customer O(customer_id). It reads the customer once (a create reads it anyway),
        only when there is something to write. An id pasted from another customer's file never writes to that
        customer.
    type: str
  user_principal_name:
    description:
      - The user's sign-in name, for example V(jane@contoso.onmicrosoft.com). Matched case-insensitively.
      - Its domain must be a domain of the customer tenant.
      - Exactly one of O(user_principal_name) and O(users) is required.
    type: str
    aliases: [upn]
  first_name:
    description:
      - Given name, at most 64 characters. Compared exactly; left alone when not given.
    type: str
  last_name:
    description:
      - Surname, at most 64 characters. Compared exactly; left alone when not given.
    type: str
  display_name:
    description:
      - Display name, at most 256 characters. Required to create the user. Compared exactly; left alone when not
        given.
    type: str
  usage_location:
    description:
      - Two-letter ISO 3166-1 country code, for example V(US). Required to create the user, and for licenses.
      - Compared case-insensitively; left alone when not given.
    type: str
  immutable_id:
    description:
      - The on-premises anchor of a synchronised user, at most 256 characters. Compared exactly; left alone when not
        given.
    type: str
  password:
    description:
      - The user's password. Required to create the user; used when the user is created or restored, and on every run
        with O(update_password=always).
      - Never returned, logged or shown in a diff.
    type: str
  force_change_password:
    description:
      - Whether the user must change the password at the next sign-in. Applies to whichever write sends a password.
      - With O(users), the default of every item.
    type: bool
    default: true
  update_password:
    description:
      - V(on_create) uses O(password) only when the user is created or restored.
      - V(always) resets the password through the password-reset call on every run and reports C(changed). This can
        never be idempotent, because Partner Center cannot tell whether a password matches.
      - With O(users), the default of every item.
    type: str
    choices: [on_create, always]
    default: on_create
  directory_roles:
    description:
      - The user's admin roles in the customer's directory, by name or role id, in any letter case. A name may be the
        Entra admin center's name (V(Global Administrator)) or the name the directory lists (V(Company
        Administrator)). An unknown role name fails before any write. The message suggests the nearest role name
        (V(Helpdesk Admin) gets V(Helpdesk Administrator)) and lists the customer's roles by their admin center
        names.
      - The diff and the result show a role by the name declared. Where the directory lists it under another name,
        that name follows in brackets, as in C(Global Administrator (Company Administrator)).
      - V(add) and V(remove) touch only the roles they name; V(set) makes the membership exactly the list (and
        V(set=[]) removes every role). When V(set) is given, V(add) and V(remove) are ignored.
      - The role catalogue is read once per task; a user whose roles already match costs no write.
      - A list is short for V(add), so O(directory_roles=[Helpdesk Administrator]) adds that role.
    type: dict
    suboptions:
      add:
        description: Roles the user must have.
        type: list
        elements: str
      remove:
        description: Roles the user must not have.
        type: list
        elements: str
      set:
        description: Exactly the roles the user must have.
        type: list
        elements: str
  licenses:
    description:
      - Product licenses of the user, with the same V(add), V(remove) and V(set) semantics as O(directory_roles).
      - Each item is a SKU, or a dict with C(sku) and C(disabled_plans) (service plans to switch off, by service
        name or id). A SKU is named by C(skuPartNumber) (for example V(SPE_E3)), by its product name as the portals
        show it (V(Microsoft 365 E3), refused if several of the customer's SKUs have that name), or by SKU id. An
        unknown SKU or service plan fails before any write. The message suggests the nearest part number or product
        name.
      - Licensing needs a usage location; a user without one fails before any write. Licenses of different license
        groups are sent in separate calls, as Partner Center requires.
      - The subscribed SKUs are read once per task; a user whose licenses already match costs no write.
      - A list is short for V(add), so O(licenses=[SPE_E3]) adds that license.
    type: dict
    suboptions:
      add:
        description: Licenses the user must have.
        type: list
        elements: raw
      remove:
        description: Licenses (SKU part numbers or ids) the user must not have.
        type: list
        elements: str
      set:
        description: Exactly the licenses the user must have.
        type: list
        elements: raw
  state:
    description:
      - V(present) creates, updates or restores the user.
      - V(absent) soft-deletes an active user; a missing or already deleted user is left as it is. Partner Center keeps
        a soft-deleted user for 30 days, during which V(present) restores it.
      - With O(users), the default of every item, so O(state=absent) with a list of leavers soft-deletes them all.
    type: str
    choices: [present, absent]
    default: present
  users:
    description:
      - Many users of the customer in one call, each with the per-user options above.
      - Mutually exclusive with O(user_principal_name) and the per-user options at the top level.
      - Every item is validated (unknown keys, the same UPN twice in any letter case, what creation needs) before any
        write.
    type: list
    elements: dict
    suboptions:
      user_principal_name:
        description: The user's sign-in name.
        type: str
        required: true
        aliases: [upn]
      first_name:
        description: Given name.
        type: str
      last_name:
        description: Surname.
        type: str
      display_name:
        description: Display name; required to create.
        type: str
      usage_location:
        description: Two-letter country code; required to create.
        type: str
      immutable_id:
        description: On-premises anchor.
        type: str
      password:
        description: Password; required to create.
        type: str
      force_change_password:
        description: As O(force_change_password). It defaults to the top-level value, so ansible-doc shows no default here.
        type: bool
      update_password:
        description: As O(update_password). It defaults to the top-level value, so ansible-doc shows no default here.
        type: str
        choices: [on_create, always]
      directory_roles:
        description: As O(directory_roles).
        type: dict
        suboptions:
          add:
            description: Roles the user must have.
            type: list
            elements: str
          remove:
            description: Roles the user must not have.
            type: list
            elements: str
          set:
            description: Exactly the roles the user must have.
            type: list
            elements: str
      licenses:
        description: As O(licenses).
        type: dict
        suboptions:
          add:
            description: Licenses the user must have.
            type: list
            elements: raw
          remove:
            description: Licenses the user must not have.
            type: list
            elements: str
          set:
            description: Exactly the licenses the user must have.
            type: list
            elements: raw
      state:
        description: As O(state). It defaults to the top-level value, so ansible-doc shows no default here.
        type: str
        choices: [present, absent]
  parallelism:
    description:
      - With O(users), how many writes may run at the same time. A throttled request (HTTP 429) holds every
        writer back until its C(Retry-After) has passed.
    type: int
    default: 4
  purge:
    description:
      - With O(users), soft-delete every active user of the customer that O(users) does not declare, except those
        matching O(purge_exclude).
      - Refused, before any request, unless O(users) declares at least one user present, so that an empty list (a
        misspelt variable, a failed lookup) cannot empty a customer.
    type: bool
    default: false
  purge_exclude:
    description:
      - Glob patterns (case-insensitive) of UPNs that O(purge) never deletes, for example V(admin@*).
    type: list
    elements: str
    default: []
  purge_limit:
    description:
      - The task fails, before any write, when O(purge) would delete more users than this, so that a mistyped
        variable cannot empty a tenant.
    type: int
    default: 10
  purge_max_percent:
    description:
      - The task fails, before any write, when O(purge) would delete more than this share of the customer's active
        users (declared or not). V(100) turns this guard off.
    type: int
    default: 50
extends_documentation_fragment:
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.action
attributes:
  action:
    details: On a local connection the whole task runs in the controller's worker process (see the notes).
  check_mode:
    support: full
    details: Nothing is written; the result predicts exactly what a real run would do.
  diff_mode:
    support: full
    details: The diff holds only the attributes that change; a password appears only as a placeholder.
notes:
  - Partner Center echoes passwords in its responses; the module strips them from every result.
  - A create refused because the user exists (another run created it) or whose answer was lost is settled by looking
    the user up, one listing per round shared by every waiting user, after 0, 1, 3, 7, 15 s and then every 10 s,
    for as long as O(retry_budget) allows (directory replication can keep a new user out of the listing for
    minutes). A user still not listed then fails, naming its UPN and the budget.
  - A write retried after a lost or failed answer and then refused with HTTP 400 (a license already removed, a role
    already held, a user already restored) is judged by reading the user's licenses, roles or state again, never by
    the refusal's wording. If they are as planned the write counts as done, else the task fails with that refusal.
  - In the many-users form one refusal met by several users (a GDAP 403 for every create) is explained once in
    C(msg), naming the users it applies to (the first 10 and a count); RV(failed_users) keeps one entry per user.
  - On a local connection (C(connection=local), or delegated to localhost) the action plugin of the same name runs
    the module's code inside Ansible's worker process, with no module process per task, and returns the same result
    (argument checks, C(no_log) masking, check and diff mode, warnings). With another connection, C(become) or
    C(async), when the controller's Python cannot import C(requests), or with the environment variable
    E(PARTNERCENTER_IN_PROCESS=false) on the controller, it runs as a module.
seealso:
  - module: csp.partnercenter.partnercenter_user_info
  - name: Create user accounts for a customer
    description: Partner Center REST API documentation.
    link: https://learn.microsoft.com/partner-center/developer/create-user-accounts-for-a-customer
"""

EXAMPLES = r"""
- name: Converge users with shared connection options
  module_defaults:
    group/csp.partnercenter.partnercenter:
      tenant_id: "{{ partner_tenant_id }}"
      client_id: "{{ partner_app_id }}"
      client_secret: "{{ partner_app_secret }}"
      refresh_token: "{{ partner_refresh_token }}"
  block:
    - name: Make sure Jane exists
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        user_principal_name: jane@contoso.onmicrosoft.com
        first_name: Jane
        last_name: Doe
        display_name: Jane Doe
        usage_location: US
        password: "{{ initial_password }}"

    - name: Make Jane a helpdesk administrator with an E3 license (Teams switched off)
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        user_principal_name: jane@contoso.onmicrosoft.com
        directory_roles:
          set:
            - Helpdesk Administrator
        licenses:
          add:
            - sku: SPE_E3
              disabled_plans:
                - TEAMS1

    - name: Off-board Bob (soft delete, restorable for 30 days)
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        user_principal_name: bob@contoso.onmicrosoft.com
        state: absent

    - name: Converge every user of a customer in one call, removing the undeclared ones
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        users:
          - upn: jane@contoso.onmicrosoft.com
            display_name: Jane Doe
            usage_location: US
            password: "{{ initial_password }}"
          - upn: ops@contoso.onmicrosoft.com
            display_name: Operations
            usage_location: DE
            password: "{{ initial_password }}"
        purge: true
        purge_exclude:
          - admin@*
"""

RETURN = r"""
customer_id:
  description: The customer's tenant id, given or looked up from O(customer_domain).
  returned: when the task got that far
  type: str
  sample: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
action:
  description: What was done (or, in check mode, would be done) to the user.
  returned: with O(user_principal_name)
  type: str
  sample: created
  choices: [created, updated, restored, deleted, unchanged]
user:
  description:
    - The user as Partner Center reports it after the task, never with a password.
    - In check mode, the predicted user; a user that would be created has no C(id) yet.
  returned: with O(user_principal_name)
  type: dict
  contains:
    id:
      description: The user's object id.
      type: str
      sample: 4b10bf41-ab11-40e3-8c53-cd67849b50de
    user_principal_name:
      description: Sign-in name.
      type: str
      sample: jane@contoso.onmicrosoft.com
    first_name:
      description: Given name.
      type: str
    last_name:
      description: Surname.
      type: str
    display_name:
      description: Display name.
      type: str
    usage_location:
      description: Two-letter country code.
      type: str
      sample: US
    immutable_id:
      description: On-premises anchor.
      type: str
    state:
      description: V(active), or V(inactive) for a soft-deleted user.
      type: str
      sample: active
    user_domain_type:
      description: V(none), V(managed) or V(federated).
      type: str
    soft_deletion_time:
      description: When the user was soft-deleted (UTC), or null.
      type: str
    last_directory_sync_time:
      description: Last directory synchronisation (UTC), or null.
      type: str
    directory_roles:
      description:
        - Names of the user's directory roles, when O(directory_roles) is declared. A declared role shows the
          name declared, with the directory's name in brackets where it differs. Any other role shows its admin
          center name, with the directory's name in brackets where it differs.
      type: list
      elements: str
      returned: when O(directory_roles) is given
    licenses:
      description: SKU part numbers of the user's licenses, when O(licenses) is declared.
      type: list
      elements: str
      returned: when O(licenses) is given
users:
  description: With O(users), one entry per declared user in declared order, the user's fields plus C(action).
  returned: with O(users)
  type: list
  elements: dict
  sample:
    - user_principal_name: jane@contoso.onmicrosoft.com
      id: 4b10bf41-ab11-40e3-8c53-cd67849b50de
      action: unchanged
purged:
  description: With O(users) and O(purge), the users soft-deleted (or, in check mode, to be deleted) by purge.
  returned: with O(users)
  type: list
  elements: dict
purge_excluded:
  description: With O(users) and O(purge), the undeclared users that O(purge_exclude) kept, by UPN.
  returned: with O(users)
  type: list
  elements: str
  sample: [admin@contoso.onmicrosoft.com]
summary:
  description: With O(users), how many users got each action (and how many failed).
  returned: with O(users)
  type: dict
  sample: {created: 2, updated: 0, restored: 1, deleted: 0, unchanged: 40, purged: 1, failed: 0}
failed_users:
  description: With O(users), the users whose write failed, each with the Partner Center error. The task fails if any.
  returned: failure
  type: list
  elements: dict
error:
  description: The Partner Center error that failed the task.
  returned: failure
  type: dict
  contains:
    status:
      description: HTTP status.
      type: int
    code:
      description: Partner Center error code.
      type: raw
    description:
      description: Partner Center's description of the error.
      type: str
    request_id:
      description: The C(MS-RequestId) of the failed request.
      type: str
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import USER


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(USER)


if __name__ == "__main__":
    main()
