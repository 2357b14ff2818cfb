# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Directory roles and licenses of a customer's users: paths, JSON names, snake_case views."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES

# licenseGroupIds: group1 is Entra-managed products, group2 Minecraft.  Without the
# parameter only group1 is returned, so ask for both to see every assignment.
LICENSE_GROUPS = ("Group1", "Group2")


def sku_to_snake(sku):
    product = sku.get("productSku") or {}
    return {
        "id": product.get("id"),
        "sku_part_number": product.get("skuPartNumber"),
        "name": product.get("name"),
        "license_group_id": product.get("licenseGroupId"),
        "target_type": product.get("targetType"),
        "total_units": sku.get("totalUnits"),
        "consumed_units": sku.get("consumedUnits"),
        "available_units": sku.get("availableUnits"),
        "active_units": sku.get("activeUnits"),
        "warning_units": sku.get("warningUnits"),
        "suspended_units": sku.get("suspendedUnits"),
        "capability_status": sku.get("capabilityStatus"),
        "service_plans": [{"id": p.get("id"), "service_name": p.get("serviceName"),
                           "display_name": p.get("displayName"), "target_type": p.get("targetType")}
                          for p in sku.get("servicePlans") or []],
    }


# A user's license may list every plan with a status, or only the enabled ones; these say "not enabled".
DISABLED_STATUSES = frozenset(["disabled", "deleted", "suspended", "lockedout", "pendingprovisioning"])


def _enabled(plan):
    """An enabled user plan of a license listing; tenant-level plans are not the user's, whatever they say."""
    if (plan.get("targetType") or "user").lower() == "tenant":
        return False
    return (plan.get("capabilityStatus") or "assigned").lower() not in DISABLED_STATUSES


class DirectoryAPI:
    """Role catalogue and memberships, subscribed SKUs and license assignments of one customer."""

    def __init__(self, client, customer_id):
        self.client = client
        self.customer_id = customer_id

    def _ids(self, **values):
        values["customer_id"] = self.customer_id
        return values

    def role_catalogue(self):
        """[{id, name}] of the customer's directory roles."""
        return [{"id": r.get("id"), "name": r.get("name")}
                for r in self.client.iterate("list_directory_roles", self._ids(), page_size=None)]

    def user_roles(self, user_id):
        return [{"id": r.get("id"), "name": r.get("name")} for r in self.client.iterate(
            "list_user_directory_roles", self._ids(user_id=user_id), page_size=None)]

    def add_role_member(self, role_id, user):
        body = {"id": user.get("id"), "displayName": user.get("display_name"),
                "userPrincipalName": user.get("user_principal_name"), "attributes": {"objectType": "UserMember"}}
        route = ROUTES["add_role_member"]
        route.check_value("user_id", user.get("id"))  # in the body, so checked like a path value
        self.client.call(route.name, self._ids(role_id=role_id), body=body)

    def remove_role_member(self, role_id, user_id):
        self.client.call("remove_role_member", self._ids(role_id=role_id, user_id=user_id))

    def subscribed_skus(self):
        return [sku_to_snake(s) for s in self.client.iterate(
            "list_subscribed_skus", self._ids(), params={"licenseGroupIds": list(LICENSE_GROUPS)}, page_size=None)]

    def user_licenses(self, user_id):
        """{sku_id: [enabled service plan ids]} of the user's licenses."""
        result = {}
        for lic in self.client.iterate("list_user_licenses", self._ids(user_id=user_id),
                                       params={"licenseGroupIds": list(LICENSE_GROUPS)}, page_size=None):
            sku_id = ((lic.get("productSku") or {}).get("id") or "").lower()
            result[sku_id] = [(p.get("id") or "").lower() for p in lic.get("servicePlans") or [] if _enabled(p)]
        return result

    def update_licenses(self, user_id, assign, remove):
        """One licenseupdates call; every SKU in it must be of one license group.

        Returns its warnings as text a message may quote (scrubbed, control characters escaped, bounded).
        """
        body = {
            "licensesToAssign": [{"skuId": sku_id, "excludedPlans": excluded or None}
                                 for sku_id, excluded in assign] or None,
            "licensesToRemove": list(remove) or None,
            "attributes": {"objectType": "LicenseUpdate"},
        }
        answer = self.client.call("update_user_licenses", self._ids(user_id=user_id), body=body)
        return [self._warning_text(warning) for warning in (answer or {}).get("licenseWarnings") or []]

    def _warning_text(self, warning):
        """A LicenseWarning ``{code, message, servicePlans}`` (or whatever came instead) as one line."""
        text = warning
        if isinstance(warning, dict):
            plans = ", ".join(str(p) for p in warning.get("servicePlans") or [])
            text = "%s%s" % (warning.get("message") or warning.get("code") or warning,
                             " (service plans: %s)" % plans if plans else "")
        return self.client.scrubber.shown(str(text))
