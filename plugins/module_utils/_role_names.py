# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Entra ID's built-in directory roles: template id, the admin center's name, and older names.

Partner Center lists roles with the legacy Azure AD names ("Company Administrator", "User
Account Administrator"); admins know them by the Entra admin center's names ("Global
Administrator", "User Administrator").  Either name, or the template id, finds the role.
Source: learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# template id -> (the Entra admin center's name, other names the directory may list)
BUILT_IN_ROLES = {
    "62e90394-69f5-4237-9190-012177145e10": ("Global Administrator", ("Company Administrator",)),
    "fe930be7-5e62-47db-91af-98c3a49a38b1": ("User Administrator", ("User Account Administrator",)),
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": ("Helpdesk Administrator", ()),
    "966707d0-3269-4727-9be2-8c3a10f19b9d": ("Password Administrator", ()),
    "f023fd81-a637-4b56-95fd-791ac0226033": ("Service Support Administrator", ("Service Administrator",)),
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": ("Billing Administrator", ()),
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": ("Directory Readers", ()),
    "9360feb5-f418-4baa-8175-e2a00bac4301": ("Directory Writers", ()),
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": ("Global Reader", ()),
    "29232cdf-9323-42fd-ade2-1d097af3e4de": ("Exchange Administrator", ("Exchange Service Administrator",)),
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": ("SharePoint Administrator", ("SharePoint Service Administrator",)),
    "69091246-20e8-4a56-aa4d-066075b2a7a8": ("Teams Administrator", ("Teams Service Administrator",)),
    "194ae4cb-b126-40b2-bd5b-6091b380977d": ("Security Administrator", ()),
    "5d6b6bb7-de71-4623-b4af-96380a352509": ("Security Reader", ()),
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": ("License Administrator", ()),
    "e8611ab8-c189-46e8-94e1-60213ab1f814": ("Privileged Role Administrator", ()),
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": ("Privileged Authentication Administrator", ()),
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": ("Application Administrator", ()),
    "158c047a-c907-4556-b7ef-446551a6b5f7": ("Cloud Application Administrator", ()),
    "3a2c62db-5318-420d-8d74-23affee5d9d5": ("Intune Administrator", ("Intune Service Administrator",)),
    "17315797-102d-40b4-93e0-432062caca18": ("Compliance Administrator", ()),
    "7698a772-787b-4ac8-901f-60d6b08affd2": ("Cloud Device Administrator", ()),
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": ("Groups Administrator", ()),
}


def built_in_role(name_or_id):
    """(template id, every name) of the built-in role ``name_or_id`` names (any case), or None."""
    key = str(name_or_id).strip().lower()
    for template_id, (name, others) in BUILT_IN_ROLES.items():
        names = (name,) + others
        if key == template_id or key in [n.lower() for n in names]:
            return template_id, names
    return None


def role_names_of(template_ids):
    """The admin center names of the roles ``template_ids`` (a token's ``wids``) name, sorted; an id not in the table
    is kept as it is (a role this table does not know, or a custom role)."""
    names = set()
    for template_id in template_ids if isinstance(template_ids, list) else []:
        if isinstance(template_id, str):
            known = BUILT_IN_ROLES.get(template_id.lower())
            names.add(known[0] if known else template_id)
    return sorted(names)


# Built-in roles that Microsoft labels PRIVILEGED: deleting, offboarding, blocking, renaming or resetting the
# password of a user who holds one needs ``allow_privileged`` on that user.  template id -> admin center name.
# Source: the "Privileged" label of learn.microsoft.com/entra/identity/role-based-access-control/
# permissions-reference (MicrosoftDocs/entra-docs permissions-reference.md, 2026-01-20), and
# privileged-roles-permissions ("roles ... that can lead to elevation of privilege").
PRIVILEGED_ROLES = {
    "db506228-d27e-4b7d-95e5-295956d6615f": "Agent ID Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "cf1c38e5-3621-4004-a7cb-879624dced7c": "Application Developer",
    "ecb2c6bf-0ab6-418e-bd87-7986f8d63bbe": "Attribute Provisioning Administrator",
    "422218e4-db15-4ef9-bbe0-8afb41546d79": "Attribute Provisioning Reader",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "25a516ed-2fa0-40ea-a2d0-12923a21473a": "Authentication Extensibility Administrator",
    "aaf43236-0c0d-4d5f-883a-6955382ac081": "B2C IEF Keyset Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
    "8329153b-31d0-4727-b945-745eb3bc5f31": "Domain Name Administrator",
    "be2f45a1-457d-42af-a067-6ec1fa63bc45": "External Identity Provider Administrator",
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "59d46f88-662b-457b-bceb-5c3809e5908f": "Lifecycle Workflows Administrator",
    "4ba39ca4-527c-499a-b93d-d9b492c50246": "Partner Tier1 Support",
    "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8": "Partner Tier2 Support",
    "966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f": "Security Operator",
    "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
}


def _privileged_names():
    names = dict((name.lower(), name) for name in PRIVILEGED_ROLES.values())
    for template_id, (name, others) in BUILT_IN_ROLES.items():
        if template_id in PRIVILEGED_ROLES:
            names.update((other.lower(), name) for other in others)  # the legacy names Partner Center lists
    return names


PRIVILEGED_NAMES = _privileged_names()


def privileged_role(role):
    """The admin center name of the privileged role ``role`` ({id, name} as the directory lists it) is, or None.

    Known by its name (today's or a legacy one, any case) or by a template id as its id.
    """
    # a role as planning shows it ("Global Administrator (Company Administrator)") is known by its declarable name
    name = str(declarable(role.get("name") or "")).strip().lower()
    return PRIVILEGED_NAMES.get(name) or PRIVILEGED_ROLES.get(str(role.get("id") or "").strip().lower())


def portal_name(listed):
    """A role the directory lists as ``listed`` as the admin center names it, with the listed name beside it where
    they differ: "Global Administrator (Company Administrator)"."""
    found = built_in_role(listed)
    if found is None:
        return listed
    name = found[1][0]
    return name if name.lower() == str(listed).strip().lower() else "%s (%s)" % (name, listed)


def shown_name(declared, listed):
    """A role as a task declared it (by ``declared``, found in the directory as ``listed``): the name declared, in
    the capitals of the role's own name, with the listed name beside it where they differ; a role declared by its
    id is shown by its ``portal_name``."""
    found = built_in_role(declared)
    names = (found[1] if found else ()) + (listed,)
    key = str(declared).strip().lower()
    name = next((n for n in names if n.lower() == key), None)
    if name is None:  # an id
        return portal_name(listed)
    return name if name.lower() == str(listed).lower() else "%s (%s)" % (name, listed)


def known_role_names(catalogue_names):
    """Every name a role may be declared by and suggested as: the directory's names, and every built-in role's
    names (one the directory does not list may be only not activated there)."""
    names = set(catalogue_names)
    for name, others in BUILT_IN_ROLES.values():
        names.add(name)
        names.update(others)
    return sorted(names)


def declarable(shown):
    """A role as ``shown_name``/``portal_name`` show it ("Exchange Administrator (Exchange Service Administrator)") as a
    name a declaration can use again ("Exchange Administrator"); any other name as it is."""
    match = re.match(r"^(.*\S)\s+\((.+)\)$", str(shown))
    if match:
        first, second = (built_in_role(part) for part in match.groups())
        if first is not None and first == second:
            return match.group(1)
    return shown
