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
  job_title:
    description:
      - Job title, at most 128 characters. Compared exactly; left alone when not given.
      - Set through Microsoft Graph in the customer's tenant, like every option down to O(groups); a task that gives
        none of them sends no Graph request and needs no consent (see the notes).
    type: str
  department:
    description:
      - Department, at most 64 characters. Compared exactly; left alone when not given. Through Microsoft Graph.
    type: str
  office_location:
    description:
      - Office location, at most 128 characters. Compared exactly; left alone when not given. Through Microsoft Graph.
    type: str
  company_name:
    description:
      - Company name, at most 64 characters. Compared exactly; left alone when not given. Through Microsoft Graph.
    type: str
  employee_id:
    description:
      - Employee id, at most 16 characters. Compared exactly; left alone when not given. Through Microsoft Graph.
    type: str
  mobile_phone:
    description:
      - Mobile phone number, at most 64 characters. Compared exactly; left alone when not given. Through Microsoft
        Graph.
    type: str
  business_phones:
    description:
      - Business phone numbers (Entra ID keeps one), each at most 64 characters. Compared exactly, as a list; left
        alone when not given. Through Microsoft Graph.
    type: list
    elements: str
  account_enabled:
    description:
      - V(false) blocks the user's sign-in, V(true) allows it. Compared exactly; left alone when not given. Through
        Microsoft Graph.
      - A run that blocks sign-in also revokes the user's sign-in sessions, once (a rerun finds it blocked and
        revokes nothing).
    type: bool
  manager:
    description:
      - The user's manager, by UPN; a user of the same customer, or one declared present in the same task (created in
        the same run, before the manager is set). An unknown UPN fails before any write. An empty string removes the
        manager.
      - Compared case-insensitively; left alone when not given. Through Microsoft Graph.
    type: str
  revoke_sessions:
    description:
      - V(true) revokes the user's sign-in sessions (refresh tokens and session cookies) in this run, reported as a
        change whenever it is sent; check mode says it would. Through Microsoft Graph.
    type: bool
  groups:
    description:
      - The user's direct group memberships, by display name (compared case-insensitively) or object id. Through
        Microsoft Graph.
      - V(add) and V(remove) touch only the groups they name; V(set) makes the direct memberships exactly the list
        (V(set=[]) removes every one Graph can change, and warns about the others). When V(set) is given, V(add)
        and V(remove) are ignored. A list is short for V(add).
      - Refused before any write, naming the group and why, when a name matches no group or several, or Graph cannot
        change the group's members (dynamic membership, synchronised from on-premises, a distribution list or
        mail-enabled security group, or a role-assignable group without Privileged Role Administrator in the
        partner's GDAP roles there).
    type: dict
    suboptions:
      add:
        description: Groups the user must be a direct member of.
        type: list
        elements: str
      remove:
        description: Groups the user must not be a direct member of.
        type: list
        elements: str
      set:
        description: Exactly the groups the user must be a direct member of.
        type: list
        elements: str
  state:
    description:
      - V(present) creates, updates or restores the user.
      - V(absent) soft-deletes an active user; a missing or already deleted user is left as it is. Partner Center keeps
        a soft-deleted user for 30 days, during which V(present) restores it.
      - V(offboarded) keeps the account (so its mail can be handled and it can be re-activated) and takes its access
        away - through Partner Center every directory role and every license removed and the password replaced by
        a random one that is never output; through Microsoft Graph (unless O(offboard_with_graph=false)) sign-in
        blocked, its sessions revoked once, and its direct group memberships removed (groups Graph cannot change are
        left, with a warning). A user that holds no role, no license and no group and cannot sign in is offboarded
        already (a rerun writes nothing). The result (C(offboarding) of the user's entry), the diff and the
        C(report) callback record what was removed (roles, SKUs with their disabled plans, groups) as a declaration
        to paste back as the user's entry to re-activate it (its C(reactivate)). Other keys of the entry are
        ignored while it is offboarded.
      - With O(users), the default of every item, so O(state=absent) with a list of leavers soft-deletes them all.
    type: str
    choices: [present, absent, offboarded]
    default: present
  previous_user_principal_names:
    description:
      - The user's earlier sign-in names, for a rename (a marriage, a new domain). When O(user_principal_name) does
        not exist and one of these does, that user is renamed in place with one C(PATCH) of its
        C(userPrincipalName) through Partner Center (its audit log records C(update_customer_user_principal_name)),
        keeping its id, mailbox, roles, licenses and groups; check and diff mode say "would rename".
      - O(purge) never deletes a user named here, and they are not reported as undeclared.
      - Refused before any write when two of them exist, when both the new and an old name exist (two accounts), or
        when a soft-deleted user holds the new name.
      - Ignored once the rename is done; keep them as long as the previous names might come back (a restored backup).
    type: list
    elements: str
  allow_privileged:
    description:
      - Deleting, offboarding, renaming or resetting the password of a user who holds a privileged directory role
        (one Microsoft labels PRIVILEGED, Global Administrator first; the table is in the collection's
        C(_role_names.PRIVILEGED_ROLES)) is refused for that user, before anything is sent for it and in check
        mode too, unless this is V(true) (not set is V(false)).
      - A purge never deletes such a user; declare it O(state=absent) with O(allow_privileged=true) to delete it.
    type: bool
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
      job_title:
        description: Job title, through Microsoft Graph.
        type: str
      department:
        description: Department, through Microsoft Graph.
        type: str
      office_location:
        description: Office location, through Microsoft Graph.
        type: str
      company_name:
        description: Company name, through Microsoft Graph.
        type: str
      employee_id:
        description: Employee id, through Microsoft Graph.
        type: str
      mobile_phone:
        description: Mobile phone number, through Microsoft Graph.
        type: str
      business_phones:
        description: Business phone numbers, through Microsoft Graph.
        type: list
        elements: str
      account_enabled:
        description: V(false) blocks sign-in (and revokes the sessions once), through Microsoft Graph.
        type: bool
      manager:
        description: The manager's UPN (a user of the customer, or declared in the same task); an empty string for none.
        type: str
      revoke_sessions:
        description: V(true) revokes the user's sign-in sessions in this run, through Microsoft Graph.
        type: bool
      groups:
        description: Direct group memberships by display name or object id, with V(add), V(remove) and V(set) lists, through Microsoft Graph.
        type: dict
        suboptions:
          add:
            description: Groups the user must be a direct member of.
            type: list
            elements: str
          remove:
            description: Groups the user must not be a direct member of.
            type: list
            elements: str
          set:
            description: Exactly the groups the user must be a direct member of.
            type: list
            elements: str
      state:
        description: As O(state). It defaults to the top-level value, so ansible-doc shows no default here.
        type: str
        choices: [present, absent, offboarded]
      previous_user_principal_names:
        description: As O(previous_user_principal_names).
        type: list
        elements: str
      allow_privileged:
        description: As O(allow_privileged).
        type: bool
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
  mass_change_limit:
    description:
      - The task fails, before any write and in check mode too, when it would delete (declared absent or by
        O(purge)), offboard or rename more users of the customer than this. The message names the counts and the
        first users; raise it for a mass change that is meant.
      - The default, 10, lets a weekly HR run through (a few leavers and name changes per customer) and stops a
        wrong variable, a truncated HR export or a mistyped state before it takes more than a team away. It is
        purge_limit's default too.
    type: int
    default: 10
  offboard_with_graph:
    description:
      - Whether O(state=offboarded) also blocks sign-in, revokes the sessions and removes the group memberships
        through Microsoft Graph, which needs the partner's application consented in the customer
        (M(csp.partnercenter.partnercenter_application_consent)); without it the task fails before any write,
        naming that module.
      - V(false) offboards through Partner Center only (roles, licenses, password). The user can then still sign in
        with sessions it already has, until they expire; use it only where Graph is not consented yet.
    type: bool
    default: true
  fail_on_undeclared:
    description:
      - With O(users) and O(purge=false), fail the task when the customer has active users that no item declares
        (by its UPN or a previous one) and O(purge_exclude) does not match. The declared users are converged first.
      - Either way the result's C(undeclared_users) and C(summary.undeclared) list them, so "I deleted the entry"
        shows as drift.
    type: bool
    default: false
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
    details:
      - The diff holds only the attributes that change; a password appears only as a placeholder.
      - Graph's changes too, under the option's name (C(manager) as UPNs, C(groups) as display names before and
        after), and C(sessions_revoked) after a revocation.
notes:
  - The options from O(job_title) to O(groups) go through Microsoft Graph in the customer's tenant, with a token for
    that tenant (the same app and refresh token, cached like the others) and the partner's GDAP roles there. Only users
    that declare one cost Graph requests; a converged customer costs one Graph user listing, one look-up and (for
    V(add) and V(remove)) one member listing per declared group, and with V(groups.set) each such user's direct
    memberships. The partner's app must be consented in the customer first
    (M(csp.partnercenter.partnercenter_application_consent)); without it the task fails before any write, naming
    that module.
  - Graph's writes of a user come after its Partner Center writes, users in parallel. A user Partner Center just
    created (or a manager created in the same task) that Graph does not see yet is waited for within O(retry_budget).
    A member already there or already gone counts as done. A refusal (HTTP 403) names the customer, the operation
    and the GDAP roles that allow it; the user's other Graph steps are still tried.
  - Partner Center echoes passwords in its responses; the module strips them from every result.
  - O(state=offboarded) does through Partner Center what Partner Center can (roles, licenses, password), then
    through Microsoft Graph what only Graph can (sign-in, sessions, groups); a refused Graph step fails the user
    after its Partner Center writes, and a rerun finishes it.
  - Guard-rails run on the whole plan before the first write, in this order - O(previous_user_principal_names)
    ambiguity, O(purge_limit) and O(purge_max_percent), O(allow_privileged), then O(mass_change_limit).
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

    - name: Onboard Ada with her job, a manager created in the same run and two groups (Microsoft Graph)
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        users:
          - upn: grace@contoso.onmicrosoft.com
            display_name: Grace Hopper
            usage_location: US
            password: "{{ initial_password }}"
          - upn: ada@contoso.onmicrosoft.com
            display_name: Ada Lovelace
            usage_location: GB
            password: "{{ initial_password }}"
            job_title: Engineer
            department: R&D
            manager: grace@contoso.onmicrosoft.com
            groups: [Engineering, All Staff]

    - name: Block Bob's sign-in (his sessions are revoked once) and remove his group memberships, keeping the account
      csp.partnercenter.partnercenter_user:
        customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
        user_principal_name: bob@contoso.onmicrosoft.com
        account_enabled: false
        groups:
          set: []
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
  choices: [created, updated, restored, deleted, unchanged, renamed, offboarded]
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
    job_title:
      description: Job title, from Microsoft Graph.
      type: str
      returned: when O(job_title) is given
    department:
      description: Department, from Microsoft Graph.
      type: str
      returned: when O(department) is given
    office_location:
      description: Office location, from Microsoft Graph.
      type: str
      returned: when O(office_location) is given
    company_name:
      description: Company name, from Microsoft Graph.
      type: str
      returned: when O(company_name) is given
    employee_id:
      description: Employee id, from Microsoft Graph.
      type: str
      returned: when O(employee_id) is given
    mobile_phone:
      description: Mobile phone number, from Microsoft Graph.
      type: str
      returned: when O(mobile_phone) is given
    business_phones:
      description: Business phone numbers, from Microsoft Graph.
      type: list
      elements: str
      returned: when O(business_phones) is given
    account_enabled:
      description: Whether the user may sign in, from Microsoft Graph.
      type: bool
      returned: when O(account_enabled) is given
    manager:
      description: The UPN of the user's manager (null for none), from Microsoft Graph.
      type: str
      returned: when O(manager) is given
    groups:
      description:
        - Display names of the groups the user is a direct member of, among those O(groups) names (with V(set), all
          of them), from Microsoft Graph.
      type: list
      elements: str
      returned: when O(groups) is given
    sessions_revoked:
      description: V(true) when the user's sign-in sessions were (in check mode, would be) revoked in this run.
      type: bool
      returned: when they were revoked
users:
  description:
    - With O(users), one entry per declared user in declared order, the user's fields plus C(action).
    - A renamed user's entry also has C(previous_user_principal_name), an offboarded user's C(offboarding).
  returned: with O(users)
  type: list
  elements: dict
  sample:
    - user_principal_name: jane@contoso.onmicrosoft.com
      id: 4b10bf41-ab11-40e3-8c53-cd67849b50de
      action: unchanged
offboarding:
  description:
    - For a user whose C(action) is V(offboarded) (at the top level with O(user_principal_name), in its entry of
      C(users) with O(users)), what was removed and the declaration that gives it back.
  returned: for an offboarded user
  type: dict
  contains:
    removed:
      description: C(directory_roles) (names) and C(licenses) (each C(sku) with its C(disabled_plans)) removed.
      type: dict
    reactivate:
      description: The user's entry to re-activate it as it was (C(state=present), C(directory_roles.set),
        C(licenses.set)); paste it in place of the offboarded entry.
      type: dict
  sample:
    removed: {directory_roles: [Billing Administrator], licenses: [{sku: SPE_E3, disabled_plans: [TEAMS1]}]}
    reactivate:
      user_principal_name: jane@contoso.onmicrosoft.com
      state: present
      directory_roles: {set: [Billing Administrator]}
      licenses: {set: [{sku: SPE_E3, disabled_plans: [TEAMS1]}]}
undeclared_users:
  description:
    - With O(users) and O(purge=false), the active users of the customer that no item declares (by UPN or a previous
      name) and O(purge_exclude) does not match, sorted, at most 100 (C(summary.undeclared) counts them all).
  returned: with O(users)
  type: list
  elements: str
  sample: [old.intern@contoso.onmicrosoft.com]
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
  sample: {created: 2, updated: 0, restored: 1, deleted: 0, unchanged: 40, renamed: 1, offboarded: 1, purged: 1,
           failed: 0, undeclared: 0}
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
