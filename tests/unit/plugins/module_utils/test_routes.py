# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every path comes from the route table; values are checked and quoted before anything is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES

CID = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
UID = "4b10bf41-ab11-40e3-8c53-cd67849b50de"


def test_a_path_is_the_template_with_its_values_and_the_label_names_the_template():
    route = ROUTES["update_user_licenses"]
    assert route.path(customer_id=CID, user_id=UID) == "/customers/%s/users/%s/licenseupdates" % (CID, UID)
    assert route.label == "POST /customers/{customer_id}/users/{user_id}/licenseupdates"
    assert route.idempotent and not ROUTES["create_user"].idempotent


@pytest.mark.parametrize("bad", [None, "", "None", CID + "\n", "../" + CID, CID.replace("-", "%2D"), 5])
def test_an_id_that_is_not_a_guid_is_never_sent(bad):
    with pytest.raises(PartnerCenterError) as err:
        ROUTES["get_user"].path(customer_id=CID, user_id=bad)
    assert "nothing was sent" in str(err.value) and err.value.fault == "invalid id"


def test_every_route_names_a_known_method_and_only_known_placeholders():
    for route in ROUTES.values():
        assert route.method in ("GET", "POST", "PATCH", "DELETE")
        assert set(route.placeholders) <= {"customer_id", "user_id", "role_id", "application_id"}
        assert route.template.startswith("/customers")


def test_every_graph_route_names_a_known_method_and_only_known_placeholders():
    from ansible_collections.csp.partnercenter.plugins.module_utils._graph_routes import GRAPH_ROUTES
    for route in GRAPH_ROUTES.values():
        assert route.method in ("GET", "POST", "PATCH", "PUT", "DELETE")
        assert set(route.placeholders) <= {"user", "group_id", "member_id"}
        assert route.template.startswith(("/users", "/groups"))
        what, roles = route.gdap  # every Graph operation names the roles that allow it
        assert what and roles
