# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Partner Center's failure vocabulary: which answers mean what, one row per answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import identity_cause, refused_call
from ansible_collections.csp.partnercenter.plugins.module_utils._pc_errors import PREDICATES
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES

UPN_TAKEN = "Another object with the same value for property userPrincipalName already exists."

# (status, code, description) -> the predicates that hold; every other one of PREDICATES must not.
ANSWERS = [
    ((409, None, UPN_TAKEN), {"is_upn_conflict", "is_member_conflict"}),
    ((400, 800002, UPN_TAKEN), {"is_upn_conflict"}),
    ((400, None, "Another object with the same value for property proxyAddresses already exists."), set()),
    ((409, 800064, "The object is being processed by another request."), {"is_in_progress"}),
    ((409, 900104, "Operation in progress, try again later"), {"is_in_progress"}),
    ((409, None, "Conflict"), {"is_upn_conflict", "is_member_conflict"}),
    ((400, None, "One or more added object references already exist for the following modified properties: "
                 "'members'."), {"is_member_conflict"}),
    ((400, None, "A conflicting object with one or more of the specified property values is present in the "
                 "directory."), {"is_restore_conflict"}),
    ((400, 800002, "Setting the password is not supported by this operation"), {"refuses_password"}),
    ((404, 60002, "User object Id is not found"), {"is_user_not_found", "is_user_not_visible_yet"}),
    ((404, "60002", "Not found"), {"is_user_not_found", "is_user_not_visible_yet"}),
    ((404, 800002, "The user was not found"), {"is_user_not_visible_yet"}),
    # A 404 without a code is taken for an unknown customer (the hint names the customer id to check).
    ((404, None, "User not found"), {"is_user_not_visible_yet", "is_unknown_customer"}),
    ((400, None, "License assignment cannot be done for user with invalid usage location."),
     {"lacks_usage_location"}),
    ((400, 60012, "We're sorry, it looks like you've run out of licenses..."), {"is_out_of_licenses"}),
    ((401, 900421, "Multi-factor authentication required"), {"lacks_mfa"}),
    ((401, None, "Error 900421: the token has no MFA claim"), {"lacks_mfa"}),
    ((401, 900420, "The audience in the token is invalid"), set()),
    ((404, 60003, "Tenant not found"), {"is_unknown_customer"}),
    ((403, 20002, "The partner id has no commerce relationship with the customer id."), {"is_unknown_customer"}),
    ((400, 900118, "Invalid Customer Id"), {"is_unknown_customer"}),
    ((403, 900150, "The caller does not have the required GDAP role"), set()),
    ((400, 800002, "Invalid request input"), set()),
    ((500, None, None), set()),
]


@pytest.mark.parametrize("answer, holds", ANSWERS, ids=["%s/%s" % answer[:2] for answer, holds in ANSWERS])
def test_each_answer_means_what_its_row_says(answer, holds):
    status, code, description = answer
    error = PartnerCenterError("refused", status=status, code=code, description=description)
    assert set(name for name in PREDICATES if getattr(error, name)) == holds


def test_every_predicate_has_an_answer_it_holds_for():
    assert set(PREDICATES) == set().union(*(holds for answer, holds in ANSWERS))


@pytest.mark.parametrize("status, attempts, holds", [
    (400, 1, {"is_bad_request"}),
    (400, 2, {"is_bad_request", "refused_after_resend"}),
    (403, 1, {"is_denied"}),
    (404, 3, {"is_not_found"}),
    (401, 1, {"is_identity_failure"}),
])
def test_what_http_says_is_answered_by_the_error_itself(status, attempts, holds):
    error = PartnerCenterError("refused", status=status, attempts=attempts)
    http = ("is_bad_request", "refused_after_resend", "is_denied", "is_not_found", "is_identity_failure")
    assert set(name for name in http if getattr(error, name)) == holds


def test_an_error_asks_the_vocabulary_of_the_api_that_answered():
    class Graph:
        """The shape another API's vocabulary takes: the same predicate names over its own codes."""

        def is_upn_conflict(self, error):
            return error.code == "Request_BadRequest" and "userPrincipalName" in error.description

    error = PartnerCenterError("refused", status=400, code="Request_BadRequest", vocabulary=Graph(),
                               description="Another object with the same value for property userPrincipalName "
                                           "already exists.")
    assert error.is_upn_conflict and error.derive("told again").is_upn_conflict


def test_a_modules_error_result_is_asked_like_the_error():
    error = PartnerCenterError("refused", status=401, code=900421, description="MFA required", request_id="r-1")
    again = PartnerCenterError.from_dict(error.to_dict())
    assert again.to_dict() == error.to_dict() and again.lacks_mfa and again.is_identity_failure
    assert identity_cause(again) == "the token has no MFA claim"
    token = PartnerCenterError.from_dict(dict(route="POST token", code="invalid_grant",
                                              description="AADSTS700082: The refresh token has expired"))
    assert token.is_identity_failure and identity_cause(token) == "the refresh token has expired"


def test_a_refused_call_is_worded_with_the_gdap_roles_of_its_route_row():
    error = refused_call(ROUTES["delete_user"], 403, "c-1", False, code=900150, description="denied",
                         request_id="r-1", attempts=1)
    assert error.message == "Partner Center refused the request for customer c-1"
    assert "may delete users; one of these is needed: User Administrator." in error.hint
    app_only = refused_call(ROUTES["delete_user"], 403, "c-1", True, code=900150, description="denied")
    assert "app-only token for customer c-1" in app_only.message and app_only.hint is None
    mfa = refused_call(ROUTES["list_users"], 401, "c-1", False, code=900421, description="MFA required")
    assert mfa.message == "Partner Center refused the access token for customer c-1"
    assert mfa.hint.startswith("Partner Center refuses App+User calls whose token carries no MFA claim")
    unknown = refused_call(ROUTES["list_users"], 404, "c-1", False, code=60003, description="Tenant not found")
    assert unknown.hint.startswith("Check partnercenter customer id c-1")
    assert refused_call(ROUTES["list_customers"], 403, None, False).hint is None  # GDAP has no say there
