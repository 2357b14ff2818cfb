# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Customers of the partner: paths, search filters and the snake_case view."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def to_snake(customer):
    profile = customer.get("companyProfile") or {}
    result = {
        "id": customer.get("id"),
        "commerce_id": customer.get("commerceId"),
        "company_name": profile.get("companyName"),
        "domain": profile.get("domain"),
        "tenant_id": profile.get("tenantId") or customer.get("id"),
        "relationship_to_partner": customer.get("relationshipToPartner"),
        "custom_domains": customer.get("customDomains") or [],
    }
    if "allowDelegatedAccess" in customer:
        result["allow_delegated_access"] = customer.get("allowDelegatedAccess")
    return result


def _prefix_filter(field, value):
    # starts_with is the only operator the customer search supports; it is case-insensitive.
    return json.dumps({"Field": field, "Value": value, "Operator": "starts_with"}, separators=(",", ":"))


class CustomersAPI:

    def __init__(self, client):
        self.client = client
        self._records = {}  # customer id -> its record, read once per task

    def record(self, customer_id):
        """The customer as Partner Center answers (camelCase), read once for this object."""
        if customer_id not in self._records:
            self._records[customer_id] = self.client.call("get_customer", {"customer_id": customer_id}) or {}
        return self._records[customer_id]

    def get(self, customer_id):
        return to_snake(self.record(customer_id))

    def domains(self, customer_id):
        """(the customer's domains in lower case, complete): ``complete`` is False when Partner Center
        did not say which custom domains it has (it omits them without DAP)."""
        customer = self.record(customer_id)
        domain = ((customer.get("companyProfile") or {}).get("domain") or "").lower()
        custom = customer.get("customDomains")
        domains = set([domain] if domain else [])
        domains.update(d.lower() for d in custom or [] if isinstance(d, str))
        return domains, isinstance(custom, list) and bool(domain)

    def list(self, field=None, prefix=None):
        if field:
            pages = self.client.iterate("search_customers", params={"filter": _prefix_filter(field, prefix)})
        else:
            pages = self.client.iterate("list_customers")
        return [to_snake(c) for c in pages]

    def by_company_prefix(self, prefix):
        return self.list("CompanyName", prefix)

    def by_domain(self, domain):
        """Customers whose primary domain is exactly ``domain`` (the API only matches prefixes)."""
        wanted = domain.lower()
        return [c for c in self.list("Domain", domain) if (c.get("domain") or "").lower() == wanted]
