# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    CREATE, DELETE, NOTHING, PASSWORD_MARKER, RESTORE, UPDATE, DesiredUser, Held, needs_deleted_lookup, plan_user,
    plan_with_memberships, replan,
)

UPN = "jane@contoso.onmicrosoft.com"


def existing(**overrides):
    user = dict(id="u-1", user_principal_name=UPN, first_name="Jane", last_name="Doe", display_name="Jane Doe",
                usage_location="US", immutable_id=None, state="active", user_domain_type="none",
                soft_deletion_time=None, last_directory_sync_time=None)
    user.update(overrides)
    return user


def desired(**kwargs):
    fields = dict((k, kwargs.pop(k)) for k in list(kwargs)
                  if k in ("first_name", "last_name", "display_name", "usage_location", "immutable_id"))
    return DesiredUser(UPN, fields, **kwargs)


def test_existing_user_with_same_attributes_needs_nothing():
    plan = plan_user(desired(display_name="Jane Doe", usage_location="us", password="Secret123!"), existing())
    assert plan.kind == NOTHING
    assert not plan.changed
    assert plan.diff() == ({}, {})


def test_only_given_fields_are_compared_and_only_changed_ones_sent():
    plan = plan_user(desired(display_name="Jane Q. Doe"), existing(first_name="Other"))
    assert plan.kind == UPDATE
    assert plan.changes == {"display_name": "Jane Q. Doe"}
    assert plan.diff() == ({"display_name": "Jane Doe"}, {"display_name": "Jane Q. Doe"})


def test_usage_location_compared_case_insensitively_but_names_exactly():
    assert plan_user(desired(usage_location="us"), existing()).kind == NOTHING
    assert plan_user(desired(first_name="jane"), existing()).changes == {"first_name": "jane"}


def test_update_password_always_resets_every_time_without_showing_it():
    plan = plan_user(desired(password="Secret123!", update_password="always"), existing())
    assert plan.kind == UPDATE and plan.reset_password and plan.changes == {}
    before, after = plan.diff()
    assert "Secret123!" not in repr((before, after))
    assert after["password"] == PASSWORD_MARKER


def test_update_password_on_create_never_touches_existing_password():
    plan = plan_user(desired(password="Secret123!"), existing())
    assert plan.kind == NOTHING and not plan.reset_password


def test_missing_user_is_created_when_everything_needed_is_given():
    plan = plan_user(desired(display_name="Jane Doe", usage_location="US", password="Secret123!"), None, None)
    assert plan.kind == CREATE and plan.send_password
    user = plan.predicted_user()
    assert user["user_principal_name"] == UPN and user["state"] == "active" and user["id"] is None
    assert "Secret123!" not in repr(plan.diff())


@pytest.mark.parametrize("missing", ["password", "display_name", "usage_location"])
def test_create_without_required_field_is_an_input_error_naming_it(missing):
    values = dict(display_name="Jane Doe", usage_location="US", password="Secret123!")
    del values[missing]
    with pytest.raises(InputError) as err:
        plan_user(desired(**values), None, None)
    assert err.value.option == missing


def test_soft_deleted_user_is_restored_with_changes_in_one_plan():
    gone = existing(state="inactive", soft_deletion_time="2026-11-01T00:00:00Z")
    plan = plan_user(desired(display_name="Jane Renamed", password="Secret123!"), None, gone)
    assert plan.kind == RESTORE and plan.action == "restored"
    assert plan.changes == {"display_name": "Jane Renamed"}
    before, after = plan.diff()
    assert before == {"display_name": "Jane Doe", "state": "inactive"}
    assert after["state"] == "active" and after["display_name"] == "Jane Renamed"
    assert plan.predicted_user()["soft_deletion_time"] is None


def test_absent_deletes_active_and_ignores_missing_or_deleted():
    assert plan_user(desired(state="absent"), existing()).kind == DELETE
    assert plan_user(desired(state="absent"), None).kind == NOTHING
    assert not needs_deleted_lookup(desired(state="absent"), None)


def test_deleted_users_are_looked_up_only_for_missing_present_users():
    assert needs_deleted_lookup(desired(), None)
    assert not needs_deleted_lookup(desired(), existing())


# -- memberships, and planning again once the user is there ---------------------------------

ROLE = {"id": "r-1", "name": "Helpdesk Administrator"}
SKU = {"id": "s-1", "sku_part_number": "SPE_E3", "service_plans": []}


def test_memberships_make_a_new_plan_and_an_unchanged_user_an_update():
    plan = plan_user(desired(directory_roles={"add": ["Helpdesk Administrator"]}), existing())
    planned = plan_with_memberships(plan, Held(roles=[], catalogue=[ROLE]))
    assert (plan.kind, plan.memberships) == (NOTHING, None)  # the plan it came from is left as it was
    assert planned.kind == UPDATE and planned.memberships.roles_add == ["r-1"]
    assert planned.with_memberships(existing())["directory_roles"] == ["Helpdesk Administrator"]
    held = plan_with_memberships(plan, Held(roles=["r-1"], catalogue=[ROLE]))
    assert held.kind == NOTHING and not held.memberships.changed


def test_a_restore_is_planned_again_from_what_the_user_holds_after_it():
    before = plan_with_memberships(
        plan_user(desired(password="Pw-12345678", directory_roles={"set": []}), None, existing(state="inactive")),
        Held(catalogue=[ROLE]))
    assert before.kind == RESTORE and not before.memberships.changed  # it holds none while deleted
    again = replan(before, existing(), Held(roles=["r-1"], catalogue=[ROLE]))
    assert again.kind == RESTORE and again.send_password and again.current == before.current
    assert again.memberships.roles_remove == ["r-1"]
    assert again.diff()[1]["directory_roles"] == [] and again.diff()[0]["directory_roles"] == ["Helpdesk Administrator"]


def test_a_user_someone_else_created_is_planned_like_an_existing_one():
    create = plan_with_memberships(plan_user(desired(password="Pw-12345678", display_name="Jane D", usage_location="US",
                                                     licenses={"add": ["SPE_E3"]}), None), Held(skus=[SKU]))
    assert create.kind == CREATE and create.memberships.licenses_assign == {"s-1": None}
    found = existing()
    again = replan(create, found, Held(licenses={"s-1": []}, skus=[SKU], user=found))
    assert again.kind == UPDATE and again.current is found and again.changes == {"display_name": "Jane D"}
    assert not again.memberships.changed  # it holds the license already
    assert replan(create, existing(display_name="Jane D"), None).kind == NOTHING  # no memberships read: none planned
