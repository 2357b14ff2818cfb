# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Directory roles (by their template ids) and subscribed SKUs that tests seed into customers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
BILLING = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
E3 = {"skuPartNumber": "SPE_E3", "name": "Microsoft 365 E3", "licenseGroupId": "group1", "totalUnits": 5,
      "servicePlans": [{"serviceName": "TEAMS1", "displayName": "Microsoft Teams"},
                       {"serviceName": "EXCHANGE_S_ENTERPRISE", "displayName": "Exchange Online"}]}
VISIO_SOLD_OUT = {"skuPartNumber": "VISIOCLIENT", "name": "Visio Plan 2", "licenseGroupId": "group1",
                  "totalUnits": 1, "consumedUnits": 1,
                  "servicePlans": [{"serviceName": "VISIO_CLIENT_SUBSCRIPTION", "displayName": "Visio"}]}
MINECRAFT = {"skuPartNumber": "MEE_STUDENT", "name": "Minecraft Education", "licenseGroupId": "group2",
             "totalUnits": 10, "servicePlans": [{"serviceName": "MINECRAFT_EDUCATION_EDITION", "displayName": "MEE"}]}
VISIO = dict(VISIO_SOLD_OUT, totalUnits=5, consumedUnits=0)
