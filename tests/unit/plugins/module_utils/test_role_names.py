# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A built-in directory role is found by its admin center name, an older name or its template id, in any case."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import BUILT_IN_ROLES, built_in_role

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


@pytest.mark.parametrize("given, template_id", [
    ("Global Administrator", GLOBAL_ADMIN),
    ("Company Administrator", GLOBAL_ADMIN),  # the legacy name Partner Center lists
    ("global administrator", GLOBAL_ADMIN),
    ("  COMPANY ADMINISTRATOR ", GLOBAL_ADMIN),
    (GLOBAL_ADMIN, GLOBAL_ADMIN),
    (GLOBAL_ADMIN.upper(), GLOBAL_ADMIN),
    ("User Account Administrator", USER_ADMIN),
    ("Helpdesk Administrator", HELPDESK),
])
def test_a_role_is_found_by_any_of_its_names(given, template_id):
    found = built_in_role(given)
    assert found is not None and found[0] == template_id
    assert found[1] == (BUILT_IN_ROLES[template_id][0],) + BUILT_IN_ROLES[template_id][1]


@pytest.mark.parametrize("given", ["Global Admin", "Administrator", "", "62e90394", "Helpdesk Administrators", None, 7])
def test_anything_else_is_no_built_in_role(given):
    assert built_in_role(given) is None


def test_every_name_and_id_names_one_role():
    keys = [k for template_id, (name, others) in BUILT_IN_ROLES.items()
            for k in (template_id,) + tuple(n.lower() for n in (name,) + others)]
    assert len(keys) == len(set(keys))
    assert all(built_in_role(template_id)[0] == template_id for template_id in BUILT_IN_ROLES)
