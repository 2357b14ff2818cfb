# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""customer_domain wherever a customer is selected: the info modules take it as partnercenter_user does (one look-up,
the id returned), refuse it with customer_id, and say when no customer has that primary domain."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from plays import play, task

DOMAIN = "contoso.onmicrosoft.com"


def test_the_info_modules_select_a_customer_by_its_primary_domain(emu, playbook):
    contoso = emu.seed([
        {"companyName": "Contoso", "domain": DOMAIN,
         "subscribedSkus": [{"skuPartNumber": "SPE_E3", "name": "Microsoft 365 E3", "totalUnits": 5}],
         "users": [{"userPrincipalName": "ada@" + DOMAIN, "firstName": "Ada", "lastName": "Lovelace",
                    "displayName": "Ada Lovelace", "usageLocation": "US", "password": "Seed-Passw0rd!"}]},
        # a prefix of the domain: the look-up keeps the exact match only
        {"companyName": "Contoso Two", "domain": "contoso.onmicrosoft.com.example"},
    ])[0]["id"]
    emu.clear_requests()
    run = playbook(play(
        task("partnercenter_user_info", name="users", customer_domain=DOMAIN.upper()),
        task("partnercenter_subscribed_sku_info", name="skus", customer_domain=DOMAIN),
        task("partnercenter_customer_info", name="customer", customer_domain=DOMAIN),
        task("partnercenter_user_info", name="both", ignore_errors=True, customer_id=contoso, customer_domain=DOMAIN),
        task("partnercenter_subscribed_sku_info", name="neither", ignore_errors=True),
        task("partnercenter_user_info", name="nobody", ignore_errors=True, customer_domain="nobody.onmicrosoft.com"),
        task("partnercenter_subscribed_sku_info", name="not a domain", ignore_errors=True,
             customer_domain="contoso onmicrosoft"),
    ))
    users = run.result("users")["result"]
    assert users["customer_id"] == contoso and [u["user_principal_name"] for u in users["users"]] == ["ada@" + DOMAIN]
    skus = run.result("skus")["result"]
    assert skus["customer_id"] == contoso and [s["sku_part_number"] for s in skus["skus"]] == ["SPE_E3"]
    assert [c["id"] for c in run.result("customer")["result"]["customers"]] == [contoso]
    assert "mutually exclusive: customer_id|customer_domain" in run.result("both")["result"]["msg"]
    assert "one of the following is required: customer_id, customer_domain" in run.result("neither")["result"]["msg"]
    nobody = run.result("nobody")["result"]["msg"]
    assert nobody.startswith("customer_domain: nobody.onmicrosoft.com is the primary domain of none of this partner's")
    assert run.result("not a domain")["result"]["msg"].startswith("customer_domain: 'contoso onmicrosoft' is not a")
    # the refused tasks sent nothing; each look-up is one customer listing
    listings = [r for r in emu.requests() if r["route"] == "list_customers"]
    assert len(listings) == 4, [r["route"] for r in emu.requests()]
    assert emu.writes() == []
